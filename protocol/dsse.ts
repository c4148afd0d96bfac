/** DSSE v1 pre-authentication encoding (https://github.com/secure-systems-lab/dsse, protocol.md). */
import { asciiBytes, concatBytes, utf8Encode } from './bytes.js';
import { ProtocolError } from './errors.js';

/**
 * PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, where LEN is the byte
 * length in ASCII decimal without leading zeros and type is taken as UTF-8.
 */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = utf8Encode(payloadType);
  if (type === null) throw new ProtocolError('malformed-envelope', 'payload type is not valid Unicode', 'payloadType');
  return concatBytes(
    asciiBytes(`DSSEv1 ${type.length} `),
    type,
    asciiBytes(` ${payload.length} `),
    payload
  );
}

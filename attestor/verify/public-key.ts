/** A verifier's public key: a `BEGIN PUBLIC KEY` PEM (SPKI DER) or a private-key PEM it derives from. */
import { readFileSync } from 'node:fs';

import { publicKeyFromDer, signerFromSecretKey } from '../../protocol/index.js';
import { inputError } from '../cli/errors.js';
import { readKeyFile } from '../identity/load.js';

export function readPublicKeyPem(path: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw inputError(`cannot read public key ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const m = /-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----/.exec(text);
  if (m) {
    const der = new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
    const key = publicKeyFromDer(der);
    if (!key.ok) throw inputError(`${path}: ${key.error.message}`);
    return der;
  }
  const priv = readKeyFile(path);
  return signerFromSecretKey(priv.keyType, priv.secret).publicKeyDer;
}

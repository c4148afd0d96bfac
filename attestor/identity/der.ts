/** Just enough DER to read private keys: tag, length, value; no schema beyond what pem.ts asks. */

export interface DerNode {
  tag: number;
  /** Contents (without tag and length). */
  value: Uint8Array;
}

export class DerError extends Error {}

export function readDer(bytes: Uint8Array, offset = 0): { node: DerNode; next: number } {
  if (offset + 2 > bytes.length) throw new DerError('truncated DER');
  const tag = bytes[offset];
  let len = bytes[offset + 1];
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || pos + n > bytes.length) throw new DerError('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[pos + i];
    pos += n;
  }
  if (pos + len > bytes.length) throw new DerError('truncated DER');
  return { node: { tag, value: bytes.subarray(pos, pos + len) }, next: pos + len };
}

/** The children of a constructed value (SEQUENCE, context tags). */
export function children(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  let pos = 0;
  while (pos < node.value.length) {
    const { node: child, next } = readDer(node.value, pos);
    out.push(child);
    pos = next;
  }
  return out;
}

export function parseDer(bytes: Uint8Array): DerNode {
  const { node, next } = readDer(bytes, 0);
  if (next !== bytes.length) throw new DerError('trailing bytes after DER value');
  return node;
}

/** Dotted OID text from an OBJECT IDENTIFIER's contents. */
export function oidText(value: Uint8Array): string {
  if (value.length === 0) throw new DerError('empty OID');
  const parts = [Math.floor(value[0] / 40), value[0] % 40];
  let acc = 0;
  for (let i = 1; i < value.length; i++) {
    acc = acc * 128 + (value[i] & 0x7f);
    if (!(value[i] & 0x80)) {
      parts.push(acc);
      acc = 0;
    }
  }
  return parts.join('.');
}

export const TAG = { INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, OID: 0x06, SEQUENCE: 0x30, CTX0: 0xa0, CTX1: 0xa1 } as const;

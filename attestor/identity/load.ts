/**
 * One reviewer key, two faces: the @dfinity/agent Identity that signs requests to the canister and
 * the protocol Signer that signs envelopes. Both come from the same secret, so their principals
 * are equal — the binding the canister checks.
 */
import { readFileSync } from 'node:fs';
import type { SignIdentity } from '@dfinity/agent';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Secp256k1KeyIdentity } from '@dfinity/identity-secp256k1';

import { inputError } from '../cli/errors.js';
import { defaultIdentityName, locateIdentityPem } from './dfx.js';
import { parsePrivateKeyPem, type KeyType, type PrivateKey } from './pem.js';

export interface LoadedIdentity {
  /** dfx identity name, or null for --pem. */
  name: string | null;
  path: string;
  keyType: KeyType;
  secret: Uint8Array;
  agentIdentity: SignIdentity;
  principal: string;
}

export interface IdentitySelection {
  identity?: string;
  pem?: string;
}

export function agentIdentityFor(key: PrivateKey): SignIdentity {
  return key.keyType === 'ed25519' ? Ed25519KeyIdentity.fromSecretKey(key.secret) : Secp256k1KeyIdentity.fromSecretKey(key.secret);
}

export function readKeyFile(path: string): PrivateKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw inputError(`cannot read PEM file ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : String(code ?? err)}`);
  }
  const parsed = parsePrivateKeyPem(text);
  if (!parsed.ok) throw inputError(`${path}: ${parsed.error.message}`, { pemError: parsed.error.kind });
  return parsed.key;
}

/** --pem wins over --identity; neither → dfx's default identity. */
export function loadIdentity(sel: IdentitySelection, env: NodeJS.ProcessEnv = process.env): LoadedIdentity {
  let name: string | null = null;
  let path: string;
  if (sel.pem) path = sel.pem;
  else {
    name = sel.identity ?? defaultIdentityName(env);
    path = locateIdentityPem(name, env);
  }
  const key = readKeyFile(path);
  const agentIdentity = agentIdentityFor(key);
  return { name, path, keyType: key.keyType, secret: key.secret, agentIdentity, principal: agentIdentity.getPrincipal().toText() };
}

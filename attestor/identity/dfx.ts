/**
 * dfx's identity store: `$HOME/.config/dfx/identity/<name>/identity.pem`, the default name in
 * `$HOME/.config/dfx/identity.json` (`{"default": "<name>"}`). DFX_CONFIG_ROOT replaces HOME, as in dfx.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

import { CliError, inputError, usageError } from '../cli/errors.js';
import { ed25519Pkcs8Pem } from './pem.js';

export function dfxConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.DFX_CONFIG_ROOT ?? env.HOME ?? homedir();
  return join(root, '.config', 'dfx');
}

export function identityDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(dfxConfigDir(env), 'identity', name);
}

export function identityPemPath(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(identityDir(name, env), 'identity.pem');
}

/** The name dfx would use: identity.json's `default`, else "default". */
export function defaultIdentityName(env: NodeJS.ProcessEnv = process.env): string {
  const file = join(dfxConfigDir(env), 'identity.json');
  if (!existsSync(file)) return 'default';
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { default?: unknown };
    return typeof parsed.default === 'string' && parsed.default.length > 0 ? parsed.default : 'default';
  } catch {
    throw inputError(`${file} is not valid JSON; fix it or pass --identity <name>`);
  }
}

const NAME_RE = /^[A-Za-z0-9._@-]+$/;

export function checkIdentityName(name: string): string {
  if (!NAME_RE.test(name) || name === '.' || name === '..') {
    throw usageError(`invalid identity name "${name}": use letters, digits, '.', '_', '-', '@'`);
  }
  return name;
}

/** Where the PEM of a dfx identity is, or a clear error if dfx keeps it where we cannot read it. */
export function locateIdentityPem(name: string, env: NodeJS.ProcessEnv = process.env): string {
  checkIdentityName(name);
  const pem = identityPemPath(name, env);
  if (existsSync(pem)) return pem;
  const dir = identityDir(name, env);
  if (existsSync(join(dir, 'identity.pem.encrypted'))) {
    throw inputError(`dfx identity "${name}" is password-protected; run \`dfx identity export ${name} > key.pem\` and pass --pem key.pem`);
  }
  if (existsSync(join(dir, 'identity.json'))) {
    throw inputError(`dfx identity "${name}" is kept in the system keyring; run \`dfx identity export ${name} > key.pem\` and pass --pem key.pem`);
  }
  throw inputError(`no dfx identity "${name}" (${pem} does not exist); create one with \`icos-attest identity new ${name}\` or pass --pem <file>`);
}

/** Writes a PEM like dfx does (directory 0700, file 0600), atomically, refusing to overwrite. */
export function writeIdentityPem(name: string, pem: string, env: NodeJS.ProcessEnv = process.env): string {
  checkIdentityName(name);
  const path = identityPemPath(name, env);
  if (existsSync(path) || existsSync(`${path}.encrypted`)) {
    throw new CliError('input', `dfx identity "${name}" already exists (${path}); choose another name`);
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, pem, { mode: 0o600, flag: 'wx' });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return path;
}

export function newEd25519Pem(): string {
  return ed25519Pkcs8Pem(new Uint8Array(randomBytes(32)));
}

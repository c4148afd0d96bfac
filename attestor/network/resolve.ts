/**
 * Which replica to talk to, how to trust it, and which canister holds the attestations.
 * Pure decisions (unit-tested) separated from the I/O that fetches a root key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IC_ROOT_KEY } from '@dfinity/agent';
import { Principal } from '@dfinity/principal';

import { inputError, usageError } from '../cli/errors.js';
import { hexToBytes as bytesOfHex } from '../../protocol/bytes.js';

export const LOCAL_DFX_URL = 'http://127.0.0.1:4943';
export const IC_URL = 'https://icp-api.io';
/** Mainnet canister id of `attestations`; null until it is deployed. */
export const IC_DEFAULT_CANISTER: string | null = null;
/** Folder `replica start` writes `local.json` into, relative to the working directory. */
export const DEFAULT_STATE_DIR = '.icos-attest';

export type NetworkName = 'local' | 'ic' | 'url';

/** How the root key is obtained: hard-coded (mainnet), from a file, or fetched from /api/v2/status. */
export type RootKeySource =
  | { kind: 'mainnet'; key: Uint8Array }
  | { kind: 'file'; path: string; key: Uint8Array }
  | { kind: 'state'; path: string; key: Uint8Array }
  | { kind: 'fetch' };

export interface NetworkTarget {
  name: NetworkName;
  url: string;
  rootKey: RootKeySource;
}

/** What `replica start` writes to `<state-dir>/local.json`. */
export interface LocalReplicaInfo {
  url: string;
  canisterId: string;
  rootKeyHex: string;
  dashboardUrl?: string;
  pid?: number;
}

/** Hex as people write it (any case, surrounding white space) to bytes. */
export function hexToBytes(hex: string): Uint8Array {
  return bytesOfHex(hex.trim().toLowerCase());
}

export function mainnetRootKey(): Uint8Array {
  return hexToBytes(IC_ROOT_KEY);
}

/** A root key file holds hex (what `replica start` writes) or raw DER bytes. */
export function readRootKeyFile(path: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (err) {
    throw inputError(`cannot read root key file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const text = raw.toString('utf8').trim();
  if (/^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0) return hexToBytes(text);
  if (raw.length > 0 && raw[0] === 0x30) return new Uint8Array(raw);
  throw inputError(`root key file ${path} holds neither hex nor DER bytes`);
}

export function readLocalInfo(stateDir: string): LocalReplicaInfo | null {
  const path = join(stateDir, 'local.json');
  if (!existsSync(path)) return null;
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as LocalReplicaInfo;
    if (typeof info.url !== 'string' || typeof info.canisterId !== 'string') return null;
    return info;
  } catch {
    throw inputError(`${path} is not valid JSON; restart the replica (\`icos-attest replica start\`) or remove the file`);
  }
}

function normalizeUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

export function sameEndpoint(a: string, b: string): boolean {
  try {
    const ua = new URL(a);
    const ub = new URL(b);
    const host = (h: string) => (h === 'localhost' || h === '[::1]' ? '127.0.0.1' : h);
    return ua.protocol === ub.protocol && host(ua.hostname) === host(ub.hostname) && ua.port === ub.port;
  } catch {
    return false;
  }
}

/**
 * Where NNS governance is read, for every command: --governance-network when given, else
 * --network when that is `local` or a loopback URL (the embedded replica hosts the governance
 * stand-in next to the canister), else mainnet (`ic`, whose root key is pinned).
 */
export function governanceNetworkOf(governanceNetwork: string | undefined, network: string | undefined): string {
  if (governanceNetwork) return governanceNetwork;
  if (network === 'local') return network;
  if (network) {
    try {
      const host = new URL(network).hostname;
      if (host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host === '::1') return network;
    } catch {
      // not a URL: resolveNetwork reports it for --network itself
    }
  }
  return 'ic';
}

export interface NetworkOptions {
  /** `local`, `ic` or an http(s) URL; default `local`. */
  network?: string;
  rootKeyFile?: string;
  stateDir?: string;
}

/**
 * local → dfx's default address; URL → that host. Either: root key from --root-key, from
 * local.json when the address is the embedded replica's, else fetched (with a warning: a
 * fetched key proves nothing).
 * ic → mainnet with the hard-coded root key (never fetched).
 */
export function resolveNetwork(opts: NetworkOptions): NetworkTarget {
  const network = (opts.network ?? 'local').trim();
  const explicitKey = opts.rootKeyFile ? ({ kind: 'file', path: opts.rootKeyFile, key: readRootKeyFile(opts.rootKeyFile) } as const) : null;
  if (network === 'ic') {
    if (explicitKey) throw usageError('--root-key cannot be combined with --network ic: mainnet uses its well-known root key');
    return { name: 'ic', url: IC_URL, rootKey: { kind: 'mainnet', key: mainnetRootKey() } };
  }
  let url: string;
  let name: NetworkName;
  if (network === 'local') {
    name = 'local';
    url = LOCAL_DFX_URL;
  } else if (/^https?:\/\//i.test(network)) {
    name = 'url';
    try {
      url = normalizeUrl(new URL(network).toString());
    } catch {
      throw usageError(`--network "${network}" is not a valid URL`);
    }
  } else {
    throw usageError(`--network must be "local", "ic" or an http(s) URL, got "${network}"`);
  }
  if (explicitKey) return { name, url, rootKey: explicitKey };
  const info = readLocalInfo(resolve(opts.stateDir ?? DEFAULT_STATE_DIR));
  if (info && sameEndpoint(info.url, url) && info.rootKeyHex) {
    return { name, url, rootKey: { kind: 'state', path: join(resolve(opts.stateDir ?? DEFAULT_STATE_DIR), 'local.json'), key: hexToBytes(info.rootKeyHex) } };
  }
  return { name, url, rootKey: { kind: 'fetch' } };
}

export interface CanisterOptions {
  canister?: string;
  stateDir?: string;
}

export function checkCanisterId(text: string): string {
  try {
    return Principal.fromText(text).toText();
  } catch {
    throw usageError(`"${text}" is not a valid canister id (expected text like "uxrrr-q7777-77774-qaaaq-cai")`);
  }
}

/**
 * --canister (or ICOS_ATTEST_CANISTER, applied by the option parser) → the embedded replica's
 * local.json when it serves this URL → dfx's .dfx/local/canister_ids.json for `local` → the
 * built-in mainnet id for `ic`.
 */
export function resolveCanisterId(target: NetworkTarget, opts: CanisterOptions, cwd = process.cwd()): string {
  if (opts.canister) return checkCanisterId(opts.canister);
  const stateDir = resolve(cwd, opts.stateDir ?? DEFAULT_STATE_DIR);
  if (target.name !== 'ic') {
    const info = readLocalInfo(stateDir);
    if (info && sameEndpoint(info.url, target.url)) return checkCanisterId(info.canisterId);
  }
  if (target.name === 'local') {
    const ids = join(cwd, '.dfx', 'local', 'canister_ids.json');
    if (existsSync(ids)) {
      try {
        const parsed = JSON.parse(readFileSync(ids, 'utf8')) as Record<string, Record<string, string>>;
        const id = parsed.attestations?.local;
        if (id) return checkCanisterId(id);
      } catch {
        /* fall through to the error below */
      }
    }
  }
  if (target.name === 'ic' && IC_DEFAULT_CANISTER) return IC_DEFAULT_CANISTER;
  const hint =
    target.name === 'ic'
      ? 'the attestations canister is not deployed on mainnet yet; pass --canister <id>'
      : `pass --canister <id> (or set ICOS_ATTEST_CANISTER), or start the embedded replica with \`icos-attest replica start\``;
  throw usageError(`no canister id for ${target.url}: ${hint}`);
}

/**
 * The cores other parts of the project provide, loaded when a command needs them: a command
 * whose core is missing fails with a clear `unavailable` error instead of breaking the whole CLI.
 */
import { CliError, unavailable } from './errors.js';

async function load<T>(what: string, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
      const missing = String((err as Error).message).match(/Cannot find module '([^']+)'/)?.[1];
      if (missing && /node_modules/.test(missing)) throw err;
      throw unavailable(what);
    }
    if (err instanceof CliError) throw err;
    throw err;
  }
}

export const loadProtocol = () => load('the protocol core (protocol/index.ts)', () => import('../../protocol/index.js'));
export const loadService = () => load('the canister interface (protocol/service.ts)', () => import('../../protocol/service.js'));
export const loadProposal = () => load('proposal reading (attestor/icos/proposal)', () => import('../icos/proposal/index.js'));
export const loadCdn = () => load('the CDN check (attestor/icos/cdn)', () => import('../icos/cdn/index.js'));
export const loadBuild = () => load('the IC-OS build (attestor/icos/build)', () => import('../icos/build/index.js'));
export const loadHash = () => load('file hashing (attestor/hash)', () => import('../hash/index.js'));
export const loadManifest = () => load('artifact manifests (attestor/manifest)', () => import('../manifest/index.js'));
export const loadDiff = () => load('divergence diagnosis (attestor/diff)', () => import('../diff/index.js'));
export const loadRuntime = () => load('the embedded replica runtime (replica/runtime)', () => import('../../replica/runtime/index.js'));
export const loadReplicaHttp = () => load('the embedded replica HTTP server (replica/http)', () => import('../../replica/http/index.js'));

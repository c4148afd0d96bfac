/**
 * The part of the in-process runtime (replica/runtime) that the HTTP server uses. A Pick of the
 * real class, so the server cannot drift from it, and a smaller surface to read.
 */
import type { Runtime } from '../runtime/index.js';

export type ServedRuntime = Pick<
  Runtime,
  'update' | 'query' | 'time' | 'setTime' | 'tick' | 'canisterInfo' | 'canisterIds' | 'certifiedData' | 'setDataCertificateProvider'
>;
export { RejectCode, type CallResult } from '../runtime/index.js';

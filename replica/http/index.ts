/** The IC HTTP interface (and HTTP gateway) over the in-process runtime. */
export { startReplicaServer, ReplicaServerError, type ReplicaServer, type ReplicaServerOptions } from './server.js';
export { MAX_BODY_BYTES } from './http-reply.js';
export type { ServedRuntime } from './runtime-port.js';
export { replicaKeys, type ReplicaKeys } from './replica-keys.js';

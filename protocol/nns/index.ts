/** NNS governance and registry: Candid types, proposal decoding, payload building. */
export * from './types.js';
export * from './errors.js';
export * from './functions.js';
export * from './hex.js';
export * from './governance_idl.js';
export * from './registry_idl.js';
export * from './proposal.js';
export * from './build.js';
export * from './list.js';
export * from './alternative.js';

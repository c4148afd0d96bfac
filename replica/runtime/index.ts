/** Public API of the in-process canister runtime (see README.md). */
export {
  Runtime,
  IC_INSTRUCTION_LIMITS,
  type RuntimeOptions,
  type InstructionLimits,
  type CanisterInfo,
  type DataCertificateProvider
} from './runtime.js';
export { RejectCode, RuntimeError, ErrorCodes, type CallResult, type RuntimeErrorKind } from './errors.js';
export { createActor, CanisterCallError, type Caller } from './actor.js';
export { MANAGEMENT_CANISTER } from './ids.js';

/** Results and errors of the in-process runtime, shaped like the IC's. */

export enum RejectCode {
  SysFatal = 1,
  SysTransient = 2,
  DestinationInvalid = 3,
  CanisterReject = 4,
  CanisterError = 5,
  SysUnknown = 6
}

export type CallResult =
  | { kind: 'replied'; reply: Uint8Array; instructions: bigint }
  | { kind: 'rejected'; code: RejectCode; message: string; errorCode: string; instructions: bigint };

/** IC error codes used by this runtime (the `IC0nnn` strings an agent shows). */
export const ErrorCodes = {
  canisterNotFound: 'IC0301',
  methodNotFound: 'IC0302',
  canisterRejected: 'IC0406',
  canisterTrapped: 'IC0503',
  outOfInstructions: 'IC0522',
  didNotReply: 'IC0506',
  rejectedByInspect: 'IC0516',
  wasmModuleNotFound: 'IC0537',
  invalidManagementCall: 'IC0305',
  installFailed: 'IC0505'
} as const;

export type RuntimeErrorKind =
  | 'canister-not-found'
  | 'canister-exists'
  | 'invalid-wasm'
  | 'already-installed'
  | 'not-installed'
  | 'trapped'
  | 'out-of-instructions'
  | 'persistence';

/** Thrown by management operations (create, install, save/load); calls return CallResult instead. */
export class RuntimeError extends Error {
  constructor(readonly kind: RuntimeErrorKind, message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}

export function rejected(code: RejectCode, errorCode: string, message: string, instructions = 0n): CallResult {
  return { kind: 'rejected', code, errorCode, message, instructions };
}

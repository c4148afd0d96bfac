/** The state of one message execution, as the system API (ic0) sees it. */

export type EntryKind =
  | 'init'
  | 'pre_upgrade'
  | 'post_upgrade'
  | 'update'
  | 'query'
  | 'replicated_query'
  | 'inspect'
  | 'reply'
  | 'reject'
  | 'cleanup'
  | 'timer';

export interface Closure {
  fun: number;
  env: number;
}

export interface OutgoingCall {
  callee: Uint8Array;
  method: string;
  argChunks: Uint8Array[];
  cycles: bigint;
  reply: Closure;
  reject: Closure;
  cleanup: Closure | null;
  timeoutSeconds: number | null;
}

export type Response = { kind: 'reply'; data: Uint8Array } | { kind: 'reject'; message: string };

export interface ExecState {
  kind: EntryKind;
  arg: Uint8Array;
  caller: Uint8Array;
  methodName: string;
  /** The call context was already responded to by an earlier message. */
  alreadyResponded: boolean;
  response: Response | null;
  replyChunks: Uint8Array[];
  rejectCode: number;
  rejectMessage: string;
  cyclesAvailable: bigint;
  cyclesAccepted: bigint;
  cyclesRefunded: bigint;
  pending: OutgoingCall | null;
  calls: OutgoingCall[];
  accepted: boolean;
  /** Instructions counted in this message; `callContextInstructions` before it. */
  instructionsBefore: bigint;
  callContextInstructions: bigint;
  instructionLimit: bigint;
}

export function newExecState(kind: EntryKind, init: Partial<ExecState> = {}): ExecState {
  return {
    kind,
    arg: new Uint8Array(0),
    caller: new Uint8Array(0),
    methodName: '',
    alreadyResponded: false,
    response: null,
    replyChunks: [],
    rejectCode: 0,
    rejectMessage: '',
    cyclesAvailable: 0n,
    cyclesAccepted: 0n,
    cyclesRefunded: 0n,
    pending: null,
    calls: [],
    accepted: false,
    instructionsBefore: 0n,
    callContextInstructions: 0n,
    instructionLimit: 0n,
    ...init
  };
}

export function isReplicated(kind: EntryKind): boolean {
  return kind !== 'query' && kind !== 'inspect';
}

/** Thrown by ic0 functions to abort the message (a trap). */
export class Trap extends Error {
  constructor(message: string, readonly explicit = false) {
    super(message);
    this.name = 'Trap';
  }
}

/** Typed errors of proposal reading. Every error has a `kind` a caller can switch on. */

export type ProposalErrorKind =
  /** Governance has no such proposal (never existed, or deleted), or the dashboard says 404. */
  | 'not-found'
  /** The proposal exists but elects no GuestOS/HostOS version. */
  | 'not-icos'
  /** The proposal claims to be an election but its payload does not decode. */
  | 'bad-payload'
  /** The source answered something that is not a proposal of the expected shape. */
  | 'bad-response'
  /** The source could not be reached, or rejected the call. */
  | 'network'
  /** The caller gave an unusable argument (a proposal id that is not a nat64). */
  | 'bad-input';

export class ProposalError extends Error {
  readonly kind: ProposalErrorKind;
  constructor(kind: ProposalErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProposalError';
    this.kind = kind;
  }
}

export function isProposalError(e: unknown): e is ProposalError {
  return e instanceof ProposalError || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'ProposalError' && typeof (e as { kind?: unknown }).kind === 'string');
}

const NAT64_MAX = (1n << 64n) - 1n;

/** A proposal id as decimal text, checked to be a nat64. */
export function parseProposalId(id: string | number | bigint): bigint {
  let n: bigint;
  try {
    if (typeof id === 'string' && !/^\s*[0-9]+\s*$/.test(id)) throw new Error();
    if (typeof id === 'number' && !Number.isSafeInteger(id)) throw new Error();
    n = BigInt(typeof id === 'string' ? id.trim() : id);
  } catch {
    throw new ProposalError('bad-input', `proposal id must be a whole number, got ${JSON.stringify(String(id))}`);
  }
  if (n < 0n || n > NAT64_MAX) throw new ProposalError('bad-input', `proposal id ${n} is out of range (nat64)`);
  return n;
}

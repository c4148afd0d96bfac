/**
 * Provenance of a CDN `SHA256SUMS`: GitHub's signed build-provenance attestation (a Sigstore
 * bundle), verified with sigstore-js and pinned the way DFINITY's own checker pins it
 * (ci/scripts/repro-check → fetch-attested-sums.sh, `gh attestation verify`):
 *  - signed by a Fulcio certificate chaining to the trusted root, logged in the transparency log;
 *  - issued to GitHub Actions for the repository dfinity/ic, workflow release-testing.yml on an
 *    `rc--*` or `hotfix-*` branch (`--signer-workflow`), at exactly this commit (`--source-digest`);
 *  - an in-toto statement whose subject `ic/<commit>/<dir>/SHA256SUMS` carries this file's
 *    sha256 (the subject name binds the digest to this directory, so another directory's
 *    legitimately attested SHA256SUMS served here fails).
 * The CDN is not a trust anchor: whoever can write to it can replace artifacts and their
 * SHA256SUMS alike; the attestation is what ties them to DFINITY's release pipeline.
 */
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier, type TrustMaterial } from '@sigstore/verify';

export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
export const PROVENANCE_REPOSITORY = 'dfinity/ic';
export const PROVENANCE_WORKFLOW = '.github/workflows/release-testing.yml';
/** Release branches whose builds DFINITY attests with release-testing.yml. */
export const PROVENANCE_REFS = /^refs\/heads\/(rc--[^\s]+|hotfix-[^\s]+)$/;
export const DEFAULT_ATTESTATIONS_API = 'https://api.github.com';

/** Fulcio certificate extensions (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md). */
const OID = {
  buildSignerUri: '1.3.6.1.4.1.57264.1.9',
  sourceRepositoryUri: '1.3.6.1.4.1.57264.1.12',
  sourceRepositoryDigest: '1.3.6.1.4.1.57264.1.13',
  sourceRepositoryRef: '1.3.6.1.4.1.57264.1.14',
} as const;

export type ProvenanceStatus = 'verified' | 'failed' | 'skipped';

export interface ProvenanceSigner {
  /** Workflow identity from the certificate, e.g. https://github.com/dfinity/ic/.github/workflows/release-testing.yml@refs/heads/rc--2026-… */
  workflow: string;
  ref: string;
  commit: string;
}

export interface ProvenanceResult {
  status: ProvenanceStatus;
  /** The subject name that must carry the digest: `ic/<commit>/<dir>/SHA256SUMS`. */
  subject: string;
  /** sha256 of the SHA256SUMS bytes that were checked (null when skipped before download). */
  sha256: string | null;
  signer: ProvenanceSigner | null;
  /** Why it failed (kind: no-attestation | bad-bundle | signature | wrong-repository | wrong-workflow | wrong-ref | wrong-commit | wrong-subject | network | trust-root). */
  error: { kind: string; message: string } | null;
}

export function provenanceSubject(commit: string, dir: string): string {
  return `ic/${commit}/${dir}/SHA256SUMS`;
}

/** The text inside a DER UTF8String/IA5String extension value, or the raw bytes as text. */
function extText(value: Buffer | Uint8Array): string {
  const b = Buffer.from(value);
  if ((b[0] === 0x0c || b[0] === 0x16) && b.length >= 2) {
    let len = b[1]!;
    let off = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = (len << 8) | b[2 + i]!;
      off = 2 + n;
    }
    if (off + len === b.length) return b.subarray(off).toString('utf8');
  }
  return b.toString('utf8');
}

function fail(subject: string, sha256: string | null, kind: string, message: string, signer: ProvenanceSigner | null = null): ProvenanceResult {
  return { status: 'failed', subject, sha256, signer, error: { kind, message } };
}

export function trustMaterialFromJson(json: unknown): { material: TrustMaterial; ctlogs: number } {
  const root = TrustedRoot.fromJSON(json);
  return { material: toTrustMaterial(root), ctlogs: root.ctlogs.length };
}

/**
 * Verifies one bundle for one SHA256SUMS. Never throws. `trust.ctlogs` > 0 also requires a
 * certificate transparency SCT (the public-good root has CT logs; a test root may not).
 */
export function verifyProvenanceBundle(
  bundleJson: unknown,
  want: { commit: string; dir: string; sha256: string },
  trust: { material: TrustMaterial; ctlogs: number },
): ProvenanceResult {
  const subject = provenanceSubject(want.commit, want.dir);
  const sha = want.sha256.toLowerCase();
  let bundle;
  try {
    bundle = bundleFromJSON(bundleJson);
  } catch (err) {
    return fail(subject, sha, 'bad-bundle', `not a Sigstore bundle: ${(err as Error).message}`);
  }
  if (bundle.content.$case !== 'dsseEnvelope') return fail(subject, sha, 'bad-bundle', 'the bundle holds no DSSE envelope (expected an in-toto attestation)');
  let identity;
  try {
    const verifier = new Verifier(trust.material, { ctlogThreshold: trust.ctlogs > 0 ? 1 : 0, tlogThreshold: 1 });
    identity = verifier.verify(toSignedEntity(bundle)).identity;
  } catch (err) {
    return fail(subject, sha, 'signature', `the attestation does not verify against the trusted root: ${(err as Error).message}`);
  }
  const ext = (oid: string): string | null => {
    const hit = identity?.oids?.find((o) => o.oid?.id.join('.') === oid);
    return hit ? extText(hit.value) : null;
  };
  const issuer = identity?.extensions?.issuer ?? null;
  const san = identity?.subjectAlternativeName ?? '';
  const signerUri = ext(OID.buildSignerUri) ?? san;
  const repoUri = ext(OID.sourceRepositoryUri);
  const digest = ext(OID.sourceRepositoryDigest);
  const ref = ext(OID.sourceRepositoryRef) ?? '';
  const signer: ProvenanceSigner = { workflow: signerUri, ref, commit: digest ?? '' };
  if (issuer !== GITHUB_ACTIONS_ISSUER) return fail(subject, sha, 'wrong-repository', `certificate issuer is ${issuer ?? 'missing'}, not GitHub Actions (${GITHUB_ACTIONS_ISSUER})`, signer);
  const repoUrl = `https://github.com/${PROVENANCE_REPOSITORY}`;
  if (repoUri !== repoUrl) return fail(subject, sha, 'wrong-repository', `attested by repository ${repoUri ?? '(none)'}, not ${repoUrl}`, signer);
  const workflowPrefix = `${repoUrl}/${PROVENANCE_WORKFLOW}@`;
  for (const [what, uri] of [['certificate identity', san], ['build signer', signerUri]] as const) {
    if (!uri.startsWith(workflowPrefix)) return fail(subject, sha, 'wrong-workflow', `${what} is ${uri || '(none)'}, not ${PROVENANCE_WORKFLOW} of ${PROVENANCE_REPOSITORY}`, signer);
    if (!PROVENANCE_REFS.test(uri.slice(workflowPrefix.length))) {
      return fail(subject, sha, 'wrong-ref', `${what} ran on ${uri.slice(workflowPrefix.length)}, not an rc--* or hotfix-* branch`, signer);
    }
  }
  if (!PROVENANCE_REFS.test(ref)) return fail(subject, sha, 'wrong-ref', `built from ${ref || '(no ref)'}, not an rc--* or hotfix-* branch`, signer);
  if (digest !== want.commit) return fail(subject, sha, 'wrong-commit', `attested for commit ${digest ?? '(none)'}, not ${want.commit}`, signer);

  const env = bundle.content.dsseEnvelope;
  if (env.payloadType !== 'application/vnd.in-toto+json') return fail(subject, sha, 'bad-bundle', `payload type ${env.payloadType} is not an in-toto statement`, signer);
  let statement: { subject?: { name?: unknown; digest?: { sha256?: unknown } }[] };
  try {
    statement = JSON.parse(Buffer.from(env.payload).toString('utf8'));
  } catch {
    return fail(subject, sha, 'bad-bundle', 'the in-toto statement is not JSON', signer);
  }
  const subjects = Array.isArray(statement.subject) ? statement.subject : [];
  const named = subjects.filter((s) => s?.name === subject);
  if (named.length === 0) return fail(subject, sha, 'wrong-subject', `the attestation has no subject ${subject}`, signer);
  if (!named.some((s) => typeof s.digest?.sha256 === 'string' && s.digest.sha256.toLowerCase() === sha)) {
    return fail(subject, sha, 'wrong-subject', `the attestation records ${subject} with another digest than this file's ${sha}`, signer);
  }
  return { status: 'verified', subject, sha256: sha, signer, error: null };
}

/** GitHub's attestations API: the bundles attested for a digest in dfinity/ic. */
export async function fetchAttestationBundles(
  sha256: string,
  opts: { apiBase?: string; fetchImpl?: typeof fetch; timeoutMs?: number },
): Promise<{ ok: true; bundles: unknown[] } | { ok: false; kind: 'network' | 'no-attestation'; message: string }> {
  const base = (opts.apiBase ?? DEFAULT_ATTESTATIONS_API).replace(/\/+$/, '');
  const url = `${base}/repos/${PROVENANCE_REPOSITORY}/attestations/sha256:${sha256}`;
  let res: Response;
  try {
    res = await (opts.fetchImpl ?? fetch)(url, {
      headers: { accept: 'application/vnd.github+json' },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    });
  } catch (err) {
    return { ok: false, kind: 'network', message: `cannot reach ${url}: ${(err as Error).message}` };
  }
  if (res.status === 404) return { ok: false, kind: 'no-attestation', message: `${PROVENANCE_REPOSITORY} has no attestation for sha256:${sha256}` };
  if (!res.ok) return { ok: false, kind: 'network', message: `${url} answered HTTP ${res.status}` };
  let body: { attestations?: { bundle?: unknown }[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    return { ok: false, kind: 'network', message: `${url} did not answer JSON` };
  }
  const bundles = (body.attestations ?? []).map((a) => a.bundle).filter((b) => b !== undefined && b !== null);
  if (bundles.length === 0) return { ok: false, kind: 'no-attestation', message: `${PROVENANCE_REPOSITORY} has no attestation bundle for sha256:${sha256}` };
  return { ok: true, bundles };
}

/** Tries every bundle; the first that verifies wins, else the most specific failure. */
export function verifyAnyBundle(bundles: unknown[], want: { commit: string; dir: string; sha256: string }, trust: { material: TrustMaterial; ctlogs: number }): ProvenanceResult {
  let last: ProvenanceResult | null = null;
  for (const b of bundles) {
    const r = verifyProvenanceBundle(b, want, trust);
    if (r.status === 'verified') return r;
    // A signature failure says less than a policy failure of a bundle that did verify.
    if (!last || last.error?.kind === 'signature' || last.error?.kind === 'bad-bundle') last = r;
  }
  return last ?? fail(provenanceSubject(want.commit, want.dir), want.sha256, 'no-attestation', 'no attestation bundle');
}

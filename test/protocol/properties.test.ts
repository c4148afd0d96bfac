/** Property-based: random valid statements round-trip and verify; random mutations are refused. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ARTIFACTS_BY_OS,
  base64Decode,
  base64Encode,
  canonicalJson,
  computeOutcome,
  encodeStatement,
  LIMITS,
  OS_NAMES,
  pae,
  PAYLOAD_TYPE,
  PREDICATE_TYPE,
  signEnvelope,
  signerFromSecretKey,
  STATEMENT_TYPE,
  validateStatement,
  verifyEnvelope,
  type ArtifactResult,
  type Envelope,
  type ManifestEntry,
  type Statement
} from '../../protocol/index.js';

const signers = [signerFromSecretKey('ed25519', new Uint8Array(32).fill(0x11)), signerFromSecretKey('secp256k1', new Uint8Array(32).fill(0x22))];

const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const sha = hex(64);
const nat64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);
const text = (max: number, min = 1) => fc.string({ unit: 'grapheme', minLength: min, maxLength: max }).filter((s) => s.length >= min && s.length <= max && !/[\u0000-\u001f\u007f]/.test(s));
const host = fc.domain().map((d) => d.toLowerCase()).filter((d) => /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(d));
const time = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-01-01T00:00:00Z'), noInvalidDate: true });

const manifestEntry: fc.Arbitrary<ManifestEntry> = fc.letrec<{ e: ManifestEntry }>((tie) => ({
  e: fc.record(
    {
      path: text(40),
      kind: fc.constantFrom('file', 'dir', 'symlink', 'partition', 'other'),
      size: fc.nat(),
      sha256: sha,
      detail: text(16),
      children: fc.array(tie('e'), { maxLength: 2, depthIdentifier: 'manifest' }),
      truncated: fc.boolean()
    },
    { requiredKeys: ['path', 'kind', 'size', 'sha256'] }
  ) as fc.Arbitrary<ManifestEntry>
})).e;

const statementArb: fc.Arbitrary<Statement> = fc.constantFrom(...OS_NAMES).chain((os) =>
  fc.record({
    os: fc.constant(os),
    proposal: nat64,
    commit: hex(40),
    supersedes: fc.option(nat64, { nil: undefined }),
    names: fc.subarray(ARTIFACTS_BY_OS[os], { minLength: 1 }),
    arts: fc.array(
      fc.record({
        sha256: sha,
        size: fc.nat(),
        proposalSha256: fc.option(sha, { nil: null }),
        cdn: fc.uniqueArray(fc.record({ mirror: host, sha256: sha }), { maxLength: 3, selector: (c) => c.mirror }),
        manifestRoot: fc.option(sha, { nil: null }),
        manifest: fc.option(fc.array(manifestEntry, { maxLength: 3 }), { nil: null }),
        same: fc.boolean()
      }),
      { minLength: 2, maxLength: 2 }
    ),
    env: fc.record({
      os: fc.record({ name: text(20), version: text(10, 0) }),
      kernel: text(40, 0),
      wsl: fc.boolean(),
      arch: fc.constantFrom('x86_64', 'aarch64'),
      cpus: fc.integer({ min: 1, max: 512 }),
      memoryBytes: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      diskFreeBytes: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      podman: fc.option(text(20), { nil: null }),
      docker: fc.option(text(20), { nil: null }),
      rootful: fc.option(fc.boolean(), { nil: null }),
      tempDirs: fc.array(fc.record({ path: text(30), fsType: fc.constantFrom('tmpfs', 'ext4', 'xfs'), blockSize: fc.constantFrom(512, 1024, 4096), tmpfs: fc.boolean() }), { maxLength: 3 }),
      git: fc.record({ commit: hex(40), clean: fc.boolean() }),
      script: fc.option(fc.record({ path: text(40), sha256: sha }), { nil: null }),
      commandLine: fc.array(text(20, 0), { maxLength: 4 }),
      release: fc.boolean()
    }),
    tool: fc.record({ name: text(20), version: text(10) }),
    t0: time,
    dt: fc.nat({ max: 10 * 3600 * 1000 })
  }).map((r) => {
    const artifacts: ArtifactResult[] = r.names.map((name, i) => {
      const a = r.arts[i];
      // Half the time the build matches what it is compared with, so 'match' is well covered.
      const cdn = a.same ? a.cdn.map((c) => ({ ...c, sha256: a.sha256 })) : a.cdn;
      const proposalSha256 = a.same && a.proposalSha256 !== null ? a.sha256 : a.proposalSha256;
      const art: ArtifactResult = { name, sha256: a.sha256, size: a.size, proposalSha256, cdn, outcome: 'not-compared', manifestRoot: a.manifestRoot, manifest: a.manifest };
      art.outcome = computeOutcome(art);
      return art;
    });
    const s: Statement = {
      _type: STATEMENT_TYPE,
      subject: artifacts.map((a) => ({ name: a.name, digest: { sha256: a.sha256 } })),
      predicateType: PREDICATE_TYPE,
      predicate: {
        proposal: r.proposal,
        commit: r.commit,
        os: r.os,
        artifacts,
        environment: r.env,
        tool: r.tool,
        startedAt: r.t0.toISOString(),
        finishedAt: new Date(r.t0.getTime() + r.dt).toISOString()
      }
    };
    if (r.supersedes !== undefined) s.predicate.supersedes = r.supersedes;
    return s;
  })
);

const signerArb = fc.constantFrom(...signers);

describe('properties', () => {
  it('every valid statement round-trips: validate, sign, parse, verify, same statement back', () => {
    fc.assert(fc.property(statementArb, signerArb, (st, signer) => {
      const v = validateStatement(st);
      assert.ok(v.ok, v.ok ? '' : v.error.message);
      const env = signEnvelope(st, signer);
      const r = verifyEnvelope(JSON.parse(JSON.stringify(env)), signer.publicKeyDer, { expectedProposal: st.predicate.proposal });
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      assert.deepEqual(r.value.statement, JSON.parse(JSON.stringify(st)));
      assert.ok(canonicalJson(env).length <= LIMITS.envelopeBytes);
    }), { numRuns: 80 });
  });

  it('flipping any payload byte is refused as a bad signature', () => {
    fc.assert(fc.property(statementArb, signerArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (st, signer, at, mask) => {
      const env = signEnvelope(st, signer);
      const p = base64Decode(env.payload) as Uint8Array;
      p[at % p.length] ^= mask;
      const r = verifyEnvelope({ ...env, payload: base64Encode(p) }, signer.publicKeyDer);
      assert.ok(!r.ok);
      assert.equal(r.error.kind, 'bad-signature');
    }), { numRuns: 60 });
  });

  it('flipping any signature byte is refused as a bad signature', () => {
    fc.assert(fc.property(statementArb, signerArb, fc.nat(63), fc.integer({ min: 1, max: 255 }), (st, signer, at, mask) => {
      const env = signEnvelope(st, signer);
      const s = base64Decode(env.signatures[0].sig) as Uint8Array;
      s[at] ^= mask;
      const r = verifyEnvelope({ ...env, signatures: [{ ...env.signatures[0], sig: base64Encode(s) }] }, signer.publicKeyDer);
      assert.ok(!r.ok);
      assert.equal(r.error.kind, 'bad-signature');
    }), { numRuns: 60 });
  });

  /** The URL-safe alphabet is accepted (protocol/README.md): '-' and '_' spell the values of '+' and '/'. */
  const TWIN: Record<string, string> = { '+': '-', '-': '+', '/': '_', _: '/' };

  it('changing any base64 character of the envelope is refused (its URL-safe twin spells the same bytes)', () => {
    fc.assert(fc.property(statementArb, signerArb, fc.boolean(), fc.nat(), fc.constantFrom(...'AQgw+/=-_.'), (st, signer, inSig, at, ch) => {
      const env = signEnvelope(st, signer);
      const field = inSig ? env.signatures[0].sig : env.payload;
      const i = at % field.length;
      fc.pre(field[i] !== ch && TWIN[field[i]] !== ch);
      const changed = field.slice(0, i) + ch + field.slice(i + 1);
      const e: Envelope = inSig ? { ...env, signatures: [{ ...env.signatures[0], sig: changed }] } : { ...env, payload: changed };
      const r = verifyEnvelope(e, signer.publicKeyDer);
      assert.ok(!r.ok);
      assert.ok(['bad-base64', 'bad-signature'].includes(r.error.kind), r.error.kind);
    }), { numRuns: 80 });
  });

  it('an alphabet twin is the same envelope: it verifies, with the same digest', () => {
    fc.assert(fc.property(statementArb, signerArb, fc.boolean(), (st, signer, inSig) => {
      const env = signEnvelope(st, signer);
      const field = inSig ? env.signatures[0].sig : env.payload;
      fc.pre(/[+/]/.test(field));
      const twin = field.replace(/[+/]/g, (c) => TWIN[c]!);
      const e: Envelope = inSig ? { ...env, signatures: [{ ...env.signatures[0], sig: twin }] } : { ...env, payload: twin };
      const a = verifyEnvelope(env, signer.publicKeyDer);
      const b = verifyEnvelope(e, signer.publicKeyDer);
      assert.ok(a.ok && b.ok, b.ok ? '' : b.error.message);
      assert.equal(b.value.digest, a.value.digest);
    }), { numRuns: 40 });
  });

  /** Field changes: valid or not, a change under an old signature never verifies. */
  const fieldChange = fc.constantFrom<(s: Statement) => void>(
    (s) => { s.predicate.proposal = String(BigInt(s.predicate.proposal) ^ 1n); },
    (s) => { s.predicate.commit = s.predicate.commit.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')); },
    (s) => { s.predicate.artifacts[0].size += 1; },
    (s) => { s.predicate.environment.wsl = !s.predicate.environment.wsl; },
    (s) => { s.predicate.finishedAt = s.predicate.startedAt; s.predicate.startedAt = '2036-01-01T00:00:00Z'; },
    (s) => { s.predicate.artifacts[0].outcome = s.predicate.artifacts[0].outcome === 'match' ? 'mismatch' : 'match'; },
    (s) => { s.subject[0].digest.sha256 = s.subject[0].digest.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0')); },
    (s) => { (s.predicate as unknown as Record<string, unknown>).extra = true; }
  );

  it('a changed statement under the old signature is refused as a bad signature', () => {
    fc.assert(fc.property(statementArb, signerArb, fieldChange, (st, signer, change) => {
      const env = signEnvelope(st, signer);
      const changed = JSON.parse(JSON.stringify(st)) as Statement;
      change(changed);
      const r = verifyEnvelope({ ...env, payload: base64Encode(new TextEncoder().encode(canonicalJson(changed))) }, signer.publicKeyDer);
      assert.ok(!r.ok);
      assert.equal(r.error.kind, 'bad-signature');
    }), { numRuns: 60 });
  });

  it('an invalid statement, honestly signed over PAE, is refused as an invalid statement', () => {
    const breaks = fc.constantFrom<(s: Statement) => void>(
      (s) => { s.predicate.artifacts[0].outcome = s.predicate.artifacts[0].outcome === 'match' ? 'mismatch' : 'match'; },
      (s) => { s.subject[0].digest.sha256 = s.subject[0].digest.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0')); },
      (s) => { (s.predicate as unknown as Record<string, unknown>).extra = true; },
      (s) => { s.predicate.finishedAt = s.predicate.startedAt; s.predicate.startedAt = '2036-01-01T00:00:00Z'; },
      (s) => { (s.predicate as { os: string }).os = 'windows'; },
      (s) => { s.predicate.commit = s.predicate.commit.toUpperCase() + 'X'; }
    );
    fc.assert(fc.property(statementArb, signerArb, breaks, (st, signer, brk) => {
      const bad = JSON.parse(JSON.stringify(st)) as Statement;
      brk(bad);
      const payload = encodeStatement(bad);
      const env: Envelope = { payloadType: PAYLOAD_TYPE, payload: base64Encode(payload), signatures: [{ keyid: signer.principal, sig: base64Encode(signer.sign(pae(PAYLOAD_TYPE, payload))) }] };
      const r = verifyEnvelope(env, signer.publicKeyDer);
      assert.ok(!r.ok);
      assert.equal(r.error.kind, 'invalid-statement');
    }), { numRuns: 60 });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ARTIFACTS_BY_OS, computeOutcome, LIMITS, OS_NAMES, validateStatement, type Statement } from '../../protocol/index.js';
import { artifact, H, statement } from './fixtures.js';

type Mutable = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Applies `mutate` to a fresh valid statement and expects rejection at `field`. */
function rejects(field: string, mutate: (s: Mutable) => void, base: () => Statement = () => statement()): void {
  const s = JSON.parse(JSON.stringify(base())) as Mutable;
  mutate(s);
  const r = validateStatement(s);
  assert.ok(!r.ok, `expected rejection at ${field}`);
  assert.equal(r.error.kind, 'invalid-statement');
  assert.equal(r.error.field, field, r.error.message);
  assert.ok(r.error.message.startsWith(field + ': '), r.error.message);
}

describe('validateStatement', () => {
  it('accepts every OS with each of its known artifact names', () => {
    for (const os of OS_NAMES) {
      for (const name of ARTIFACTS_BY_OS[os]) {
        const st = statement({ os, artifacts: [artifact(name, H('3'), null, [H('3')])] });
        const r = validateStatement(st);
        assert.ok(r.ok, r.ok ? '' : r.error.message);
      }
    }
  });

  it('accepts optional fields and nullable ones as null', () => {
    const st = statement({ supersedes: '17' }) as Mutable;
    Object.assign(st.predicate.environment, { podman: null, docker: '24.0.7', rootful: null, script: null, tempDirs: [], commandLine: [] });
    st.predicate.artifacts[0].manifestRoot = H('d');
    // Names measured inside an artifact may hold control characters; they are data, not prose.
    st.predicate.artifacts[0].manifest = [{ path: 'root.img', kind: 'file', size: 1, sha256: H('e'), detail: 'mode=0644 owner=0:0 mtime=0', children: [{ path: 'odd\nname\u0001', kind: 'partition', size: 1, sha256: H('f'), detail: '', truncated: true }] }];
    const r = validateStatement(st);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
  });

  it('accepts a mirror with a port (a local or private mirror)', () => {
    const st = statement() as Mutable;
    st.predicate.artifacts[0].cdn[0].mirror = '127.0.0.1:8080';
    const r = validateStatement(st);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
  });

  it('rejects statement-level problems', () => {
    rejects('statement._type', (s) => { s._type = 'https://in-toto.io/Statement/v0.1'; });
    rejects('statement.predicateType', (s) => { s.predicateType = 'https://slsa.dev/provenance/v1'; });
    rejects('statement.extra', (s) => { s.extra = 1; });
    rejects('statement.subject', (s) => { s.subject = []; });
    rejects('statement.subject[0].name', (s) => { s.subject[0].name = 'guestos/update-img.tar.gz'; });
    rejects('statement.subject[0].digest.sha256', (s) => { s.subject[0].digest.sha256 = H('9'); });
    rejects('statement.subject[0].digest.sha512', (s) => { s.subject[0].digest.sha512 = H('9'); });
    rejects('statement', () => undefined, () => [] as unknown as Statement);
  });

  it('rejects unknown and missing predicate fields', () => {
    rejects('predicate.note', (s) => { s.predicate.note = 'hi'; });
    rejects('predicate.commit', (s) => { delete s.predicate.commit; });
    rejects('predicate.environment.gpu', (s) => { s.predicate.environment.gpu = 'none'; });
    rejects('predicate.artifacts[0].extra', (s) => { s.predicate.artifacts[0].extra = true; });
  });

  it('checks proposal, commit, OS and times', () => {
    rejects('predicate.proposal', (s) => { s.predicate.proposal = 134567; });
    rejects('predicate.proposal', (s) => { s.predicate.proposal = '0134567'; });
    rejects('predicate.proposal', (s) => { s.predicate.proposal = '18446744073709551616'; });
    rejects('predicate.supersedes', (s) => { s.predicate.supersedes = '-1'; });
    rejects('predicate.commit', (s) => { s.predicate.commit = 'A'.repeat(40); });
    rejects('predicate.commit', (s) => { s.predicate.commit = 'a'.repeat(39); });
    rejects('predicate.os', (s) => { s.predicate.os = 'GuestOS'; });
    rejects('predicate.startedAt', (s) => { s.predicate.startedAt = '2026-03-01 10:00:00Z'; });
    rejects('predicate.startedAt', (s) => { s.predicate.startedAt = '2026-02-29T10:00:00Z'; });
    rejects('predicate.finishedAt', (s) => { s.predicate.finishedAt = '2026-03-01T10:00:00+01:00'; });
    rejects('predicate.finishedAt', (s) => { s.predicate.finishedAt = '2026-03-01T09:59:59.999999999Z'; });
    rejects('predicate.tool.name', (s) => { s.predicate.tool.name = ''; });
    rejects('predicate.tool.version', (s) => { s.predicate.tool.version = 'x'.repeat(LIMITS.shortString + 1); });
  });

  it('checks artifacts: names per OS, hashes, sizes, outcome consistency, counts', () => {
    rejects('predicate.artifacts[0].name', (s) => { s.predicate.artifacts[0].name = 'hostos/update-img.tar.zst'; s.subject[0].name = 'hostos/update-img.tar.zst'; });
    rejects('predicate.artifacts[0].sha256', (s) => { s.predicate.artifacts[0].sha256 = H('A'); s.subject[0].digest.sha256 = H('A'); });
    rejects('predicate.artifacts[0].size', (s) => { s.predicate.artifacts[0].size = -1; });
    rejects('predicate.artifacts[0].size', (s) => { s.predicate.artifacts[0].size = 1.5; });
    rejects('predicate.artifacts[0].proposalSha256', (s) => { s.predicate.artifacts[0].proposalSha256 = 'abc'; });
    rejects('predicate.artifacts[0].outcome', (s) => { s.predicate.artifacts[0].proposalSha256 = H('7'); });
    rejects('predicate.artifacts[0].outcome', (s) => { s.predicate.artifacts[0].outcome = 'match'; s.predicate.artifacts[0].cdn = []; s.predicate.artifacts[0].proposalSha256 = null; });
    rejects('predicate.artifacts[0].cdn[1].mirror', (s) => { s.predicate.artifacts[0].cdn[1].mirror = 'download.dfinity.systems'; });
    rejects('predicate.artifacts[0].cdn[0].mirror', (s) => { s.predicate.artifacts[0].cdn[0].mirror = 'https://download.dfinity.systems/'; });
    rejects('predicate.artifacts[0].cdn[0].mirror', (s) => { s.predicate.artifacts[0].cdn[0].mirror = 'mirror.local:0'; });
    rejects('predicate.artifacts[0].cdn[0].mirror', (s) => { s.predicate.artifacts[0].cdn[0].mirror = 'mirror.local:'; });
    rejects('predicate.artifacts[1].name', (s) => { s.predicate.artifacts.push(s.predicate.artifacts[0]); s.subject.push(s.subject[0]); });
    rejects('predicate.artifacts', (s) => { s.predicate.artifacts = []; s.subject = []; });
    rejects('predicate.artifacts[0].manifestRoot', (s) => { s.predicate.artifacts[0].manifestRoot = ''; });
  });

  it('bounds the manifest: kinds, entries, depth', () => {
    const entry = { path: 'a', kind: 'file', size: 0, sha256: H('1') };
    rejects('predicate.artifacts[0].manifest[0].kind', (s) => { s.predicate.artifacts[0].manifest = [{ ...entry, kind: 'block' }]; });
    rejects('predicate.artifacts[0].manifest[0].path', (s) => { s.predicate.artifacts[0].manifest = [{ ...entry, path: 'a\uDC00' }]; });
    rejects('predicate.artifacts[0].manifest[0].detail', (s) => { s.predicate.artifacts[0].manifest = [{ ...entry, detail: 'x'.repeat(LIMITS.manifestDetail + 1) }]; });
    rejects('predicate.artifacts[0].manifest[0].extra', (s) => { s.predicate.artifacts[0].manifest = [{ ...entry, extra: 1 }]; });
    // The parent counts too, so the last child is entry number limit + 1.
    rejects(`predicate.artifacts[0].manifest[0].children[${LIMITS.manifestEntries - 1}]`, (s) => {
      s.predicate.artifacts[0].manifest = [{ ...entry, children: Array.from({ length: LIMITS.manifestEntries }, () => entry) }];
    });
    let deep: Mutable = { ...entry };
    for (let i = 0; i < LIMITS.manifestDepth; i++) deep = { ...entry, children: [deep] };
    const path = 'predicate.artifacts[0].manifest' + '[0].children'.repeat(LIMITS.manifestDepth);
    rejects(path, (s) => { s.predicate.artifacts[0].manifest = [deep]; });
  });

  it('checks the environment record', () => {
    rejects('predicate.environment.wsl', (s) => { s.predicate.environment.wsl = 'no'; });
    rejects('predicate.environment.cpus', (s) => { s.predicate.environment.cpus = 0; });
    rejects('predicate.environment.memoryBytes', (s) => { s.predicate.environment.memoryBytes = 2 ** 60; });
    rejects('predicate.environment.tempDirs[0].tmpfs', (s) => { delete s.predicate.environment.tempDirs[0].tmpfs; });
    rejects('predicate.environment.git.commit', (s) => { s.predicate.environment.git.commit = 'dirty'; });
    rejects('predicate.environment.script.sha256', (s) => { s.predicate.environment.script.sha256 = H('Z'); });
    rejects('predicate.environment.commandLine[1]', (s) => { s.predicate.environment.commandLine[1] = 'a\nb'; });
    rejects('predicate.environment.commandLine', (s) => { s.predicate.environment.commandLine = Array(LIMITS.commandLineArgs + 1).fill('x'); });
    rejects('predicate.environment.kernel', (s) => { s.predicate.environment.kernel = '6.8\uD800'; });
  });

  it('computeOutcome: match, mismatch, not-compared', () => {
    assert.equal(computeOutcome({ sha256: H('1'), proposalSha256: H('1'), cdn: [{ mirror: 'a', sha256: H('1') }] }), 'match');
    assert.equal(computeOutcome({ sha256: H('1'), proposalSha256: null, cdn: [{ mirror: 'a', sha256: H('1') }] }), 'match');
    assert.equal(computeOutcome({ sha256: H('1'), proposalSha256: H('1'), cdn: [{ mirror: 'a', sha256: H('2') }] }), 'mismatch');
    assert.equal(computeOutcome({ sha256: H('1'), proposalSha256: H('2'), cdn: [] }), 'mismatch');
    assert.equal(computeOutcome({ sha256: H('1'), proposalSha256: null, cdn: [] }), 'not-compared');
  });
});

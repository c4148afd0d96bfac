import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { checkProposal } from '../../attestor/icos/cdn/check.js';
import type { ElectionProposalLike } from '../../attestor/icos/cdn/proposal-shape.js';
import type { CheckReport, FindingKind } from '../../attestor/icos/cdn/report.js';
import type { ElectionProposal } from '../../protocol/nns/types.js';
import { bytes, publish, sha256hex, startCdn, type CdnServer } from '../../demo/cdn-server.js';

// Compile-time: the real proposal type (protocol/nns) is accepted by checkProposal as-is.
export const acceptsRealProposal: (p: ElectionProposal) => ElectionProposalLike = (p) => p;

const COMMIT = 'a'.repeat(40);
const GUEST_DIR = `/ic/${COMMIT}/guest-os/update-img`;
const HOST_DIR = `/ic/${COMMIT}/host-os/update-img`;
const SETUP_DIR = `/ic/${COMMIT}/setup-os/disk-img`;
const GUEST = bytes(1, 200_000);
const GUEST_TEST = bytes(2, 1000);
const MEASUREMENT = Array.from(bytes(9, 48));
const MEASUREMENT_HEX = Buffer.from(MEASUREMENT).toString('hex');

interface Setup {
  a: CdnServer;
  b: CdnServer;
  cacheDir: string;
  mirrors: string[];
}

let open: CdnServer[] = [];
let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  open = [];
  dirs = [];
});

/** Two mirrors publishing the same good GuestOS release; A with `<hex> <name>`, B with `<hex> *<name>`. */
async function twoMirrors(): Promise<Setup> {
  const base = mkdtempSync(join(tmpdir(), 'icos-check-'));
  dirs.push(base);
  const a = await startCdn(join(base, 'a'));
  const b = await startCdn(join(base, 'b'));
  open.push(a, b);
  for (const [s, star] of [
    [a, ''],
    [b, '*'],
  ] as const) {
    publish(s.root, `${GUEST_DIR}/update-img.tar.zst`, GUEST);
    publish(s.root, `${GUEST_DIR}/update-img-test.tar.zst`, GUEST_TEST);
    publish(
      s.root,
      `${GUEST_DIR}/SHA256SUMS`,
      `${sha256hex(GUEST)} ${star}update-img.tar.zst\n${sha256hex(GUEST_TEST)} ${star}update-img-test.tar.zst\n`,
    );
    publish(
      s.root,
      `${GUEST_DIR}/launch-measurements.json`,
      JSON.stringify({ guest_launch_measurements: [{ measurement: MEASUREMENT, metadata: { kernel_cmdline: 'x' } }] }),
    );
  }
  return { a, b, cacheDir: join(base, 'cache'), mirrors: [a.url, b.url] };
}

function guestProposal(s: Setup, over: Partial<ElectionProposalLike> = {}): ElectionProposalLike {
  return {
    id: '135000',
    elects: 'guestos',
    commit: COMMIT,
    sha256: sha256hex(GUEST),
    urls: [`${s.a.url}${GUEST_DIR}/update-img.tar.zst`, `${s.b.url}${GUEST_DIR}/update-img.tar.zst`],
    launchMeasurements: [MEASUREMENT_HEX.toUpperCase()],
    ...over,
  };
}

async function check(s: Setup, p: ElectionProposalLike): Promise<CheckReport> {
  const r = await checkProposal(p, { cacheDir: s.cacheDir, mirrors: s.mirrors, attempts: 2, provenance: { skip: true } });
  assert.ok(r.ok, JSON.stringify(r));
  // The report is plain JSON: what `check --json` prints must round-trip.
  assert.deepEqual(JSON.parse(JSON.stringify(r.report)), r.report);
  return r.report;
}

const kinds = (r: CheckReport): FindingKind[] => r.findings.map((f) => f.kind).sort();

describe('checkProposal', () => {
  test('a good release: proposal = both mirrors = every URL = SHA256SUMS (both formats), measurements equal', async () => {
    const s = await twoMirrors();
    const r = await check(s, guestProposal(s));
    assert.deepEqual(r.findings, []);
    assert.equal(r.ok, true);
    const g = r.artifacts[0]!;
    assert.equal(g.name, 'guestos/update-img.tar.zst');
    assert.equal(g.cdnSha256, sha256hex(GUEST));
    assert.deepEqual(
      g.mirrors.map((m) => m.sums.sha256),
      [sha256hex(GUEST), sha256hex(GUEST)],
    );
    assert.match(g.mirrors[1]!.sums.line!, /\*update-img\.tar\.zst$/);
    assert.deepEqual(g.launchMeasurements!.proposal, [MEASUREMENT_HEX]);
    assert.deepEqual(g.launchMeasurements!.mirrors.map((m) => m.measurements), [[MEASUREMENT_HEX], [MEASUREMENT_HEX]]);
  });

  test('proposal hash ≠ CDN', async () => {
    const s = await twoMirrors();
    const r = await check(s, guestProposal(s, { sha256: sha256hex('something else') }));
    assert.equal(r.ok, false);
    const k = kinds(r);
    assert.equal(k.filter((x) => x === 'proposal-cdn-mismatch').length, 2, JSON.stringify(k));
    assert.ok(!k.includes('mirrors-disagree'));
    assert.ok(!k.includes('sums-mismatch'));
  });

  test('the two mirrors disagree', async () => {
    const s = await twoMirrors();
    const other = bytes(5, 200_000);
    publish(s.b.root, `${GUEST_DIR}/update-img.tar.zst`, other);
    publish(s.b.root, `${GUEST_DIR}/SHA256SUMS`, `${sha256hex(other)} update-img.tar.zst\n`);
    const r = await check(s, guestProposal(s, { urls: [`${s.a.url}${GUEST_DIR}/update-img.tar.zst`] }));
    assert.deepEqual(kinds(r), ['mirrors-disagree', 'mirrors-disagree', 'proposal-cdn-mismatch']);
    assert.equal(r.findings.find((f) => f.kind === 'proposal-cdn-mismatch')!.mirror, new URL(s.b.url).host);
    assert.equal(r.artifacts[0]!.cdnSha256, null);
  });

  test('a URL in the proposal that serves different bytes', async () => {
    const s = await twoMirrors();
    publish(s.a.root, '/elsewhere/update-img.tar.zst', bytes(6, 1234));
    const p = guestProposal(s);
    p.urls = [...p.urls, `${s.a.url}/elsewhere/update-img.tar.zst`];
    const r = await check(s, p);
    assert.deepEqual(kinds(r), ['url-hash-mismatch']);
    assert.equal(r.findings[0]!.url, `${s.a.url}/elsewhere/update-img.tar.zst`);
    assert.equal(r.findings[0]!.actual, sha256hex(bytes(6, 1234)));
  });

  test('a SHA256SUMS line missing', async () => {
    const s = await twoMirrors();
    // Only the -test image is listed: a suffix/prefix match must not count.
    publish(s.b.root, `${GUEST_DIR}/SHA256SUMS`, `${sha256hex(GUEST_TEST)} update-img-test.tar.zst\n`);
    const r = await check(s, guestProposal(s));
    assert.deepEqual(kinds(r), ['sums-line-missing']);
    assert.equal(r.findings[0]!.mirror, new URL(s.b.url).host);
  });

  test('a SHA256SUMS line that contradicts the file', async () => {
    const s = await twoMirrors();
    publish(s.a.root, `${GUEST_DIR}/SHA256SUMS`, `${'b'.repeat(64)}  update-img.tar.zst\n`);
    const r = await check(s, guestProposal(s));
    assert.ok(kinds(r).includes('sums-mismatch'), JSON.stringify(kinds(r)));
  });

  test('a truncated download (the server closes early)', async () => {
    const s = await twoMirrors();
    s.b.behaviour.truncate.add(`${GUEST_DIR}/update-img.tar.zst`);
    s.b.behaviour.truncateAfter = 50_000;
    const r = await check(s, guestProposal(s));
    assert.ok(kinds(r).includes('truncated-download'), JSON.stringify(kinds(r)));
    assert.equal(r.ok, false);
    const m = r.artifacts[0]!.mirrors.find((x) => x.mirror === new URL(s.b.url).host)!;
    assert.equal(m.sha256, null);
    assert.equal(m.error?.kind, 'truncated-download');
  });

  test('launch measurements: proposal hex vs published byte arrays', async () => {
    const s = await twoMirrors();
    const wrong = [...MEASUREMENT];
    wrong[0] = (wrong[0]! + 1) % 256;
    publish(
      s.a.root,
      `${GUEST_DIR}/launch-measurements.json`,
      JSON.stringify({ guest_launch_measurements: [{ measurement: wrong }] }),
    );
    const r = await check(s, guestProposal(s));
    assert.ok(kinds(r).includes('measurements-mismatch'));
    assert.equal(r.findings.find((f) => f.kind === 'measurements-mismatch')!.mirror, new URL(s.a.url).host);
  });

  test('a download that fails (404) is a finding, not a crash', async () => {
    const s = await twoMirrors();
    const p = guestProposal(s);
    p.urls = [...p.urls, `${s.a.url}/missing/update-img.tar.zst`];
    const r = await check(s, p);
    assert.deepEqual(kinds(r), ['download-failed']);
  });

  test('HostOS election: SetupOS is checked against the CDN only; 2022-style *name sums', async () => {
    const s = await twoMirrors();
    const host = bytes(11, 3000);
    const setup = bytes(12, 4000);
    for (const m of [s.a, s.b]) {
      publish(m.root, `${HOST_DIR}/update-img.tar.zst`, host);
      publish(m.root, `${HOST_DIR}/SHA256SUMS`, `${sha256hex(host)} *update-img.tar.zst\n`);
      publish(m.root, `${SETUP_DIR}/disk-img.tar.zst`, setup);
      publish(m.root, `${SETUP_DIR}/SHA256SUMS`, `${sha256hex(setup)} disk-img.tar.zst\n`);
    }
    const r = await check(s, {
      id: '1',
      elects: 'hostos',
      commit: COMMIT,
      sha256: sha256hex(host),
      urls: [`${s.a.url}${HOST_DIR}/update-img.tar.zst`],
      launchMeasurements: [],
    });
    assert.deepEqual(r.findings, []);
    assert.deepEqual(
      r.artifacts.map((a) => [a.name, a.elected, a.proposalSha256, a.cdnSha256]),
      [
        ['hostos/update-img.tar.zst', true, sha256hex(host), sha256hex(host)],
        ['setupos/disk-img.tar.zst', false, null, sha256hex(setup)],
      ],
    );
  });

  test('a 2022 release publishes update-img.tar.gz; the name comes from what is published', async () => {
    const s = await twoMirrors();
    const old = bytes(13, 2000);
    for (const m of [s.a, s.b]) {
      publish(m.root, `${GUEST_DIR}/update-img.tar.gz`, old);
      publish(m.root, `${GUEST_DIR}/SHA256SUMS`, `${sha256hex(old)} *update-img.tar.gz\n`);
    }
    const r = await check(s, guestProposal(s, { sha256: sha256hex(old), urls: [], launchMeasurements: [] }));
    assert.equal(r.artifacts[0]!.name, 'guestos/update-img.tar.gz');
    assert.deepEqual(r.findings, []);
  });

  test('bad input is an error value', async () => {
    const s = await twoMirrors();
    const notIcos = await checkProposal(guestProposal(s, { elects: 'not-icos' }), { cacheDir: s.cacheDir, mirrors: s.mirrors, provenance: { skip: true } });
    assert.equal(!notIcos.ok && notIcos.error.kind, 'not-icos');
    const badCommit = await checkProposal(guestProposal(s, { commit: 'abc' }), { cacheDir: s.cacheDir, mirrors: s.mirrors, provenance: { skip: true } });
    assert.equal(!badCommit.ok && badCommit.error.kind, 'bad-commit');
    const noHash = await checkProposal(guestProposal(s, { sha256: null }), { cacheDir: s.cacheDir, mirrors: s.mirrors, provenance: { skip: true } });
    assert.equal(!noHash.ok && noHash.error.kind, 'proposal-incomplete');
  });
});

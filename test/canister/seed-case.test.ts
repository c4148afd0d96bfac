/**
 * The seed case (issue 15): six reviewers attest one proposal. GuestOS matches for all; HostOS and
 * SetupOS diverge: dave ran an outdated build script, erin turned the tmpfs off on a 16 GiB WSL
 * machine (through ~/.container-run.conf), frank edited the container script. Their result files
 * go through the attestor's own attest core (v2 statements, home paths normalised away), real
 * signatures, the compiled canister Wasm, and the CLI's report rendering.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { normalizeResult, statementFor } from '../../attestor/attest/statements.js';
import { renderReport, reportToJson } from '../../attestor/client/report.js';
import { signEnvelope } from '../../protocol/envelope.js';
import { findPrivatePath } from '../../protocol/environment.js';
import { toCandidEnvelope, type ProposalReport } from '../../protocol/service.js';
import type { OsName } from '../../protocol/types.js';
import { sampleEnvironmentV2 } from '../fixtures/environment.js';
import { hash, profile, reviewer } from './fixtures.js';
import { deploy, type Deployed } from './harness.js';
import { ok } from './util.js';

const P = 142_000n;
const COMMIT = 'a'.repeat(40);
const GiB = 2 ** 30;
const NAMES: Record<OsName, string> = { guestos: 'guestos/update-img.tar.zst', hostos: 'hostos/update-img.tar.zst', setupos: 'setupos/disk-img.tar.zst', recovery: 'recovery/update-img.tar.zst' };
const GOOD: Record<string, string> = { guestos: hash('guestos good'), hostos: hash('hostos good'), setupos: hash('setupos good') };

const base = sampleEnvironmentV2(COMMIT);
/** Each reviewer's facts, as their build recorded them (with their own home paths in the command line). */
const people: { name: string; env: ReturnType<typeof sampleEnvironmentV2>; diverge: OsName[] }[] = [
  { name: 'alice', env: sampleEnvironmentV2(COMMIT, { commandLine: ['/home/alice/ic/ci/container/build-ic.sh', '--icos'] }), diverge: [] },
  { name: 'bob', env: sampleEnvironmentV2(COMMIT, { memoryBytes: 128 * GiB, kernel: '6.5.0-1-generic' }), diverge: [] },
  { name: 'carol', env: sampleEnvironmentV2(COMMIT, { cpus: 8, os: { name: 'Debian GNU/Linux', version: '12' } }), diverge: [] },
  { name: 'dave', env: sampleEnvironmentV2(COMMIT, { files: [base.files[0], { path: 'ci/container/build-ic.sh', sha256: 'e'.repeat(64), atCommit: false }] }), diverge: ['setupos'] },
  {
    name: 'erin',
    env: sampleEnvironmentV2(COMMIT, {
      wsl: true,
      memoryBytes: Math.round(15.6 * GiB),
      kernel: '5.15.153.1-microsoft-standard-WSL2',
      container: { ...base.container!, userConfig: true },
      dirs: [{ role: 'container:/var/sysimage', fsType: 'overlay', blockSize: 4096, tmpfs: false }, ...base.dirs.slice(1)],
    }),
    diverge: ['hostos', 'setupos'],
  },
  { name: 'frank', env: sampleEnvironmentV2(COMMIT, { files: [{ path: 'ci/container/container-run.sh', sha256: 'f'.repeat(64), atCommit: false }, base.files[1]] }), diverge: ['hostos'] },
];

function resultFile(p: (typeof people)[number]) {
  return {
    proposal: P.toString(),
    commit: COMMIT,
    environment: p.env,
    startedAt: '2026-11-25T10:00:00Z',
    finishedAt: '2026-11-25T11:00:00Z',
    artifacts: (['guestos', 'hostos', 'setupos'] as OsName[]).map((os) => {
      const sha256 = p.diverge.includes(os) ? hash(`${os} by ${p.name}`) : GOOD[os];
      return { name: NAMES[os], sha256, size: 1000, proposalSha256: os === 'setupos' ? null : GOOD[os], cdn: [{ mirror: 'download.dfinity.systems', sha256: GOOD[os] }] };
    }),
  };
}

describe('the seed case: five reviewers, an outdated script, tmpfs off on WSL, plus an edited container script', () => {
  let d: Deployed;
  let report: ProposalReport;
  const reviewers = people.map((p) => ({ ...p, r: reviewer(p.name, 'ed25519') }));

  before(async () => {
    d = await deploy();
    for (const { r } of reviewers) {
      ok(await d.as(r).register_reviewer(profile(r)));
      ok(await d.controller.endorse_reviewer(r.principal, true));
    }
    for (const p of reviewers) {
      const input = normalizeResult(resultFile(p));
      for (const os of input.oses) ok(await d.as(p.r).submit_attestation(toCandidEnvelope(signEnvelope(statementFor(input, os), p.r.signer))));
    }
    const [r] = await d.anonymous.proposal_report(P);
    assert.ok(r);
    report = r;
  });

  const artifact = (os: OsName) => report.oses.find((o) => o.os === os)!.artifacts[0];
  const causesOf = (os: OsName) => artifact(os).hints.flatMap((h) => h.causes.map((c) => ({ ...c, reviewers: [...c.reviewers].sort() })));

  it('GuestOS reproduced; HostOS and SetupOS diverged', () => {
    assert.deepEqual(report.oses.map((o) => [o.os, o.verdict]), [['guestos', 'reproduced'], ['hostos', 'diverged'], ['setupos', 'diverged']]);
    assert.deepEqual(artifact('guestos').hints, []);
  });

  it('HostOS: erin is told tmpfs off (with the WSL memory fix), frank his edited container script; nothing else', () => {
    const causes = causesOf('hostos');
    assert.deepEqual(causes.map((c) => [c.reviewers, c.cause, c.basis]).sort(), [[['erin'], 'tmpfs-off', 'fact'], [['frank'], 'script-not-at-commit', 'fact']]);
    const erin = causes.find((c) => c.cause === 'tmpfs-off')!;
    assert.match(erin.evidence.join(' '), /`\/var\/sysimage` was overlay, not tmpfs, inside the build container/);
    assert.match(erin.evidence.join(' '), /~\/\.container-run\.conf was sourced/);
    assert.match(erin.fix, /keep the tmpfs .* at `\/var\/sysimage`.*on WSL give the VM ≥ 24 GiB/);
    const frank = causes.find((c) => c.cause === 'script-not-at-commit')!;
    assert.deepEqual(frank.evidence, ['`ci/container/container-run.sh` differs from the file at the commit']);
    assert.match(frank.fix, /use the file at the commit: `ci\/container\/container-run\.sh`/);
  });

  it('SetupOS: dave is told to use the build script at the commit, erin tmpfs off; no false lead', () => {
    const causes = causesOf('setupos');
    assert.deepEqual(causes.map((c) => [c.reviewers, c.cause]).sort(), [[['dave'], 'script-not-at-commit'], [['erin'], 'tmpfs-off']]);
    assert.match(causes.find((c) => c.cause === 'script-not-at-commit')!.fix, /use the file at the commit: `ci\/container\/build-ic\.sh`/);
    // Host facts nobody's cause involves (RAM, kernel, OS, CPUs) are no factor; nor is the shared repo dir.
    for (const h of artifact('setupos').hints) {
      for (const f of h.factors) assert.doesNotMatch(f.field, /^(memoryBytes|kernel|os|cpus|diskFreeBytes|dirs\[repo\])/, f.field);
    }
  });

  it('the stored attestations carry no home path, and the CLI report names people and fixes', async () => {
    const list = await d.anonymous.list_attestations({ proposal: [P], os: [], reviewer: [], include_revoked: true }, [], 100);
    assert.equal(list.attestations.length, 18);
    let sawRedacted = false;
    for (const a of list.attestations) {
      const text = Buffer.from(a.envelope.payload, 'base64').toString('utf8');
      assert.match(text, /"predicateType":"[^"]*\/v2"/);
      assert.equal(findPrivatePath(text), null, text.slice(0, 200));
      assert.ok(!text.includes('/home/alice'));
      if (text.includes('"commandLine":["~/ic/')) sawRedacted = true;
    }
    assert.ok(sawRedacted, "alice's /home/alice/ic became ~/ic");
    const text = renderReport(reportToJson(report), false);
    assert.match(text, /erin: the tmpfs the commit's container script mounts was not a tmpfs/);
    assert.match(text, /frank: a file that defines the build is not the one at the commit/);
    assert.match(text, /fix: use the file at the commit: `ci\/container\/build-ic\.sh`/);
  });
});

/**
 * "The CLI verifies, never trusts": the real CLI against the embedded replica behind a lying
 * proxy. The proxy plays a malicious node (it signs its forged query answers with the node key),
 * so only the certified data can catch it: `verify --proposal`, `report` and `audit` must each
 * exit 1 and say what was wrong, for a dropped attestation, a rewritten report, a changed hash,
 * a replayed old certificate and a wrong root key.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { IDL } from '@dfinity/candid';
import { IC_ROOT_KEY } from '@dfinity/agent';

import { idlFactory, type AttestationsService } from '../../protocol/service.js';
import { startReplicaServer, type ReplicaServer } from '../../replica/http/index.js';
import { governanceStandInIdlFactory, type GovernanceStandIn } from '../../replica/governance/src/interface.js';
import { Runtime, createActor } from '../../replica/runtime/index.js';
import { CONTROLLER, wasm } from '../canister/harness.js';
import { envelope, hash, profile, reviewer, type TestReviewer } from '../canister/fixtures.js';
import { ok } from '../canister/util.js';
import { GOVERNANCE_WASM, assertWasm, cliEnv, describeRun, parseJson, removeDir, runCli, tempDir, type CliRun } from '../e2e/cli.js';
import { startLyingProxy, type LyingProxy } from './proxy.js';

const P = 515_151n;
const G = hash('guestos elected');
const X = hash('guestos divergent');

const base = tempDir('icos-trust-proxy-');
let server: ReplicaServer;
let proxy: LyingProxy;
let rt: Runtime;
let as: (r: TestReviewer) => AttestationsService;
let canisterId: string;
let env: NodeJS.ProcessEnv;
let rootKeyFile: string;

const cli = (args: string[], extra: string[] = []): Promise<CliRun> =>
  runCli(['--network', proxy.url, '--canister', canisterId, '--root-key', rootKeyFile, '--state-dir', join(base, 'state'), ...extra, ...args], { env, cwd: base });

/** Exit 1 and one `icos-attest:` line on stderr (a thrown trust failure) matching `why`. */
function refused(run: CliRun, why: RegExp): void {
  assert.equal(run.code, 1, describeRun(run));
  const lines = run.stderr.split('\n').filter((l) => l.startsWith('icos-attest:'));
  assert.equal(lines.length, 1, describeRun(run));
  assert.match(lines[0]!, why, describeRun(run));
}

const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map((n) => reviewer(`trust-${n}`, 'ed25519')) as [TestReviewer, TestReviewer, TestReviewer, TestReviewer];

before(async () => {
  assertWasm(GOVERNANCE_WASM);
  rt = new Runtime({ log: () => {} });
  const id = rt.createCanister({ controllers: [CONTROLLER] });
  await rt.install(id, wasm(), { arg: new Uint8Array(IDL.encode([], [])) });
  canisterId = id.toText();
  as = (r) => createActor<AttestationsService>(rt, id, idlFactory, { caller: r.principal });
  const controller = createActor<AttestationsService>(rt, id, idlFactory, { caller: CONTROLLER });

  // NNS governance stand-in: the proposal elects G (with download URLs, as any real election:
  // payloads are validated where read).
  const nns = Ed25519KeyIdentity.generate();
  const gov = rt.createCanister({ controllers: [nns.getPrincipal()] });
  await rt.install(gov, new Uint8Array(readFileSync(GOVERNANCE_WASM)));
  const admin = createActor<GovernanceStandIn>(rt, gov, governanceStandInIdlFactory, { caller: nns.getPrincipal() });
  assert.deepEqual(
    await admin.add_election({ id: P, title: 'Elect GuestOS', summary: 'trust test', function: { ReviseElectedGuestosVersions: null }, commit: ['a'.repeat(40)], sha256: [G], urls: [`https://download.dfinity.systems/ic/${'a'.repeat(40)}/guest-os/update-img/update-img.tar.zst`], launch_measurements: [], unelect: [], proposed_at_seconds: 1764000000n, deadline_seconds: [] }),
    { Ok: P }
  );

  // Two builds of G, one dissenting build of X; all endorsed.
  for (const r of [alice, bob, carol]) {
    ok(await as(r).register_reviewer(profile(r)));
    ok(await controller.endorse_reviewer(r.principal, true));
  }
  for (const [r, built] of [[alice, G], [bob, G], [carol, X]] as const) ok(await as(r).submit_attestation(envelope(r, { proposal: P, os: 'guestos', built, proposalHash: G })));

  server = await startReplicaServer({ runtime: rt });
  proxy = await startLyingProxy(server.url, server.blsSecretKey);
  rootKeyFile = join(base, 'root-key.hex');
  writeFileSync(rootKeyFile, Buffer.from(server.rootKey).toString('hex'));
  env = cliEnv(join(base, 'home'), { ICOS_ATTEST_GOVERNANCE_NETWORK: proxy.url, ICOS_ATTEST_GOVERNANCE_ID: gov.toText() });
});

after(async () => {
  await proxy?.close();
  await server?.close();
  removeDir(base);
});

describe('through a lying proxy', () => {
  it('honest answers verify: exit 0, consensus recomputed, elected hash read from governance', async () => {
    proxy.honest();
    const [ver, rep, aud] = await Promise.all([cli(['--json', 'verify', '--proposal', String(P), '--evidence', join(base, 'evidence.json')]), cli(['--json', 'report', String(P)]), cli(['--json', 'audit'])]);
    assert.equal(ver.code, 0, describeRun(ver));
    const v = parseJson(ver, 'verify');
    assert.equal(v.ok, true);
    assert.equal(v.electedSource, 'governance');
    assert.equal(v.elected.guestos, G);
    assert.equal(v.attestations.length, 3);
    assert.equal(v.certified.eventCount, '3');
    assert.equal(rep.code, 0, describeRun(rep));
    assert.equal(parseJson(rep, 'report').report.attestations, 3);
    assert.equal(aud.code, 0, describeRun(aud));
    // Saved evidence replays offline, certificate age deliberately unchecked.
    const replay = await cli(['--json', 'verify', '--replay', join(base, 'evidence.json')]);
    assert.equal(replay.code, 0, describeRun(replay));
  });

  it('an outside attacker (no node key): the forged answer fails the query signature', async () => {
    proxy.honest();
    proxy.unsigned = true;
    proxy.lies.set('list_attestations', ([page]) => [{ ...page, attestations: page.attestations.slice(0, 2) }]);
    const ver = await cli(['verify', '--proposal', String(P)]);
    refused(ver, /does not verify against the root key/);
  });

  it('drops the dissenting attestation from the list: verify names it as omitted', async () => {
    proxy.honest();
    proxy.lies.set('list_attestations', ([page]) => [{ ...page, attestations: page.attestations.filter((a: { reviewer: { toText(): string } }) => a.reviewer.toText() !== carol.principal.toText()) }]);
    const ver = await cli(['--json', 'verify', '--proposal', String(P)]);
    assert.equal(ver.code, 1, describeRun(ver));
    const v = parseJson(ver, 'verify');
    assert.equal(v.ok, false);
    assert.ok(v.differences.some((d: string) => /attestation 3 .* is certified but missing from the list \(omitted\)/.test(d)), v.differences.join('\n'));
    assert.match(ver.stderr + ver.stdout, /omitted/);
  });

  it('rewrites the report (verdict) and drops its event: verify and report refuse', async () => {
    proxy.honest();
    proxy.lies.set('certified_report', ([r]) => [{ ...r, report_json: r.report_json.map((t: string) => t.replace(/"verdict":"diverged"/g, '"verdict":"reproduced"')) }]);
    const [ver, rep] = await Promise.all([cli(['verify', '--proposal', String(P)]), cli(['report', String(P)])]);
    refused(ver, /the report is not the certified one/);
    refused(rep, /the report is not the certified one/);

    proxy.honest();
    proxy.lies.set('certified_report', ([r]) => [{ ...r, events: r.events.slice(0, 2), event_count: 2n }]);
    refused(await cli(['verify', '--proposal', String(P)]), /2 events answered .* 3 certified/);
  });

  it('changes a hash: an event\'s digest, the tree head\'s root, a mirrored log entry', async () => {
    proxy.honest();
    const flip = (t: string) => t.replace(/"digest":"(.)/, (_m, c: string) => `"digest":"${c === '0' ? '1' : '0'}`);
    proxy.lies.set('certified_report', ([r]) => [{ ...r, events: r.events.map((e: { entry: Uint8Array }, i: number) => (i === 2 ? { ...e, entry: new TextEncoder().encode(flip(new TextDecoder().decode(e.entry))) } : e)) }]);
    refused(await cli(['verify', '--proposal', String(P)]), /do not hash to the certified chain/);

    proxy.honest();
    proxy.lies.set('get_tree_head', ([h]) => [{ ...h, head: { ...h.head, root: new Uint8Array(32).fill(7) } }]);
    refused(await cli(['audit']), /is not the certified one/);

    proxy.honest();
    // One byte more in entry 1 (still JSON): its leaf, and so the root, changes.
    proxy.lies.set('get_log_entries', ([page]) => [page.map((e: { index: bigint; entry: Uint8Array }) => (e.index === 1n ? { ...e, entry: new Uint8Array([...e.entry, 0x20]) } : e))]);
    const aud = await cli(['--json', 'audit', '--mirror', join(base, 'mirror-lied')]);
    assert.equal(aud.code, 1, describeRun(aud));
    assert.ok(parseJson(aud, 'audit').problems.some((p: string) => /hashes to .* the certified root is/.test(p)));

    proxy.honest();
    proxy.lies.set('list_attestations', ([page]) => [{ ...page, attestations: page.attestations.slice(1) }]);
    const omitted = await cli(['--json', 'audit', '--mirror', join(base, 'mirror-omitted')]);
    assert.equal(omitted.code, 1, describeRun(omitted));
    assert.ok(parseJson(omitted, 'audit').problems.some((p: string) => /attestation 1 is in log entry \d+ but is not served \(omitted\)/.test(p)));
  });

  it('replays an old certificate after the log grew: verify, report and audit refuse', async () => {
    proxy.honest();
    // Record the answers as they are now...
    for (const args of [['verify', '--proposal', String(P)], ['audit']]) assert.equal((await cli(args)).code, 0);
    const oldReport = proxy.last.get('certified_report')!;
    const oldHead = proxy.last.get('get_tree_head')!;
    assert.ok(oldReport && oldHead);
    // ...then the log grows (a fourth reviewer), and the CLI sees the new head.
    ok(await as(dave).register_reviewer(profile(dave)));
    ok(await as(dave).submit_attestation(envelope(dave, { proposal: P, os: 'guestos', built: G, proposalHash: G })));
    for (const args of [['report', String(P)], ['audit']]) assert.equal((await cli(args)).code, 0);

    proxy.replays.set('certified_report', oldReport);
    proxy.replays.set('get_tree_head', oldHead);
    const [ver, rep, aud] = await Promise.all([cli(['verify', '--proposal', String(P)]), cli(['report', String(P)]), cli(['audit'])]);
    refused(ver, /the log was rolled back: it has \d+ entries, but \d+ were certified before/);
    refused(rep, /the log was rolled back/);
    // A client that never saw the newer head still finds the list longer than the certified events.
    const fresh = await cli(['--json', 'verify', '--proposal', String(P)], ['--state-dir', join(base, 'fresh-state')]);
    assert.equal(fresh.code, 1, describeRun(fresh));
    assert.ok(parseJson(fresh, 'verify').differences.some((d: string) => /attestation 4: listed, but not in the certified log/.test(d)), fresh.stdout);
    assert.equal(aud.code, 1, describeRun(aud));
    assert.match(aud.stdout, /rolled back: it has \d+ entries, but \d+ were certified before/);
  });

  it('a wrong root key: verify, report and audit exit 1 with one line', async () => {
    proxy.honest();
    const wrong = join(base, 'wrong-root-key.hex');
    writeFileSync(wrong, IC_ROOT_KEY);
    const run = (args: string[]) => runCli(['--network', proxy.url, '--canister', canisterId, '--root-key', wrong, '--state-dir', join(base, 'state'), ...args], { env, cwd: base });
    const [ver, rep, aud] = await Promise.all([run(['verify', '--proposal', String(P)]), run(['report', String(P)]), run(['audit'])]);
    for (const r of [ver, rep, aud]) refused(r, /does not verify against the root key/);
  });
});

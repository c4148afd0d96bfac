/**
 * The whole review as reviewers run it (issue 7, "Done when"): a synthetic GuestOS election
 * proposal read from the NNS governance stand-in, whose commit is a synthetic ic repo's and whose
 * hash is that commit's deterministic build, published on two CDN mirrors. Three reviewers, each
 * with their own HOME and dfx identity, run `icos-attest run <proposal>` (the real CLI, a child
 * process) against `icos-attest replica start` (another child process). Carol's machine makes
 * HostOS non-deterministic. The report and `verify --proposal` must show exactly that, and the
 * envelopes must be on disk, verifiable offline, byte for byte what the canister stores.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';

import { unwrapResult } from '../../attestor/client/client.js';
import { Context } from '../../attestor/cli/context.js';
import { prepareRepo } from '../../attestor/icos/build/repo.js';
import { runBuild } from '../../attestor/icos/build/run.js';
import { parseLaunchMeasurements } from '../../attestor/icos/cdn/measurements.js';
import { startReplicaServer, type ReplicaServer } from '../../replica/http/index.js';
import { governanceStandInIdlFactory, type GovernanceStandIn } from '../../replica/governance/src/interface.js';
import { Runtime, createActor } from '../../replica/runtime/index.js';
import { makeCdnTree } from '../../demo/cdn-tree.js';
import { generateIcRepo } from '../../demo/ic-repo.js';
import { startCdn, type CdnServer } from '../../demo/cdn-server.js';
import {
  ATTESTATIONS_WASM,
  GOVERNANCE_WASM,
  assertWasm,
  cliEnv,
  describeRun,
  parseJson,
  removeDir,
  runCli,
  saveOutput,
  startReplica,
  tempDir,
  tempHome,
  type CliRun,
  type ReplicaProcess,
} from './cli.js';

const PROPOSAL = '141414';
const GUEST = 'guestos/update-img.tar.zst';
const HOST = 'hostos/update-img.tar.zst';

const base = tempDir('icos-e2e-review-');
const cdns: CdnServer[] = [];
let governance: ReplicaServer | undefined;
let replica: ReplicaProcess | undefined;
after(async () => {
  await replica?.stop('SIGTERM');
  await governance?.close();
  await Promise.all(cdns.map((c) => c.close()));
  removeDir(base);
});

interface World {
  commit: string;
  repoDir: string;
  official: Record<string, string>;
  mirrors: string[];
  governanceUrl: string;
  governanceId: string;
  controllerPem: string;
}
let world: World;

before(async () => {
  assertWasm(ATTESTATIONS_WASM);
  assertWasm(GOVERNANCE_WASM);

  // The ic repo and the official (deterministic) build of its current-era commit.
  const fx = generateIcRepo(base);
  const commit = fx.commits['2025-26'];
  const workdir = join(base, 'official');
  const repo = await prepareRepo({ repoUrl: fx.repoDir, workdir, commit });
  assert.ok(repo.ok, JSON.stringify(repo));
  const built = await runBuild({ repoDir: repo.value.repoDir, workdir, commit, os: ['guestos', 'hostos'], env: { ...process.env, ICOS_FAKE_NONDETERMINISTIC: '' } });
  assert.ok(built.ok, JSON.stringify(built));
  const result = built.value.result;
  const official = Object.fromEntries(result.artifacts.map((a) => [a.name, a.sha256]));
  assert.ok(official[GUEST] && official[HOST], `official build made ${Object.keys(official).join(', ')}`);
  const measurementsText = readFileSync(result.extras.find((e) => e.name === 'guestos/launch-measurements.json')!.path, 'utf8');
  const measured = parseLaunchMeasurements(measurementsText);
  assert.ok(measured.ok, 'the fixture publishes launch measurements');

  // Two CDN mirrors with the same artifacts (SHA256SUMS in both formats).
  const mirrors: string[] = [];
  for (const [i, style] of (['plain', 'star'] as const).entries()) {
    const root = join(base, `mirror-${i}`);
    makeCdnTree({ root, commit, artifacts: result.artifacts, launchMeasurements: measurementsText, sumsStyle: style });
    const cdn = await startCdn(root);
    cdns.push(cdn);
    mirrors.push(cdn.url);
  }

  // NNS governance stand-in: the proposal elects the official GuestOS build at that commit.
  const rt = new Runtime({ log: () => {} });
  const nnsController = Ed25519KeyIdentity.generate();
  const gov = rt.createCanister({ controllers: [nnsController.getPrincipal()] });
  await rt.install(gov, new Uint8Array(readFileSync(GOVERNANCE_WASM)));
  const admin = createActor<GovernanceStandIn>(rt, gov, governanceStandInIdlFactory, { caller: nnsController });
  const seeded = await admin.add_election({
    id: BigInt(PROPOSAL),
    title: `Elect new IC/GuestOS revision (commit ${commit.slice(0, 7)})`,
    summary: 'synthetic GuestOS election for the end-to-end test',
    function: { ReviseElectedGuestosVersions: null },
    commit: [commit],
    sha256: [official[GUEST]!],
    urls: mirrors.map((m) => `${m}/ic/${commit}/guest-os/update-img/update-img.tar.zst`),
    launch_measurements: measured.measurements.map((m) => Uint8Array.from(Buffer.from(m, 'hex'))),
    unelect: [],
    proposed_at_seconds: 1764000000n,
    deadline_seconds: [],
  });
  assert.deepEqual(seeded, { Ok: BigInt(PROPOSAL) });
  governance = await startReplicaServer({ runtime: rt });

  // The attestations canister's controller key, made with openssl as a person might.
  const controllerPem = join(base, 'controller.pem');
  execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', controllerPem]);

  world = { commit, repoDir: fx.repoDir, official, mirrors, governanceUrl: governance.url, governanceId: gov.toText(), controllerPem };
});

interface Reviewer {
  key: string;
  name: string;
  home: string;
  env: NodeJS.ProcessEnv;
  principal: string;
  pem: string;
  run?: CliRun;
  out?: any;
}

/** The environment a reviewer's shell would have: their HOME, the endpoints of this test's "internet". */
function reviewerEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return cliEnv(home, {
    ICOS_ATTEST_GOVERNANCE_NETWORK: world.governanceUrl,
    ICOS_ATTEST_GOVERNANCE_ID: world.governanceId,
    ICOS_ATTEST_MIRRORS: world.mirrors.join(','),
    ICOS_ATTEST_IC_REPO: world.repoDir,
    ...extra,
  });
}

test('three reviewers run `icos-attest run`; one HostOS diverges; report and verify show exactly that', async () => {
  const work = join(base, 'work');
  mkdirSync(work, { recursive: true });

  // ---- the replica, as `icos-attest replica start` runs it (state in ./.icos-attest, the default)
  replica = await startReplica(['--port', '0', '--wasm', ATTESTATIONS_WASM], {
    env: cliEnv(tempHome(base, 'operator'), { ICOS_ATTEST_PEM: world.controllerPem }),
    cwd: work,
  });
  const { url, canisterId } = replica.info;
  const net = ['--network', url, '--canister', canisterId];

  // ---- three reviewers: two `identity new`, one importing an openssl PEM
  const reviewers: Reviewer[] = await Promise.all(
    (
      [
        ['alice', 'Alice', false],
        ['bob', 'Bob', false],
        ['carol', 'Carol', true],
      ] as const
    ).map(async ([key, name, divergent]) => {
      const home = tempHome(base, key);
      const env = reviewerEnv(home, divergent ? { ICOS_FAKE_NONDETERMINISTIC: 'hostos' } : {});
      let made: CliRun;
      if (key === 'bob') {
        const pem = join(base, 'bob-openssl.pem');
        execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', pem]);
        made = await runCli(['--json', 'identity', 'import', 'default', pem], { env, cwd: home });
      } else {
        made = await runCli(['--json', 'identity', 'new'], { env, cwd: home });
      }
      assert.equal(made.code, 0, describeRun(made));
      const id = parseJson<{ principal: string; path: string }>(made, 'identity');
      return { key, name, home, env, principal: id.principal, pem: id.path };
    }),
  );
  const [alice, bob, carol] = reviewers as [Reviewer, Reviewer, Reviewer];

  // ---- each runs the whole review: check, build, attest, submit, report
  // All three at once, as independent people would (and to keep the test quick).
  await Promise.all(
    reviewers.map(async (r) => {
      const envelope = join(r.home, 'attestation.json');
      const started = Date.now();
      r.run = await runCli(['--json', ...net, 'run', PROPOSAL, '--os', 'guestos,hostos', '--ignore-prerequisites', '--envelope', envelope, '--name', r.name], {
        env: r.env,
        cwd: r.home,
        timeoutMs: 50_000,
      });
      saveOutput(`e2e-review-run-${r.key}.log`, `took ${Date.now() - started} ms\n${describeRun(r.run)}`);
      r.out = parseJson(r.run, `run (${r.key})`);
    }),
  );

  // Alice and Bob reproduce everything: exit 0. Carol's HostOS differs from the CDN: exit 1, still submitted.
  for (const r of [alice, bob]) {
    assert.equal(r.run!.code, 0, `${r.key}: ${describeRun(r.run!)}`);
    assert.equal(r.out.ok, true);
  }
  assert.equal(carol.run!.code, 1, `carol: a mismatch exits 1\n${describeRun(carol.run!)}`);
  assert.equal(carol.out.ok, false);
  assert.equal(carol.out.check.ok, true, 'the CDN check itself passed on carol’s machine: only her build differs');

  // Each check read the proposal from governance and compared both mirrors and the launch measurements.
  for (const r of reviewers) {
    assert.deepEqual(r.out.check.findings, [], `${r.key}: no check findings`);
    const c = JSON.parse(readFileSync(r.out.check.path, 'utf8'));
    assert.equal(c.proposal.id, PROPOSAL);
    assert.equal(c.proposal.elects, 'guestos');
    assert.equal(c.proposal.commit, world.commit);
    assert.equal(c.proposal.sha256, world.official[GUEST]);
    assert.deepEqual(c.artifacts.map((a: any) => [a.os, a.elected, a.cdnSha256]), [
      ['guestos', true, world.official[GUEST]],
      ['hostos', false, world.official[HOST]],
    ]);
    const guestCheck = c.artifacts[0];
    assert.equal(guestCheck.mirrors.length, 2, 'both mirrors were checked');
    assert.equal(guestCheck.urls.length, 2, 'every release_package_urls entry was checked');
    assert.equal(guestCheck.launchMeasurements.mirrors.length, 2);
    for (const m of guestCheck.launchMeasurements.mirrors) assert.deepEqual(m.measurements, guestCheck.launchMeasurements.proposal);
  }

  const outcomes = (r: Reviewer) =>
    Object.fromEntries((r.out.envelopes as any[]).flatMap((e) => e.artifacts.map((a: any) => [a.name, a.outcome])));
  assert.deepEqual(outcomes(alice), { [GUEST]: 'match', [HOST]: 'match' });
  assert.deepEqual(outcomes(bob), { [GUEST]: 'match', [HOST]: 'match' });
  assert.deepEqual(outcomes(carol), { [GUEST]: 'match', [HOST]: 'mismatch' });
  const carolHost = (carol.out.envelopes as any[]).flatMap((e) => e.artifacts).find((a: any) => a.name === HOST);
  assert.notEqual(carolHost.sha256, world.official[HOST]);

  // ---- the envelopes are on disk: one per OS, each signed by its reviewer, verifiable offline
  const attestationIds = new Map<string, { reviewer: Reviewer; path: string; os: string }>();
  for (const r of reviewers) {
    const files = r.out.envelopes as { path: string; os: string; principal: string }[];
    assert.deepEqual(files.map((f) => f.os).sort(), ['guestos', 'hostos']);
    for (const f of files) {
      assert.ok(existsSync(f.path), `${r.key}: ${f.path} exists`);
      assert.ok(f.path.startsWith(r.home), `written where --envelope said: ${f.path}`);
      assert.equal(f.principal, r.principal);
    }
    const submitted = r.out.submitted.submitted as { id: string; path: string; os: string }[];
    assert.equal(submitted.length, 2, `${r.key} submitted both OSes`);
    for (const s of submitted) attestationIds.set(s.id, { reviewer: r, path: s.path, os: s.os });
  }
  // A third party with only the reviewer's public key verifies the files, offline.
  await Promise.all(
    reviewers.map(async (r) => {
      const files = r.out.envelopes as { path: string }[];
      const pub = join(base, `${r.key}.pub.pem`);
      execFileSync('openssl', ['pkey', '-in', r.pem, '-pubout', '-out', pub]);
      const offline = await runCli(['--json', 'verify', ...files.map((f) => f.path), '--public-key', pub], { env: cliEnv(tempHome(base, `verifier-${r.key}`)) });
      assert.equal(offline.code, 0, describeRun(offline));
      const v = parseJson<{ ok: boolean; envelopes: { valid: boolean; proposal: string; principal: string }[] }>(offline, 'verify');
      assert.equal(v.ok, true);
      assert.deepEqual(v.envelopes.map((e) => [e.valid, e.proposal, e.principal]), files.map(() => [true, PROPOSAL, r.principal]));
    }),
  );
  assert.equal(attestationIds.size, 6);

  // The wrong key, or one changed byte, fails verification (exit 1).
  const alicePub = join(base, 'alice.pub.pem');
  const carolFile = (carol.out.envelopes as { path: string }[])[0]!.path;
  const tampered = JSON.parse(readFileSync(carolFile, 'utf8'));
  const statement = JSON.parse(Buffer.from(tampered.payload, 'base64').toString('utf8'));
  statement.predicate.artifacts[0].outcome = statement.predicate.artifacts[0].outcome === 'match' ? 'mismatch' : 'match';
  tampered.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
  const tamperedPath = join(base, 'tampered.json');
  writeFileSync(tamperedPath, JSON.stringify(tampered));
  const [wrongKey, bad, lookedUp] = await Promise.all([
    runCli(['--json', 'verify', carolFile, '--public-key', alicePub], { env: cliEnv(tempHome(base, 'verifier-x')) }),
    runCli(['--json', 'verify', tamperedPath, '--public-key', join(base, 'carol.pub.pem')], { env: cliEnv(tempHome(base, 'verifier-y')) }),
    // Without --public-key the key is the one the signer registered with the canister.
    runCli(['--json', ...net, 'verify', carolFile, tamperedPath], { env: cliEnv(tempHome(base, 'verifier-z')) }),
  ]);
  assert.equal(wrongKey.code, 1, describeRun(wrongKey));
  assert.equal(parseJson(wrongKey, 'verify (wrong key)').envelopes[0].valid, false);
  assert.equal(bad.code, 1, describeRun(bad));
  assert.equal(parseJson(bad, 'verify (tampered)').envelopes[0].valid, false);
  assert.equal(lookedUp.code, 1, describeRun(lookedUp));
  assert.deepEqual(parseJson(lookedUp, 'verify (registered key)').envelopes.map((e: any) => e.valid), [true, false]);

  // What the canister stores is byte for byte the envelope on the reviewer's disk, and the file
  // was written before the canister received it (its mtime is not later than the submission time).
  const reader = await new Context({ network: url, canister: canisterId, quiet: true, stateDir: join(base, 'no-state') }).client(false);
  for (const [id, a] of attestationIds) {
    const res = await fetch(`${url}/attestation/${id}.json?canisterId=${canisterId}`);
    assert.equal(res.status, 200, `attestation ${id}`);
    assert.deepEqual(JSON.parse(await res.text()), JSON.parse(readFileSync(a.path, 'utf8')), `attestation ${id} = ${a.path}`);
    const stored = await reader.call<[] | [{ submitted_at_ns: bigint; reviewer: Principal; os: string }]>('get_attestation', BigInt(id));
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.reviewer.toText(), a.reviewer.principal);
    assert.equal(stored[0]!.os, a.os);
    assert.ok(statSync(a.path, { bigint: true }).mtimeNs <= stored[0]!.submitted_at_ns, `${a.path} was on disk before attestation ${id} was submitted`);
  }

  // ---- a voter (no identity, another HOME) reads the report
  const voter = cliEnv(tempHome(base, 'voter'));
  const report = async () => {
    const r = await runCli(['--json', ...net, 'report', PROPOSAL], { env: voter });
    assert.equal(r.code, 0, describeRun(r));
    const j = parseJson<{ proposal: string; report: any }>(r, 'report');
    assert.equal(j.proposal, PROPOSAL);
    assert.ok(j.report, 'a report exists');
    return j.report;
  };
  const members = (g: any) => (g.members as any[]).map((m) => m.reviewer).sort();
  const sorted = (...rs: Reviewer[]) => rs.map((r) => r.principal).sort();

  const checkShape = (rep: any, guestVerdict: string, endorsed: number) => {
    assert.equal(rep.attestations, 6);
    assert.equal(rep.reviewers, 3);
    assert.deepEqual(rep.oses.map((o: any) => o.os), ['guestos', 'hostos'], 'only the OSes that were attested');
    const [guest, host] = rep.oses;

    assert.equal(guest.verdict, guestVerdict);
    assert.equal(guest.artifacts.length, 1);
    const ga = guest.artifacts[0];
    assert.equal(ga.name, GUEST);
    assert.equal(ga.proposalSha256, world.official[GUEST]);
    assert.deepEqual(ga.cdnSha256, [world.official[GUEST]]);
    assert.equal(ga.verdict, guestVerdict);
    assert.equal(ga.endorsedMatching, endorsed);
    assert.equal(ga.groups.length, 1, 'everyone built the same GuestOS');
    assert.equal(ga.groups[0].sha256, world.official[GUEST]);
    assert.equal(ga.groups[0].matchesProposal, true);
    assert.equal(ga.groups[0].matchesCdn, true);
    assert.deepEqual(members(ga.groups[0]), sorted(alice, bob, carol));
    assert.deepEqual(ga.hints, []);

    // Only endorsed builds decide: carol's divergent HostOS is an unverified report until endorsed.
    const hostVerdict = endorsed > 0 ? 'diverged' : 'pending';
    assert.equal(host.verdict, hostVerdict);
    const ha = host.artifacts[0];
    assert.equal(host.artifacts.length, 1);
    assert.equal(ha.name, HOST);
    assert.equal(ha.verdict, hostVerdict);
    assert.equal(ha.proposalSha256, null, 'a GuestOS election elects no HostOS hash');
    assert.deepEqual(ha.cdnSha256, [world.official[HOST]]);
    assert.equal(ha.groups.length, 2);
    assert.equal(ha.groups[0].sha256, world.official[HOST], 'the group that matches the CDN comes first');
    assert.equal(ha.groups[0].matchesCdn, true);
    assert.deepEqual(members(ha.groups[0]), sorted(alice, bob));
    assert.equal(ha.groups[1].sha256, carolHost.sha256);
    assert.equal(ha.groups[1].matchesCdn, false);
    assert.deepEqual(members(ha.groups[1]), [carol.principal], 'carol alone in her own group');
    assert.deepEqual(
      (ha.groups[1].members as any[]).map((m) => m.name),
      ['Carol'],
    );
    // Diagnosis from the attestations alone: the divergent group gets a hint naming the extra
    // component her build carries (the fixture adds build-id.txt to a non-deterministic image).
    assert.equal(ha.hints.length, 1, `one hint for the divergent HostOS group: ${JSON.stringify(ha.hints)}`);
    assert.equal(ha.hints[0].groupSha256, carolHost.sha256);
    assert.equal(ha.hints[0].referenceSha256, world.official[HOST]);
    assert.equal(ha.hints[0].divergentCount, 1);
    assert.equal(ha.hints[0].referenceCount, 2);
    assert.match(ha.hints[0].firstDivergent ?? '', /build-id\.txt$/, `the hint names the divergent component: ${JSON.stringify(ha.hints[0])}`);
  };

  // Nobody is endorsed yet: GuestOS agrees but has not reached the quorum.
  const pending = await report();
  checkShape(pending, 'pending', 0);
  assert.equal(pending.quorum, 3);

  // The canister's controller endorses the three reviewers: GuestOS is reproduced at quorum 3.
  const admin = await new Context({ network: url, canister: canisterId, pem: world.controllerPem, quiet: true, stateDir: join(base, 'no-state') }).client(true);
  for (const r of reviewers) unwrapResult(await admin.call('endorse_reviewer', Principal.fromText(r.principal), true), 'endorse_reviewer');
  const endorsed = await report();
  checkShape(endorsed, 'reproduced', 3);
  for (const os of endorsed.oses) for (const a of os.artifacts) for (const g of a.groups) for (const m of g.members) assert.equal(m.endorsed, true);

  // The human report says the same; from the replica's folder, the URL is all it takes.
  const human = await runCli(['--network', url, 'report', PROPOSAL], { env: voter, cwd: work });
  assert.equal(human.code, 0, describeRun(human));
  saveOutput('e2e-review-report.txt', human.stdout);
  assert.match(human.stdout, /guestos reproduced/);
  assert.match(human.stdout, /hostos diverged/);
  for (const n of ['Alice', 'Bob', 'Carol']) assert.match(human.stdout, new RegExp(n));

  // ---- anyone re-verifies every stored signature and recomputes the consensus
  const verified = await runCli(['--json', ...net, 'verify', '--proposal', PROPOSAL], { env: voter });
  assert.equal(verified.code, 0, describeRun(verified));
  const vj = parseJson<any>(verified, 'verify --proposal');
  assert.equal(vj.ok, true);
  assert.deepEqual(vj.differences, []);
  assert.equal(vj.attestations.length, 6);
  assert.ok(vj.attestations.every((a: any) => a.valid === true));
  assert.deepEqual(
    vj.consensus.oses.map((o: any) => [o.os, o.verdict]),
    [
      ['guestos', 'reproduced'],
      ['hostos', 'diverged'],
    ],
  );
  const recomputedHost = vj.consensus.oses[1].artifacts[0];
  assert.deepEqual(
    recomputedHost.groups.map((g: any) => g.reviewers.map((m: any) => m.principal).sort()),
    [sorted(alice, bob), [carol.principal]],
  );
});

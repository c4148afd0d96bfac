/**
 * The compiled governance stand-in (.azle/governance/governance.wasm, built by `npm run build`)
 * in the in-process runtime: its get_proposal_info / list_proposals reply bytes decode with our
 * governance decoder; and the attestor's governance client reads it over the IC HTTP interface
 * with the real @dfinity/agent.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { HttpAgent } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';

import { fetchProposalFromGovernance, getProposalInfo, listProposalsFromGovernance } from '../../attestor/icos/proposal/governance.js';
import { decodeGetProposalInfoReply, makeProposalInfo } from '../../protocol/nns/build.js';
import { ProposalError } from '../../protocol/nns/errors.js';
import { TOPIC } from '../../protocol/nns/functions.js';
import { ListProposalInfo, ListProposalInfoResponse, type ListProposalInfoResponseValue } from '../../protocol/nns/governance_idl.js';
import { icOsElectionListRequest } from '../../protocol/nns/list.js';
import { decodeElectionProposal } from '../../protocol/nns/proposal.js';
import { startReplicaServer, type ReplicaServer } from '../../replica/http/index.js';
import { governanceStandInIdlFactory, type GovernanceStandIn } from '../../replica/governance/src/interface.js';
import { Runtime, createActor } from '../../replica/runtime/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const wasmPath = join(root, '.azle/governance/governance.wasm');

const GUEST_COMMIT = '8d1e2f4a93b7c0e5d6f8a1b2c3d4e5f60718293a';
const HOST_COMMIT = 'f1e2d3c4b5a6978877665544332211009a8b7c6d';
const SHA = '4c4ba8b9e3f6d2a1c0b9a8f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4';
const MEASUREMENT = Uint8Array.from({ length: 48 }, (_, i) => 0x30 + i);
const guestUrls = [`https://download.dfinity.systems/ic/${GUEST_COMMIT}/guest-os/update-img/update-img.tar.zst`];
const hostUrls = [`https://download.dfinity.systems/ic/${HOST_COMMIT}/host-os/update-img/update-img.tar.zst`];

const isKind = (kind: string) => (e: unknown) => e instanceof ProposalError && e.kind === kind;

let rt: Runtime;
let gov: Principal;
const controller = Ed25519KeyIdentity.generate();
let admin: GovernanceStandIn;

before(async () => {
  assert.ok(existsSync(wasmPath), `missing ${wasmPath}: run npm run build`);
  rt = new Runtime({ log: () => {} });
  gov = rt.createCanister({ controllers: [controller.getPrincipal()] });
  await rt.install(gov, new Uint8Array(readFileSync(wasmPath)));
  admin = createActor<GovernanceStandIn>(rt, gov, governanceStandInIdlFactory, { caller: controller });
  const seed = {
    title: '',
    summary: '',
    launch_measurements: [] as Uint8Array[],
    unelect: [] as string[],
    proposed_at_seconds: 1763645600n,
    deadline_seconds: [1763990400n] as [bigint]
  };
  assert.deepEqual(
    await admin.add_election({
      ...seed,
      id: 139201n,
      title: 'Elect GuestOS',
      summary: 'guest summary',
      function: { ReviseElectedGuestosVersions: null },
      commit: [GUEST_COMMIT],
      sha256: [SHA.toUpperCase()],
      urls: guestUrls,
      launch_measurements: [MEASUREMENT]
    }),
    { Ok: 139201n }
  );
  assert.deepEqual(
    await admin.add_election({ ...seed, id: 139202n, title: 'Elect HostOS', function: { ReviseElectedHostosVersions: null }, commit: [HOST_COMMIT], sha256: [SHA], urls: hostUrls }),
    { Ok: 139202n }
  );
  assert.deepEqual(
    await admin.add_proposal(
      makeProposalInfo({ id: 139203n, title: 'A motion', summary: 'm', topic: TOPIC.Governance, action: { Motion: { motion_text: 'do it' } }, proposedAtSeconds: 1763645700n })
    ),
    { Ok: 139203n }
  );
});

describe('governance stand-in (compiled Wasm in the runtime)', () => {
  it('get_proposal_info reply bytes decode with our governance decoder (GuestOS)', async () => {
    const r = await rt.query(gov, 'get_proposal_info', new Uint8Array(IDL.encode([IDL.Nat64], [139201n])), { caller: Principal.anonymous() });
    assert.equal(r.kind, 'replied');
    if (r.kind !== 'replied') return;
    const info = decodeGetProposalInfoReply(r.reply);
    assert.ok(info !== null);
    const p = decodeElectionProposal(info);
    assert.deepEqual(
      { elects: p.elects, action: p.action, commit: p.commit, sha256: p.sha256, urls: p.urls, m: p.launchMeasurements, status: p.status, deadline: p.deadlineSeconds },
      {
        elects: 'guestos',
        action: 'ReviseElectedGuestosVersions',
        commit: GUEST_COMMIT,
        sha256: SHA,
        urls: guestUrls,
        m: [Buffer.from(MEASUREMENT).toString('hex')],
        status: 'open',
        deadline: 1763990400
      }
    );
  });

  it('unknown id -> null', async () => {
    const r = await rt.query(gov, 'get_proposal_info', new Uint8Array(IDL.encode([IDL.Nat64], [1n])), { caller: Principal.anonymous() });
    assert.ok(r.kind === 'replied' && decodeGetProposalInfoReply(r.reply) === null);
  });

  it('list_proposals with the IC-OS election request returns only elections, newest first', async () => {
    const r = await rt.query(gov, 'list_proposals', new Uint8Array(IDL.encode([ListProposalInfo], [icOsElectionListRequest({ limit: 10 })])), { caller: Principal.anonymous() });
    assert.equal(r.kind, 'replied');
    if (r.kind !== 'replied') return;
    const [list] = IDL.decode([ListProposalInfoResponse], r.reply) as unknown as [ListProposalInfoResponseValue];
    assert.deepEqual(list.proposal_info.map((i) => i.id[0]?.id), [139202n, 139201n]);
    const paged = (await admin.list_proposals({ ...icOsElectionListRequest({ limit: 1 }), exclude_topic: [] })).proposal_info.map((i) => i.id[0]?.id);
    assert.deepEqual(paged, [139203n]);
  });

  it('only controllers may seed; set_status and remove_proposal change what is served', async () => {
    const stranger = createActor<GovernanceStandIn>(rt, gov, governanceStandInIdlFactory, { caller: Ed25519KeyIdentity.generate() });
    const denied = await stranger.set_status(139201n, 4);
    assert.ok('Err' in denied && /controller/.test(denied.Err));
    assert.deepEqual(await admin.set_status(139202n, 4), { Ok: 139202n });
    const [info] = await admin.get_proposal_info(139202n);
    assert.equal(info?.status, 4);
    assert.ok('Err' in (await admin.set_status(139202n, 9)));
    assert.deepEqual(await admin.add_proposal(makeProposalInfo({ id: 5n, title: 'x', summary: '', topic: 13, action: null, proposedAtSeconds: 1n })), { Ok: 5n });
    assert.deepEqual(await admin.remove_proposal(5n), { Ok: 5n });
    assert.deepEqual(await admin.get_proposal_info(5n), []);
  });
});

describe('attestor governance client over HTTP against the stand-in', () => {
  let server: ReplicaServer;
  let agent: HttpAgent;
  before(async () => {
    server = await startReplicaServer({ runtime: rt });
    agent = await HttpAgent.create({ host: server.url, rootKey: server.rootKey, identity: Ed25519KeyIdentity.generate() });
  });
  after(() => server.close());

  it('fetchProposalFromGovernance reads the GuestOS election', async () => {
    const p = await fetchProposalFromGovernance(agent, '139201', { governanceId: gov.toText() });
    assert.equal(p.source, 'governance');
    assert.equal(p.commit, GUEST_COMMIT);
    assert.equal(p.sha256, SHA);
    assert.deepEqual(p.launchMeasurements, [Buffer.from(MEASUREMENT).toString('hex')]);
  });

  it('HostOS election', async () => {
    const p = await fetchProposalFromGovernance(agent, 139202n, { governanceId: gov.toText() });
    assert.equal(p.elects, 'hostos');
    assert.equal(p.commit, HOST_COMMIT);
  });

  it('unknown -> not-found; a motion -> not-icos', async () => {
    await assert.rejects(fetchProposalFromGovernance(agent, 424242, { governanceId: gov.toText() }), isKind('not-found'));
    await assert.rejects(fetchProposalFromGovernance(agent, 139203, { governanceId: gov.toText() }), isKind('not-icos'));
    const raw = await getProposalInfo(agent, 139203, { governanceId: gov.toText() });
    assert.equal(raw?.topic, TOPIC.Governance);
  });

  it('listProposalsFromGovernance finds the elections', async () => {
    const { proposals, errors } = await listProposalsFromGovernance(agent, { governanceId: gov.toText(), limit: 50 });
    assert.deepEqual(errors, []);
    assert.deepEqual(proposals.map((p) => [p.id, p.elects]), [['139202', 'hostos'], ['139201', 'guestos']]);
  });

  it('a canister that does not exist -> network (rejected)', async () => {
    await assert.rejects(fetchProposalFromGovernance(agent, 1, { governanceId: 'rrkah-fqaaa-aaaaa-aaaaq-cai' }), isKind('network'));
  });

  it('nothing listening -> network', async () => {
    const dead = await HttpAgent.create({ host: 'http://127.0.0.1:9', rootKey: server.rootKey, retryTimes: 0 });
    await assert.rejects(fetchProposalFromGovernance(dead, 1, { governanceId: gov.toText() }), isKind('network'));
  });
});

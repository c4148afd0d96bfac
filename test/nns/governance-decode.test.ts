/**
 * Governance path: registry payloads Candid-encoded with the registry types, wrapped in a
 * ProposalInfo, the whole `get_proposal_info` reply encoded to bytes, decoded back through our
 * decoder. Also: older payload shapes, non-IC-OS proposals, Action cases we do not know.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { IDL } from '@dfinity/candid';

import {
  ELECTION_TOPIC,
  decodeGetProposalInfoReply,
  electionAction,
  encodeGetProposalInfoReply,
  makeProposalInfo,
  type ElectionShape
} from '../../protocol/nns/build.js';
import { ProposalError } from '../../protocol/nns/errors.js';
import { IC_OS_ELECTION_TOPIC, NNS_FUNCTION, TOPIC, nnsFunctionId, nnsFunctionName } from '../../protocol/nns/functions.js';
import { ListProposalInfoResponse, ProposalInfo, type ActionValue, type ProposalInfoValue } from '../../protocol/nns/governance_idl.js';
import { measurementToHex } from '../../protocol/nns/hex.js';
import { icOsElectionListRequest, icOsElectionsOf } from '../../protocol/nns/list.js';
import { decodeElectionProposal } from '../../protocol/nns/proposal.js';
import {
  BlessReplicaVersionPayload,
  ReviseElectedGuestosVersionsPayload,
  decodeElectionPayload,
  encodeBlessReplicaVersionPayload,
  encodeReviseElectedGuestosVersionsPayload
} from '../../protocol/nns/registry_idl.js';

const COMMIT = '8d1e2f4a93b7c0e5d6f8a1b2c3d4e5f60718293a';
const SHA = '4c4ba8b9e3f6d2a1c0b9a8f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4';
const URLS = [
  `https://download.dfinity.systems/ic/${COMMIT}/guest-os/update-img/update-img.tar.zst`,
  `https://download.dfinity.network/ic/${COMMIT}/guest-os/update-img/update-img.tar.zst`
];
const MEASUREMENT = Uint8Array.from({ length: 48 }, (_, i) => 0x30 + i);
const MEASUREMENT_HEX = Buffer.from(MEASUREMENT).toString('hex');

function info(id: bigint, action: ActionValue | null, topic: number = ELECTION_TOPIC): ProposalInfoValue {
  return makeProposalInfo({
    id,
    title: `Proposal ${id}`,
    summary: `Summary of ${id}`,
    topic,
    action,
    proposedAtSeconds: 1763645600n,
    deadlineSeconds: 1763990400n
  });
}

/** Encodes the reply as governance would put it on the wire, then decodes it like a client. */
function viaWire(i: ProposalInfoValue) {
  const bytes = encodeGetProposalInfoReply(i);
  assert.equal(Buffer.from(bytes.subarray(0, 4)).toString('latin1'), 'DIDL');
  const back = decodeGetProposalInfoReply(bytes);
  assert.ok(back !== null);
  return decodeElectionProposal(back);
}

const election = (shape: ElectionShape, id = 139201n) => viaWire(info(id, electionAction(shape)));

describe('governance: IC-OS elections decode from real Candid', () => {
  it('GuestOS: ReviseElectedGuestosVersions (38) with launch measurements', () => {
    const p = election({
      function: 'ReviseElectedGuestosVersions',
      election: {
        commit: COMMIT.toUpperCase(),
        sha256: SHA.toUpperCase(),
        urls: URLS,
        measurements: [{ measurement: MEASUREMENT, kernelCmdline: 'root=/dev/vda5 console=ttyS0' }],
        unelect: ['2f87fe9f6a7b3e2d1c0b9a8f7e6d5c4b3a291807']
      }
    });
    assert.deepEqual(p, {
      id: '139201',
      title: 'Proposal 139201',
      summary: 'Summary of 139201',
      status: 'open',
      elects: 'guestos',
      action: 'ReviseElectedGuestosVersions',
      commit: COMMIT,
      sha256: SHA,
      urls: URLS,
      launchMeasurements: [MEASUREMENT_HEX],
      unelect: ['2f87fe9f6a7b3e2d1c0b9a8f7e6d5c4b3a291807'],
      proposedAtSeconds: 1763645600,
      deadlineSeconds: 1763990400,
      source: 'governance'
    });
  });

  it('HostOS: ReviseElectedHostosVersions (50) and the older UpdateElectedHostosVersions (40)', () => {
    const hostUrls = URLS.map((u) => u.replace('guest-os', 'host-os'));
    for (const fn of ['ReviseElectedHostosVersions', 'UpdateElectedHostosVersions'] as const) {
      const p = election({ function: fn, election: { commit: COMMIT, sha256: SHA, urls: hostUrls, unelect: ['aa'.repeat(20)] } });
      assert.equal(p.elects, 'hostos');
      assert.equal(p.action, fn);
      assert.equal(p.commit, COMMIT);
      assert.equal(p.sha256, SHA);
      assert.deepEqual(p.urls, hostUrls);
      assert.deepEqual(p.launchMeasurements, []);
      assert.deepEqual(p.unelect, ['aa'.repeat(20)]);
    }
  });

  it('older GuestOS shape: UpdateElectedReplicaVersions payload (38, 2023-24) decodes, no measurements', () => {
    const p = election({
      function: 'UpdateElectedReplicaVersions',
      election: { commit: COMMIT, sha256: SHA, urls: URLS, measurementSha256: 'ff'.repeat(32) }
    });
    assert.equal(p.elects, 'guestos');
    assert.equal(p.action, 'ReviseElectedGuestosVersions'); // id 38, current name
    assert.equal(p.commit, COMMIT);
    assert.equal(p.sha256, SHA);
    assert.deepEqual(p.urls, URLS);
    assert.deepEqual(p.launchMeasurements, []);
  });

  it('2022 shape: BlessReplicaVersion (5) with one release_package_url', () => {
    const url = `https://download.dfinity.systems/ic/${COMMIT}/guest-os/update-img/update-img.tar.gz`;
    const p = election({ function: 'BlessReplicaVersion', election: { commit: COMMIT, sha256: SHA, url } });
    assert.equal(p.elects, 'guestos');
    assert.equal(p.action, 'BlessReplicaVersion');
    assert.equal(p.commit, COMMIT);
    assert.equal(p.sha256, SHA);
    assert.deepEqual(p.urls, [url]);
  });

  it('BlessReplicaVersion with the later release_package_urls field reads both URL fields', () => {
    const Later = IDL.Record({
      replica_version_id: IDL.Text,
      release_package_url: IDL.Text,
      release_package_sha256_hex: IDL.Text,
      release_package_urls: IDL.Opt(IDL.Vec(IDL.Text)),
      binary_url: IDL.Text
    });
    const payload = new Uint8Array(
      IDL.encode([Later], [{ replica_version_id: COMMIT, release_package_url: URLS[0], release_package_sha256_hex: SHA, release_package_urls: [[URLS[0], URLS[1]]], binary_url: '' }])
    );
    const p = decodeElectionPayload(NNS_FUNCTION.BlessReplicaVersion, payload);
    assert.deepEqual(p.urls, URLS);
    // and the builder emits the real 7-field type
    const [v] = IDL.decode([BlessReplicaVersionPayload], encodeBlessReplicaVersionPayload({ commit: COMMIT, sha256: SHA, url: URLS[0] })) as unknown as [{ replica_version_id: string; node_manager_sha256_hex: string }];
    assert.equal(v.replica_version_id, COMMIT);
    assert.equal(v.node_manager_sha256_hex, '');
  });

  it('an election that only unelects versions elects nothing: not-icos, with the unelect list', () => {
    const p = election({ function: 'ReviseElectedGuestosVersions', election: { commit: null, sha256: null, urls: [], unelect: [COMMIT] } });
    assert.equal(p.elects, 'not-icos');
    assert.equal(p.action, 'ReviseElectedGuestosVersions');
    assert.equal(p.commit, null);
    assert.deepEqual(p.unelect, [COMMIT]);
  });
});

describe('governance: proposals that elect nothing IC-OS', () => {
  it('a Motion is not-icos', () => {
    const p = viaWire(info(139203n, { Motion: { motion_text: 'We should.' } }, TOPIC.Governance));
    assert.equal(p.elects, 'not-icos');
    assert.equal(p.action, 'Motion');
    assert.equal(p.commit, null);
    assert.equal(p.sha256, null);
    assert.deepEqual(p.urls, []);
  });

  it('an ExecuteNnsFunction that deploys (11) rather than elects is not-icos, named by its function', () => {
    const p = viaWire(info(139204n, { ExecuteNnsFunction: { nns_function: 11, payload: new Uint8Array(IDL.encode([IDL.Text], ['x'])) } }, TOPIC.IcOsVersionDeployment));
    assert.equal(p.elects, 'not-icos');
    assert.equal(p.action, 'DeployGuestosToAllSubnetNodes');
  });

  it('another Action case with a deep body (ManageNeuron -> MakeProposal, recursive) round-trips', () => {
    const inner = { url: '', title: ['inner'] as [string], action: [{ Motion: { motion_text: 'm' } }] as [{ Motion: { motion_text: string } }], summary: '' };
    const action = {
      ManageNeuron: {
        id: [{ id: 7n }],
        command: [{ MakeProposal: inner }],
        neuron_id_or_subaccount: []
      }
    };
    const p = viaWire(info(139205n, action, TOPIC.NeuronManagement));
    assert.equal(p.action, 'ManageNeuron');
    assert.equal(p.elects, 'not-icos');
  });
});

describe('governance: replies from a newer governance', () => {
  // A newer governance: ProposalInfo has a field we do not know, and Action a case we do not know.
  const NewerAction = IDL.Variant({
    ExecuteNnsFunction: IDL.Record({ nns_function: IDL.Int32, payload: IDL.Vec(IDL.Nat8) }),
    Motion: IDL.Record({ motion_text: IDL.Text }),
    FulfillSubnetRentalRequest: IDL.Record({ user: IDL.Opt(IDL.Principal), node_ids: IDL.Opt(IDL.Vec(IDL.Principal)) })
  });
  const NewerProposal = IDL.Record({ url: IDL.Text, title: IDL.Opt(IDL.Text), action: IDL.Opt(NewerAction), summary: IDL.Text, self_describing_action: IDL.Opt(IDL.Text) });
  const NewerInfo = IDL.Record({
    id: IDL.Opt(IDL.Record({ id: IDL.Nat64 })),
    status: IDL.Int32,
    topic: IDL.Int32,
    proposal_timestamp_seconds: IDL.Nat64,
    deadline_timestamp_seconds: IDL.Opt(IDL.Nat64),
    failed_timestamp_seconds: IDL.Nat64,
    reject_cost_e8s: IDL.Nat64,
    reward_status: IDL.Int32,
    reward_event_round: IDL.Nat64,
    decided_timestamp_seconds: IDL.Nat64,
    executed_timestamp_seconds: IDL.Nat64,
    ballots: IDL.Vec(IDL.Tuple(IDL.Nat64, IDL.Record({ vote: IDL.Int32, voting_power: IDL.Nat64 }))),
    proposal: IDL.Opt(NewerProposal),
    total_potential_voting_power: IDL.Opt(IDL.Nat64),
    // not in our types:
    topic_name_for_humans: IDL.Text
  });
  const common = {
    id: [{ id: 140000n }],
    status: 4,
    topic: IC_OS_ELECTION_TOPIC,
    proposal_timestamp_seconds: 1763645600n,
    deadline_timestamp_seconds: [],
    failed_timestamp_seconds: 0n,
    reject_cost_e8s: 0n,
    reward_status: 3,
    reward_event_round: 0n,
    decided_timestamp_seconds: 0n,
    executed_timestamp_seconds: 0n,
    ballots: [],
    total_potential_voting_power: [],
    topic_name_for_humans: 'IC-OS version election'
  };
  const decode = (bytes: ArrayBuffer | Uint8Array) => decodeGetProposalInfoReply(new Uint8Array(bytes));

  it('an election still decodes (extra fields skipped)', () => {
    const payload = encodeReviseElectedGuestosVersionsPayload({ commit: COMMIT, sha256: SHA, urls: URLS, measurements: [{ measurement: MEASUREMENT }] });
    const value = { ...common, proposal: [{ url: '', title: ['t'], summary: 's', self_describing_action: ['x'], action: [{ ExecuteNnsFunction: { nns_function: 38, payload } }] }] };
    const i = decode(IDL.encode([IDL.Opt(NewerInfo)], [[value]]));
    assert.ok(i !== null);
    const p = decodeElectionProposal(i);
    assert.equal(p.status, 'executed');
    assert.equal(p.deadlineSeconds, null);
    assert.equal(p.commit, COMMIT);
    assert.deepEqual(p.launchMeasurements, [MEASUREMENT_HEX]);
  });

  it('an Action case we do not know decodes to "no action": unknown, not-icos, no throw', () => {
    const value = { ...common, proposal: [{ url: '', title: ['rent'], summary: 's', self_describing_action: [], action: [{ FulfillSubnetRentalRequest: { user: [], node_ids: [] } }] }] };
    const i = decode(IDL.encode([IDL.Opt(NewerInfo)], [[value]]));
    assert.ok(i !== null);
    const p = decodeElectionProposal(i);
    assert.equal(p.action, 'unknown');
    assert.equal(p.elects, 'not-icos');
    assert.equal(p.title, 'rent');
  });

  it('a list_proposals reply with an unknown Action among elections keeps the elections', () => {
    const payload = encodeReviseElectedGuestosVersionsPayload({ commit: COMMIT, sha256: SHA, urls: URLS });
    const NewerList = IDL.Record({ proposal_info: IDL.Vec(NewerInfo) });
    const bytes = IDL.encode([NewerList], [
      {
        proposal_info: [
          { ...common, id: [{ id: 2n }], proposal: [{ url: '', title: [], summary: '', self_describing_action: [], action: [{ FulfillSubnetRentalRequest: { user: [], node_ids: [] } }] }] },
          { ...common, id: [{ id: 1n }], proposal: [{ url: '', title: [], summary: '', self_describing_action: [], action: [{ ExecuteNnsFunction: { nns_function: 38, payload } }] }] }
        ]
      }
    ]);
    const [list] = IDL.decode([ListProposalInfoResponse], bytes) as unknown as [{ proposal_info: ProposalInfoValue[] }];
    const decoded = icOsElectionsOf(list).map(decodeElectionProposal);
    assert.deepEqual(decoded.map((p) => [p.id, p.elects]), [['2', 'not-icos'], ['1', 'guestos']]);
  });
});

describe('governance: errors are typed', () => {
  it('a 38 whose payload is not the registry type -> bad-payload', () => {
    const i = info(1n, { ExecuteNnsFunction: { nns_function: 38, payload: new Uint8Array(IDL.encode([IDL.Text], ['nope'])) } });
    assert.throws(() => decodeElectionProposal(i), (e: unknown) => e instanceof ProposalError && e.kind === 'bad-payload' && /proposal 1 \(ReviseElectedGuestosVersions\)/.test(e.message));
  });

  it('garbage bytes as payload -> bad-payload', () => {
    const i = info(2n, { ExecuteNnsFunction: { nns_function: 50, payload: new Uint8Array([1, 2, 3]) } });
    assert.throws(() => decodeElectionProposal(i), (e: unknown) => e instanceof ProposalError && e.kind === 'bad-payload');
  });

  it('a ProposalInfo without a body -> bad-response', () => {
    const i = { ...info(3n, null), proposal: [] as [] };
    assert.throws(() => decodeElectionProposal(i), (e: unknown) => e instanceof ProposalError && e.kind === 'bad-response');
  });

  it('get_proposal_info reply null decodes to null', () => {
    assert.equal(decodeGetProposalInfoReply(encodeGetProposalInfoReply(null)), null);
  });
});

describe('tables and helpers', () => {
  it('function ids and the election topic', () => {
    assert.equal(nnsFunctionName(38), 'ReviseElectedGuestosVersions');
    assert.equal(nnsFunctionName(50), 'ReviseElectedHostosVersions');
    assert.equal(nnsFunctionName(40), 'UpdateElectedHostosVersions');
    assert.equal(nnsFunctionName(5), 'BlessReplicaVersion');
    assert.equal(nnsFunctionId('UpdateElectedReplicaVersions'), 38);
    assert.equal(nnsFunctionName(999), 'NnsFunction999');
    assert.equal(IC_OS_ELECTION_TOPIC, 13);
  });

  it('list request excludes every other topic, not 13', () => {
    const r = icOsElectionListRequest({ limit: 500, before: 10n });
    assert.equal(r.limit, 100);
    assert.ok(!r.exclude_topic.includes(13));
    assert.ok(r.exclude_topic.includes(TOPIC.Governance));
    assert.deepEqual(r.before_proposal, [{ id: 10n }]);
  });

  it('measurements as byte arrays and as hex normalise to the same hex', () => {
    assert.equal(measurementToHex(Array.from(MEASUREMENT)), MEASUREMENT_HEX);
    assert.equal(measurementToHex(MEASUREMENT_HEX.toUpperCase()), MEASUREMENT_HEX);
    assert.equal(measurementToHex(`0x${MEASUREMENT_HEX}`), MEASUREMENT_HEX);
    assert.equal(measurementToHex([256]), null);
    assert.equal(measurementToHex('abc'), null);
  });

  it('the payload encoder produces the registry type exactly', () => {
    const bytes = encodeReviseElectedGuestosVersionsPayload({ commit: COMMIT, sha256: SHA, urls: URLS, measurements: [{ measurement: MEASUREMENT, kernelCmdline: 'k' }] });
    const [v] = IDL.decode([ReviseElectedGuestosVersionsPayload], bytes) as unknown as [{ guest_launch_measurements: [{ guest_launch_measurements: Array<{ metadata: [{ kernel_cmdline: string }] }> }] }];
    assert.equal(v.guest_launch_measurements[0].guest_launch_measurements[0].metadata[0].kernel_cmdline, 'k');
    // ProposalInfo itself encodes with the IDL (recursive Proposal type included)
    assert.ok(IDL.encode([ProposalInfo], [info(9n, null)]).byteLength > 0);
  });
});

/**
 * Dashboard path: fixtures in the real v3 shape served by a local node:http server, fetched with
 * the attestor's client, compared with the governance path for the same proposal.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { fetchProposalFromDashboard, listProposalsFromDashboard } from '../../attestor/icos/proposal/dashboard.js';
import { proposalEndpoints } from '../../attestor/icos/proposal/endpoints.js';
import { decodeGetProposalInfoReply, electionAction, encodeGetProposalInfoReply, makeProposalInfo, ELECTION_TOPIC } from '../../protocol/nns/build.js';
import { ProposalError } from '../../protocol/nns/errors.js';
import { decodeElectionProposal, parseDashboardProposal, type ElectionProposal } from '../../protocol/nns/proposal.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/dashboard/${name}`, import.meta.url)), 'utf8')) as Record<string, unknown>;

const GUEST = fixture('proposal-139201-guestos.json');
const HOST = fixture('proposal-139202-hostos.json');
const MOTION = fixture('proposal-139203-motion.json');
const BLESS = fixture('proposal-68820-bless.json');
const LIST = fixture('proposals-ic-os-election.json');

const COMMIT = '8d1e2f4a93b7c0e5d6f8a1b2c3d4e5f60718293a';
const SHA = '4c4ba8b9e3f6d2a1c0b9a8f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4';
const MEASUREMENT = Uint8Array.from({ length: 48 }, (_, i) => 0x30 + i);

const isKind = (kind: string) => (e: unknown) => e instanceof ProposalError && e.kind === kind;
const withoutSource = ({ source: _s, ...rest }: ElectionProposal) => rest;

let server: Server;
let base: string;
const hits: string[] = [];

before(async () => {
  const byId: Record<string, unknown> = { '139201': GUEST, '139202': HOST, '139203': MOTION, '68820': BLESS };
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.push(url.pathname + url.search);
    const m = /^\/api\/v3\/proposals\/(\d+)$/.exec(url.pathname);
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    };
    if (url.pathname === '/api/v3/proposals') {
      if (url.searchParams.get('include_topic') !== 'TOPIC_IC_OS_VERSION_ELECTION') return send(400, '{"detail":"bad topic"}');
      return send(200, JSON.stringify(LIST));
    }
    if (m && m[1] === '500') return send(503, '{"detail":"down"}');
    if (m && m[1] === '777') return send(200, '<html>not json</html>');
    if (m && m[1] === '778') return send(200, JSON.stringify({ ...GUEST, id: 1, proposal_id: 1 }));
    if (m && byId[m[1]] !== undefined) return send(200, JSON.stringify(byId[m[1]]));
    return send(404, '{"detail":"Proposal not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('dashboard: real-shape JSON over HTTP', () => {
  it('GuestOS election: commit, hash, URLs, measurements normalised to lowercase hex', async () => {
    const p = await fetchProposalFromDashboard('139201', { baseUrl: base });
    assert.equal(p.source, 'dashboard');
    assert.equal(p.elects, 'guestos');
    assert.equal(p.action, 'ReviseElectedGuestosVersions');
    assert.equal(p.status, 'open');
    assert.equal(p.commit, COMMIT);
    assert.equal(p.sha256, SHA);
    assert.equal(p.urls.length, 2);
    assert.match(p.urls[0], /^https:\/\/download\.dfinity\.systems\/ic\/8d1e2f4a.*\/guest-os\/update-img\/update-img\.tar\.zst$/);
    assert.deepEqual(p.launchMeasurements, [Buffer.from(MEASUREMENT).toString('hex')]);
    assert.equal(p.proposedAtSeconds, 1763645600);
    assert.equal(p.deadlineSeconds, 1763990400);
    assert.ok(hits.includes('/api/v3/proposals/139201'));
  });

  it('same ElectionProposal as governance for the same proposal (GuestOS and HostOS)', async () => {
    for (const [id, json] of [['139201', GUEST], ['139202', HOST]] as const) {
      const fromDashboard = await fetchProposalFromDashboard(id, { baseUrl: base });
      const payload = json.payload as Record<string, unknown>;
      const isGuest = 'replica_version_to_elect' in payload;
      const glm = isGuest ? ((payload.guest_launch_measurements as { guest_launch_measurements: Array<{ measurement: string; metadata: { kernel_cmdline: string } }> }).guest_launch_measurements) : [];
      const action = electionAction(
        isGuest
          ? {
              function: 'ReviseElectedGuestosVersions',
              election: {
                commit: payload.replica_version_to_elect as string,
                sha256: payload.release_package_sha256_hex as string,
                urls: payload.release_package_urls as string[],
                unelect: payload.replica_versions_to_unelect as string[],
                measurements: glm.map((m) => ({ measurement: Uint8Array.from(Buffer.from(m.measurement, 'hex')), kernelCmdline: m.metadata.kernel_cmdline }))
              }
            }
          : {
              function: 'ReviseElectedHostosVersions',
              election: {
                commit: payload.hostos_version_to_elect as string,
                sha256: payload.release_package_sha256_hex as string,
                urls: payload.release_package_urls as string[],
                unelect: payload.hostos_versions_to_unelect as string[]
              }
            }
      );
      const info = makeProposalInfo({
        id: BigInt(id),
        title: json.title as string,
        summary: json.summary as string,
        status: (json.status as string).toLowerCase() as 'open' | 'executed',
        topic: ELECTION_TOPIC,
        action,
        proposedAtSeconds: BigInt(json.proposal_timestamp_seconds as number),
        deadlineSeconds: BigInt(json.deadline_timestamp_seconds as number)
      });
      const fromGovernance = decodeElectionProposal(decodeGetProposalInfoReply(encodeGetProposalInfoReply(info))!);
      assert.equal(fromGovernance.source, 'governance');
      assert.deepEqual(withoutSource(fromDashboard), withoutSource(fromGovernance));
      assert.deepEqual(JSON.stringify(withoutSource(fromDashboard)), JSON.stringify(withoutSource(fromGovernance)), 'same key order too');
    }
  });

  it('HostOS: upper-case hash in the JSON comes out lowercase', async () => {
    const p = await fetchProposalFromDashboard(139202, { baseUrl: base });
    assert.equal(p.elects, 'hostos');
    assert.equal(p.status, 'executed');
    assert.equal(p.sha256, ((HOST.payload as { release_package_sha256_hex: string }).release_package_sha256_hex).toLowerCase());
    assert.notEqual(p.sha256, (HOST.payload as { release_package_sha256_hex: string }).release_package_sha256_hex);
  });

  it('2022 BlessReplicaVersion: one URL, no deadline', async () => {
    const p = await fetchProposalFromDashboard(68820n, { baseUrl: base });
    assert.equal(p.action, 'BlessReplicaVersion');
    assert.equal(p.elects, 'guestos');
    assert.equal(p.urls.length, 1);
    assert.match(p.urls[0], /update-img\.tar\.gz$/);
    assert.equal(p.deadlineSeconds, null);
  });

  it('launch measurements given as byte arrays normalise to the same hex as the hex form', () => {
    const payload = GUEST.payload as { guest_launch_measurements: { guest_launch_measurements: Array<{ measurement: string }> } };
    const asBytes = structuredClone(GUEST) as typeof GUEST;
    (asBytes.payload as typeof payload).guest_launch_measurements.guest_launch_measurements[0].measurement = Array.from(MEASUREMENT) as unknown as string;
    assert.deepEqual(parseDashboardProposal(asBytes).launchMeasurements, parseDashboardProposal(GUEST).launchMeasurements);
    assert.deepEqual(parseDashboardProposal(asBytes).launchMeasurements, [Buffer.from(MEASUREMENT).toString('hex')]);
  });

  it('the 2023-24 name UpdateElectedReplicaVersions reads as function 38 under its current name', () => {
    const p = parseDashboardProposal({ ...GUEST, action_nns_function: 'UpdateElectedReplicaVersions' });
    assert.equal(p.action, 'ReviseElectedGuestosVersions');
    assert.equal(p.elects, 'guestos');
    assert.equal(p.commit, COMMIT);
    const q = parseDashboardProposal({ ...HOST, action_nns_function: 'UpdateElectedHostosVersions' });
    assert.equal(q.action, 'UpdateElectedHostosVersions');
    assert.equal(q.elects, 'hostos');
  });

  it('the dashboard list: IC-OS elections from {data: [...]}', async () => {
    const { proposals, errors } = await listProposalsFromDashboard({ baseUrl: base, limit: 10 });
    assert.deepEqual(errors, []);
    assert.deepEqual(proposals.map((p) => [p.id, p.elects]), [['139202', 'hostos'], ['139201', 'guestos']]);
    assert.ok(hits.includes('/api/v3/proposals?include_topic=TOPIC_IC_OS_VERSION_ELECTION&limit=10'));
  });
});

describe('dashboard: typed errors', () => {
  it('404 -> not-found', async () => {
    await assert.rejects(fetchProposalFromDashboard('424242', { baseUrl: base }), (e: unknown) => isKind('not-found')(e) && /424242/.test((e as Error).message));
  });

  it('a Motion -> not-icos, or the proposal with elects not-icos when allowed', async () => {
    await assert.rejects(fetchProposalFromDashboard('139203', { baseUrl: base }), isKind('not-icos'));
    const p = await fetchProposalFromDashboard('139203', { baseUrl: base, allowNotIcos: true });
    assert.equal(p.elects, 'not-icos');
    assert.equal(p.action, 'Motion');
  });

  it('5xx -> network; nothing listening -> network', async () => {
    await assert.rejects(fetchProposalFromDashboard('500', { baseUrl: base }), isKind('network'));
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    await assert.rejects(fetchProposalFromDashboard('1', { baseUrl: `http://127.0.0.1:${port}/api/v3` }), isKind('network'));
  });

  it('a custom fetch that throws -> network', async () => {
    const failing = (async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    }) as typeof fetch;
    await assert.rejects(fetchProposalFromDashboard('1', { baseUrl: base, fetch: failing }), (e: unknown) => isKind('network')(e) && /ECONNREFUSED/.test((e as Error).message));
  });

  it('not JSON, or another proposal than asked -> bad-response', async () => {
    await assert.rejects(fetchProposalFromDashboard('777', { baseUrl: base }), isKind('bad-response'));
    await assert.rejects(fetchProposalFromDashboard('778', { baseUrl: base }), isKind('bad-response'));
  });

  it('a bad id -> bad-input, before any request', async () => {
    const before = hits.length;
    await assert.rejects(fetchProposalFromDashboard('12abc', { baseUrl: base }), isKind('bad-input'));
    await assert.rejects(fetchProposalFromDashboard('-1', { baseUrl: base }), isKind('bad-input'));
    await assert.rejects(fetchProposalFromDashboard('18446744073709551616', { baseUrl: base }), isKind('bad-input'));
    assert.equal(hits.length, before);
  });

  it('parseDashboardProposal rejects wrong shapes with bad-response / bad-payload', () => {
    assert.throws(() => parseDashboardProposal('x'), isKind('bad-response'));
    assert.throws(() => parseDashboardProposal({ title: 'no id' }), isKind('bad-response'));
    assert.throws(() => parseDashboardProposal({ ...GUEST, proposal_timestamp_seconds: 'soon' }), isKind('bad-response'));
    assert.throws(() => parseDashboardProposal({ ...GUEST, payload: 'blob' }), isKind('bad-payload'));
    assert.throws(() => parseDashboardProposal({ ...GUEST, payload: { ...(GUEST.payload as object), release_package_urls: 'one' } }), isKind('bad-response'));
    const badMeasurement = structuredClone(GUEST) as { payload: { guest_launch_measurements: { guest_launch_measurements: Array<{ measurement: unknown }> } } };
    badMeasurement.payload.guest_launch_measurements.guest_launch_measurements[0].measurement = 'xyz';
    assert.throws(() => parseDashboardProposal(badMeasurement), isKind('bad-response'));
  });
});

describe('endpoints', () => {
  it('flags beat env beat mainnet defaults; trailing slashes dropped', () => {
    assert.deepEqual(proposalEndpoints({}, {}), { governanceId: 'rrkah-fqaaa-aaaaa-aaaaq-cai', dashboardUrl: 'https://ic-api.internetcomputer.org/api/v3' });
    assert.deepEqual(proposalEndpoints({}, { ICOS_ATTEST_DASHBOARD_URL: 'http://127.0.0.1:9/api/v3/', ICOS_ATTEST_GOVERNANCE_ID: 'aaaaa-aa' }), {
      governanceId: 'aaaaa-aa',
      dashboardUrl: 'http://127.0.0.1:9/api/v3'
    });
    assert.equal(proposalEndpoints({ governanceId: 'bkyz2-fmaaa-aaaaa-qaaaq-cai' }, { ICOS_ATTEST_GOVERNANCE_ID: 'aaaaa-aa' }).governanceId, 'bkyz2-fmaaa-aaaaa-qaaaq-cai');
  });

  it('the dashboard client reads ICOS_ATTEST_DASHBOARD_URL when no baseUrl is given', async () => {
    const saved = process.env.ICOS_ATTEST_DASHBOARD_URL;
    process.env.ICOS_ATTEST_DASHBOARD_URL = base;
    try {
      const p = await fetchProposalFromDashboard('139202');
      assert.equal(p.id, '139202');
    } finally {
      if (saved === undefined) delete process.env.ICOS_ATTEST_DASHBOARD_URL;
      else process.env.ICOS_ATTEST_DASHBOARD_URL = saved;
    }
  });
});

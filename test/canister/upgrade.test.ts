/**
 * Upgrade: 120 attestations (ICOS_ATTEST_UPGRADE_COUNT for more) (some superseded, some revoked) survive an upgrade to a rebuilt
 * Wasm with every attestation page, report, reviewer and config byte-identical.
 * Takes about a minute: each submission verifies a real signature inside the canister.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IDL } from '@dfinity/candid';
import { METHODS } from '../../protocol/service.js';
import { envelope, hash, profile, reviewer } from './fixtures.js';
import { deploy, type Deployed } from './harness.js';
import { ok } from './util.js';

const COUNT = Number(process.env.ICOS_ATTEST_UPGRADE_COUNT ?? 120);
const OSES = ['guestos', 'hostos', 'setupos'] as const;

/** Raw reply bytes of every query whose answer must survive the upgrade. */
async function everything(d: Deployed, proposals: bigint[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const q = async (method: keyof typeof METHODS, args: unknown[]) => {
    const r = await d.rt.query(d.id, method, new Uint8Array(IDL.encode([...METHODS[method].args], args)), { caller: d.id });
    assert.equal(r.kind, 'replied', `${method} replies: ${r.kind === 'rejected' ? r.message.slice(0, 600) : ''}`);
    return r.kind === 'replied' ? r.reply : new Uint8Array();
  };
  let cursor: [] | [bigint] = [];
  for (let page = 0; ; page++) {
    const bytes = await q('list_attestations', [{ proposal: [], os: [], reviewer: [], include_revoked: true }, cursor, 100]);
    out.set(`list_attestations ${page}`, Buffer.from(bytes).toString('hex'));
    const [decoded] = IDL.decode([METHODS.list_attestations.ret], bytes) as unknown as [{ next_cursor: [] | [bigint] }];
    if (decoded.next_cursor.length === 0) break;
    cursor = decoded.next_cursor;
  }
  for (const p of proposals) out.set(`proposal_report ${p}`, Buffer.from(await q('proposal_report', [p])).toString('hex'));
  for (const id of [1n, 2n, BigInt(COUNT)]) out.set(`get_attestation ${id}`, Buffer.from(await q('get_attestation', [id])).toString('hex'));
  out.set('list_proposals', Buffer.from(await q('list_proposals', [[], 50])).toString('hex'));
  out.set('list_reviewers', Buffer.from(await q('list_reviewers', [[], 100])).toString('hex'));
  out.set('get_config', Buffer.from(await q('get_config', [])).toString('hex'));
  out.set('stats', Buffer.from(await q('stats', [])).toString('hex'));
  return out;
}

describe('attestations canister: upgrade', () => {
  it(`keeps ${COUNT} attestations and their reports byte-identical across an upgrade`, async () => {
    const d = await deploy();
    const reviewers = Array.from({ length: 10 }, (_, i) => reviewer(`r${i}`, i % 2 === 0 ? 'ed25519' : 'secp256k1'));
    for (const r of reviewers) ok(await d.as(r).register_reviewer(profile(r)));
    for (const r of reviewers.slice(0, 6)) ok(await d.controller.endorse_reviewer(r.principal, true));
    ok(await d.controller.set_config({ quorum: 4, registration_open: false, max_envelope_bytes: 60_000, max_submissions_per_proposal: [] }));

    const started = Date.now();
    const proposals = new Set<bigint>();
    for (let i = 0; i < COUNT; i++) {
      const r = reviewers[i % reviewers.length];
      const slot = Math.floor(i / reviewers.length); // one proposal (and OS) per round of reviewers
      const proposal = 150_000n + BigInt(slot);
      const os = OSES[slot % OSES.length];
      proposals.add(proposal);
      const good = hash(`${proposal} ${os}`);
      const built = (i * 7) % 13 === 0 ? hash(`divergent ${i}`) : good;
      const id = ok(await d.as(r).submit_attestation(envelope(r, { proposal, os, built, proposalHash: os === 'setupos' ? null : good, cdn: good })));
      assert.equal(id, BigInt(i + 1));
      if (i % 50 === 49) ok(await d.as(r).revoke_attestation(id, `revoked ${i}`));
    }
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(`upgrade test: ${COUNT} submissions in ${seconds.toFixed(1)} s\n`);

    const all = [...proposals];
    const before = await everything(d, all);
    await d.upgrade();
    const after = await everything(d, all);
    assert.deepEqual([...after.keys()], [...before.keys()]);
    for (const [k, v] of before) assert.equal(after.get(k), v, `${k} is byte-identical after the upgrade`);
    assert.equal((await d.anonymous.stats()).attestations, BigInt(COUNT));
    assert.equal((await d.anonymous.get_config()).quorum, 4);

    // The upgraded canister keeps working: a new submission gets the next id.
    const r = reviewers[0];
    const next = ok(await d.as(r).submit_attestation(envelope(r, { proposal: 999_999n, os: 'guestos', built: hash('x'), proposalHash: hash('x') })));
    assert.equal(next, BigInt(COUNT + 1));
  });
});

/**
 * BlessAlternativeGuestOsVersion (SEV recovery): decoded from a real Candid `get_proposal_info`
 * reply and from dashboard JSON, its payload checked, and refused by `check` (library and the
 * real CLI) with what it blesses, since it names nothing to build.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { checkProposal } from '../../attestor/icos/cdn/check.js';
import { publish, startCdn, type CdnServer } from '../../demo/cdn-server.js';
import { notIcosMessage } from '../../protocol/nns/alternative.js';
import { decodeGetProposalInfoReply, encodeGetProposalInfoReply, makeProposalInfo } from '../../protocol/nns/build.js';
import { TOPIC } from '../../protocol/nns/functions.js';
import type { ActionValue } from '../../protocol/nns/governance_idl.js';
import { decodeElectionProposal, parseDashboardProposal } from '../../protocol/nns/proposal.js';
import { isolatedEnv, runCli, tempDir } from '../cli/helpers.js';

const ROOTFS = 'ab'.repeat(32);
const CHIP = Uint8Array.from({ length: 64 }, (_, i) => i);
const MEASUREMENT = Uint8Array.from({ length: 48 }, (_, i) => 0xa0 + (i % 16));

function action(over: Partial<{ rootfs: string; chips: Uint8Array[]; measurement: Uint8Array }> = {}): ActionValue {
  return {
    BlessAlternativeGuestOsVersion: {
      rootfs_hash: [over.rootfs ?? ROOTFS],
      chip_ids: [over.chips ?? [CHIP]],
      base_guest_launch_measurements: [{ guest_launch_measurements: [[{ measurement: [over.measurement ?? MEASUREMENT], metadata: [{ kernel_cmdline: ['root=/dev/vda5 dfinity.system=A'] }] }]] }],
    },
  };
}

function viaWire(a: ActionValue) {
  const info = makeProposalInfo({ id: 140_001n, title: 'Bless recovery GuestOS', summary: 's', topic: TOPIC.NodeAdmin, action: a, proposedAtSeconds: 1_764_000_000n, deadlineSeconds: null });
  const back = decodeGetProposalInfoReply(encodeGetProposalInfoReply(info));
  assert.ok(back);
  return decodeElectionProposal(back);
}

describe('BlessAlternativeGuestOsVersion', () => {
  it('governance: decoded through Candid, shown as what it blesses, elects nothing buildable', () => {
    const p = viaWire(action());
    assert.equal(p.action, 'BlessAlternativeGuestOsVersion');
    assert.equal(p.elects, 'not-icos');
    assert.equal(p.commit, null);
    assert.deepEqual(p.alternativeGuestOs, {
      rootfsHash: ROOTFS,
      chipIds: [Buffer.from(CHIP).toString('hex')],
      baseMeasurements: [{ measurement: Buffer.from(MEASUREMENT).toString('hex'), kernelCmdline: 'root=/dev/vda5 dfinity.system=A' }],
      problems: [],
    });
  });

  it('a malformed payload is named: short chip id, short measurement, bad rootfs hash', () => {
    const p = viaWire(action({ rootfs: 'xyz', chips: [CHIP.subarray(0, 32)], measurement: MEASUREMENT.subarray(0, 32) }));
    assert.deepEqual(p.alternativeGuestOs!.problems.length, 3);
    assert.match(notIcosMessage(p), /malformed: rootfs_hash "xyz".*chip id 0 is 32 bytes.*measurement 0 is 32 bytes/);
  });

  it('dashboard: the same facts from JSON (hex text or byte arrays)', () => {
    const p = parseDashboardProposal({
      id: 140_002, title: 't', summary: '', status: 'OPEN', action: 'BlessAlternativeGuestOsVersion', proposal_timestamp_seconds: 1_764_000_000,
      payload: { rootfs_hash: ROOTFS, chip_ids: [Array.from(CHIP)], base_guest_launch_measurements: { guest_launch_measurements: [{ measurement: Buffer.from(MEASUREMENT).toString('hex'), metadata: { kernel_cmdline: 'x' } }] } },
    });
    assert.equal(p.alternativeGuestOs?.rootfsHash, ROOTFS);
    assert.deepEqual(p.alternativeGuestOs?.problems, []);
    assert.equal(p.alternativeGuestOs?.baseMeasurements[0]?.measurement, Buffer.from(MEASUREMENT).toString('hex'));
  });

  it('check refuses it with what it blesses (library)', async () => {
    const r = await checkProposal(viaWire(action()), { cacheDir: tempDir(), mirrors: ['http://127.0.0.1:9'], provenance: { skip: true } });
    assert.equal(!r.ok && r.error.kind, 'not-icos');
    assert.match(!r.ok ? r.error.message : '', new RegExp(`BlessAlternativeGuestOsVersion.*${ROOTFS}.*1 SEV chip.*${Buffer.from(MEASUREMENT).toString('hex')}.*nothing to build`));
  });

  describe('real CLI', () => {
    let cdn: CdnServer;
    let home: string;
    before(async () => {
      home = tempDir('icos-alt-');
      cdn = await startCdn(join(home, 'api'));
      publish(
        cdn.root,
        '/api/v3/proposals/140003',
        JSON.stringify({ id: 140003, title: 'Bless', summary: '', status: 'OPEN', action: 'BlessAlternativeGuestOsVersion', proposal_timestamp_seconds: 1_764_000_000, payload: { rootfs_hash: ROOTFS, chip_ids: [Buffer.from(CHIP).toString('hex')], base_guest_launch_measurements: { guest_launch_measurements: [{ measurement: Buffer.from(MEASUREMENT).toString('hex') }] } } }),
      );
    });
    after(async () => cdn.close());

    it('check and build refuse it (exit 2) and say what it blesses', async () => {
      for (const cmd of [['check', '140003'], ['build', '140003']]) {
        const r = await runCli([...cmd, '--source', 'dashboard', '--dashboard-url', `${cdn.url}/api/v3`], { env: isolatedEnv(home) });
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, new RegExp(`${ROOTFS}.*nothing to build`));
      }
    });
  });
});

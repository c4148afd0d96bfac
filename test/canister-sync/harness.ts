/**
 * The compiled `attestations` canister and the compiled governance stand-in in one in-process
 * runtime, the attestations canister pointed at the stand-in. Built by `npm run build`.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { idlFactory, type AttestationsService } from '../../protocol/service.js';
import { governanceStandInIdlFactory, type ElectionSeedValue, type GovernanceStandIn } from '../../replica/governance/src/interface.js';
import { createActor, Runtime } from '../../replica/runtime/index.js';

const ATTESTATIONS_WASM = new URL('../../.azle/attestations/attestations.wasm', import.meta.url);
const GOVERNANCE_WASM = new URL('../../.azle/governance/governance.wasm', import.meta.url);
export const PROBE_WASM = new URL('../../.azle/probe/probe.wasm', import.meta.url);

const cache = new Map<string, Uint8Array>();
export function wasm(url: URL): Uint8Array {
  let w = cache.get(url.href);
  if (w === undefined) {
    assert.ok(existsSync(url), `missing ${url.pathname}: run npm run build`);
    w = new Uint8Array(readFileSync(url));
    cache.set(url.href, w);
  }
  return w;
}

export const CONTROLLER = Principal.fromText('rwlgt-iiaaa-aaaaa-aaaaa-cai');
/** Any non-anonymous caller: sync_proposal is open to everyone. */
export const SOMEONE = Principal.fromUint8Array(Uint8Array.of(0x42, 0x01));

export const NOW_S = 1_764_000_000n;
export const INTERVAL_S = 60;

export interface SyncEnv {
  rt: Runtime;
  attestations: Principal;
  governance: Principal;
  controller: AttestationsService;
  user: AttestationsService;
  as(caller: Principal): AttestationsService;
  gov: GovernanceStandIn;
  upgrade(): Promise<void>;
}

export async function deploySync(): Promise<SyncEnv> {
  const rt = new Runtime({ timeNs: NOW_S * 1_000_000_000n, countInstructions: false, log: () => {} });
  const governance = rt.createCanister({ controllers: [CONTROLLER] });
  await rt.install(governance, wasm(GOVERNANCE_WASM));
  const attestations = rt.createCanister({ controllers: [CONTROLLER] });
  await rt.install(attestations, wasm(ATTESTATIONS_WASM), { arg: new Uint8Array(IDL.encode([], [])) });
  const as = (caller: Principal): AttestationsService => createActor<AttestationsService>(rt, attestations, idlFactory, { caller });
  const controller = as(CONTROLLER);
  const set = await controller.set_sync_config({ governance, interval_seconds: INTERVAL_S });
  assert.ok('Ok' in set, JSON.stringify(set));
  return {
    rt,
    attestations,
    governance,
    controller,
    user: as(SOMEONE),
    as,
    gov: createActor<GovernanceStandIn>(rt, governance, governanceStandInIdlFactory, { caller: CONTROLLER }),
    upgrade: () => rt.install(attestations, wasm(ATTESTATIONS_WASM), { mode: 'upgrade' })
  };
}

export const GUEST_COMMIT = '8d1e2f4a93b7c0e5d6f8a1b2c3d4e5f60718293a';
export const HOST_COMMIT = 'f1e2d3c4b5a6978877665544332211009a8b7c6d';
export const MEASUREMENT = Uint8Array.from({ length: 48 }, (_, i) => 0xa0 + (i % 16));

export function guestSeed(id: bigint, sha256: string, extra: Partial<ElectionSeedValue> = {}): ElectionSeedValue {
  return {
    id,
    title: `Elect new IC/Replica revision (commit ${GUEST_COMMIT.slice(0, 7)})`,
    summary: 'GuestOS election',
    function: { ReviseElectedGuestosVersions: null },
    commit: [GUEST_COMMIT],
    sha256: [sha256],
    urls: [
      `https://download.dfinity.systems/ic/${GUEST_COMMIT}/guest-os/update-img/update-img.tar.zst`,
      `https://download.dfinity.network/ic/${GUEST_COMMIT}/guest-os/update-img/update-img.tar.zst`
    ],
    launch_measurements: [MEASUREMENT],
    unelect: ['0000000000000000000000000000000000000001'],
    proposed_at_seconds: NOW_S - 3600n,
    deadline_seconds: [NOW_S + 4n * 86400n],
    ...extra
  };
}

export function hostSeed(id: bigint, sha256: string, extra: Partial<ElectionSeedValue> = {}): ElectionSeedValue {
  return {
    id,
    title: `Elect new HostOS version (commit ${HOST_COMMIT.slice(0, 7)})`,
    summary: 'HostOS election',
    function: { ReviseElectedHostosVersions: null },
    commit: [HOST_COMMIT],
    sha256: [sha256],
    urls: [`https://download.dfinity.systems/ic/${HOST_COMMIT}/host-os/update-img/update-img.tar.zst`],
    launch_measurements: [],
    unelect: [],
    proposed_at_seconds: NOW_S - 7200n,
    deadline_seconds: [NOW_S + 3n * 86400n],
    ...extra
  };
}

/**
 * The demo's local Internet Computer: one in-process runtime holding the attestations canister
 * and the NNS governance stand-in, served over the IC HTTP interface on loopback. The stand-in
 * gets mainnet governance's canister id (as `dfx nns install` does locally), so the attestor's
 * and the canister's defaults point at it without extra configuration.
 */
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';

import { MAINNET_GOVERNANCE_ID } from '../attestor/icos/proposal/endpoints.js';
import { startReplicaServer, type ReplicaServer } from '../replica/http/index.js';
import { governanceStandInIdlFactory, type ElectionSeedValue, type GovernanceStandIn } from '../replica/governance/src/interface.js';
import { Runtime, createActor } from '../replica/runtime/index.js';

export interface DemoReplica {
  url: string;
  port: number;
  rootKey: Uint8Array;
  attestationsId: string;
  governanceId: string;
  /** Seeds one election in the stand-in, as the NNS would hold it (called in-process, by the stand-in's controller). */
  seedElection(seed: ElectionSeedValue): Promise<void>;
  close(): Promise<void>;
}

export async function startDemoReplica(opts: {
  port: number;
  attestationsWasm: Uint8Array;
  governanceWasm: Uint8Array;
  /** Controller of the attestations canister (the demo's operator key). */
  controller: Principal;
}): Promise<DemoReplica> {
  const runtime = new Runtime();
  // Created first, so it gets the id `replica start` gives it (bkyz2-fmaaa-aaaaa-qaaaq-cai).
  const attestations = runtime.createCanister({ controllers: [opts.controller] });
  await runtime.install(attestations, opts.attestationsWasm, { mode: 'install', caller: opts.controller });

  // The stand-in's controller plays "the NNS": only it can seed proposals.
  const nns = Ed25519KeyIdentity.generate();
  const governance = runtime.createCanister({ canisterId: Principal.fromText(MAINNET_GOVERNANCE_ID), controllers: [nns.getPrincipal()] });
  await runtime.install(governance, opts.governanceWasm, { mode: 'install', caller: nns.getPrincipal() });
  const gov = createActor<GovernanceStandIn>(runtime, governance, governanceStandInIdlFactory, { caller: nns });

  let server: ReplicaServer;
  try {
    server = await startReplicaServer({ runtime, port: opts.port, host: '127.0.0.1' });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`${msg}${/EADDRINUSE|listen/i.test(msg) ? '; choose another --port (0: any free port)' : ''}`);
  }
  return {
    url: server.url,
    port: server.port,
    rootKey: server.rootKey,
    attestationsId: attestations.toText(),
    governanceId: governance.toText(),
    async seedElection(seed) {
      const r = await gov.add_election(seed);
      if ('Err' in r) throw new Error(`the governance stand-in refused proposal ${seed.id}: ${r.Err}`);
    },
    close: () => server.close()
  };
}

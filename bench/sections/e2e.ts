/**
 * End to end through the embedded replica: @dfinity/agent HttpAgent (root key pinned,
 * certificate and query-signature verification on) → replica/http → runtime → canister.
 * Reference: the same call on an identical twin canister in the same runtime, in-process
 * (no HTTP, no agent, no certificate). Calls alternate between the two.
 */
import { Actor, HttpAgent } from '@dfinity/agent';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { idlFactory, type AttestationsService } from '../../protocol/service.js';
import { call, CONTROLLER, realWasm, unwrap } from '../canister-host.js';
import { envelope, profile, reviewer, reviewSpec } from '../fixtures.js';
import type { Measurement } from '../results.js';
import { importPiece, median, NotAvailable, percentile, type Section } from '../section.js';
import { loadRuntime } from './canister.js';

type HttpModule = typeof import('../../replica/http/index.js');

const N = 20;
const PROPOSAL = 180_000n;

function latency(id: string, name: string, ours: number[], ref: number[]): Measurement[] {
  const m = (label: string, stat: 'median' | 'p95', a: number, b: number): Measurement => ({
    id: `${id}.${stat}`,
    name: `${name}, ${label}`,
    value: a,
    unit: 'ms',
    reference: { name: `in-process runtime call, ${stat}`, value: b, unit: 'ms' },
    ratio: a / b,
    method: 'measured',
    note: stat === 'median' ? `${ours.length} calls; all e2e ms: ${ours.map((x) => x.toFixed(0)).join(', ')}` : undefined
  });
  return [m(`median of ${ours.length}`, 'median', median(ours), median(ref)), m(`p95 of ${ours.length}`, 'p95', percentile(ours, 95), percentile(ref, 95))];
}

export const e2eSection: Section = {
  name: 'e2e',
  title: 'End to end: @dfinity/agent → embedded replica (HTTP, certified)',
  async run(ctx) {
    const { Runtime } = await loadRuntime();
    const http = await importPiece<HttpModule>('replica/http/index.js', 'replica/http');
    if (typeof http.startReplicaServer !== 'function') throw new NotAvailable('replica/http does not export startReplicaServer');
    const rt = new Runtime({ log: () => {} });
    const served = rt.createCanister({ controllers: [CONTROLLER] });
    const twin = rt.createCanister({ controllers: [CONTROLLER] });
    await rt.install(served, realWasm());
    await rt.install(twin, realWasm());
    const server = await http.startReplicaServer({ runtime: rt, port: 0 });
    ctx.log(`replica at ${server.url}; ${N} reviewers`);
    try {
      const reviewers = Array.from({ length: N }, (_, i) => reviewer(7000 + i, 'ed25519'));
      const actors = reviewers.map((r) => {
        const identity = Ed25519KeyIdentity.fromSecretKey(r.secret);
        if (identity.getPrincipal().toText() !== r.principal.toText()) throw new Error('agent identity and signer disagree on the principal');
        const agent = HttpAgent.createSync({ host: server.url, rootKey: server.rootKey, identity });
        return Actor.createActor<AttestationsService>(idlFactory, { agent, canisterId: served });
      });
      const anonymous = Actor.createActor<AttestationsService>(idlFactory, {
        agent: HttpAgent.createSync({ host: server.url, rootKey: server.rootKey }),
        canisterId: served
      });
      for (const [i, r] of reviewers.entries()) {
        unwrap(await actors[i].register_reviewer(profile(r)), 'register_reviewer (agent)');
        unwrap((await call<Parameters<typeof unwrap>[0]>(rt, twin, 'register_reviewer', [profile(r)], r.principal)).value, 'register_reviewer (in-process)');
      }
      const subE2e: number[] = [];
      const subRef: number[] = [];
      for (const [i, r] of reviewers.entries()) {
        const env = envelope(r, reviewSpec(PROPOSAL, 'guestos', i));
        const ref = await call<Parameters<typeof unwrap>[0]>(rt, twin, 'submit_attestation', [env], r.principal);
        unwrap(ref.value, 'submit_attestation (in-process)');
        subRef.push(ref.ms);
        const t = performance.now();
        unwrap(await actors[i].submit_attestation(env), 'submit_attestation (agent)');
        subE2e.push(performance.now() - t);
      }
      ctx.log(`submit median ${median(subE2e).toFixed(0)} ms e2e, ${median(subRef).toFixed(0)} ms in-process`);
      const repE2e: number[] = [];
      const repRef: number[] = [];
      for (let i = 0; i < N; i++) {
        const ref = await call<unknown[]>(rt, twin, 'proposal_report', [PROPOSAL]);
        repRef.push(ref.ms);
        const t = performance.now();
        const r = await anonymous.proposal_report(PROPOSAL);
        repE2e.push(performance.now() - t);
        if (r.length !== 1 || r[0].attestations !== N) throw new Error(`the report over HTTP covers ${r[0]?.attestations ?? 0} attestations, expected ${N}`);
      }
      ctx.log(`report median ${median(repE2e).toFixed(0)} ms e2e, ${median(repRef).toFixed(0)} ms in-process`);
      return {
        measurements: [
          ...latency('e2e.submit', 'submit_attestation latency (agent update call, certified reply)', subE2e, subRef),
          ...latency('e2e.report', `proposal_report latency (agent query, ${N} attestations)`, repE2e, repRef)
        ],
        notes: [
          `${N} reviewers (Ed25519 dfx-style identities) each submit one attestation to one proposal, then ${N} reports; HttpAgent with the replica's root key pinned, certificate and query-signature verification on (defaults).`,
          'The served runtime counts instructions (as the local replica does); latency includes the canister\'s own execution, so the ratio is the HTTP + agent + certification overhead on top of it.'
        ]
      };
    } finally {
      await server.close();
    }
  }
};

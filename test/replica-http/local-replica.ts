/** Test set-up: the probe canister in a fresh Runtime, served over TCP on a free loopback port. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpAgent, Actor, type Identity, type ActorSubclass } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Runtime } from '../../replica/runtime/index.js';
import { startReplicaServer, type ReplicaServer } from '../../replica/http/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

export const probeIdl: IDL.InterfaceFactory = ({ IDL }) =>
  IDL.Service({
    whoami: IDL.Func([], [IDL.Text], ['query']),
    whoami_update: IDL.Func([], [IDL.Text], []),
    put: IDL.Func([IDL.Text, IDL.Text], [IDL.Nat64], []),
    get: IDL.Func([IDL.Text], [IDL.Opt(IDL.Text)], ['query']),
    put_then_trap: IDL.Func([IDL.Text], [], []),
    reject_with: IDL.Func([IDL.Text], [IDL.Text], []),
    now: IDL.Func([], [IDL.Nat64], ['query']),
    has_certificate: IDL.Func([], [IDL.Bool], ['query']),
  });

export interface Probe {
  whoami(): Promise<string>;
  whoami_update(): Promise<string>;
  put(k: string, v: string): Promise<bigint>;
  get(k: string): Promise<[] | [string]>;
  put_then_trap(k: string): Promise<void>;
  reject_with(m: string): Promise<string>;
  now(): Promise<bigint>;
  has_certificate(): Promise<boolean>;
}

export interface LocalReplica {
  runtime: Runtime;
  server: ReplicaServer;
  probeId: Principal;
  controller: Ed25519KeyIdentity;
  /** An agent with certificate and query-signature verification on (the defaults). */
  agent(identity?: Identity, extra?: Parameters<typeof HttpAgent.create>[0]): Promise<HttpAgent>;
  probe(agent: HttpAgent, canisterId?: Principal): ActorSubclass<Probe>;
  close(): Promise<void>;
}

export function probeWasm(): Uint8Array {
  return new Uint8Array(readFileSync(join(root, '.azle/probe/probe.wasm')));
}

export async function startLocalReplica(): Promise<LocalReplica> {
  const runtime = new Runtime({ log: () => {} });
  const controller = Ed25519KeyIdentity.generate();
  const probeId = runtime.createCanister({ controllers: [controller.getPrincipal()] });
  await runtime.install(probeId, probeWasm(), { arg: new Uint8Array(IDL.encode([IDL.Text], ['served'])) });
  const server = await startReplicaServer({ runtime });
  return {
    runtime,
    server,
    probeId,
    controller,
    agent: (identity, extra) =>
      HttpAgent.create({ host: server.url, rootKey: server.rootKey, identity: identity ?? Ed25519KeyIdentity.generate(), ...extra }),
    probe: (agent, canisterId = probeId) => Actor.createActor<Probe>(probeIdl, { agent, canisterId }),
    close: () => server.close(),
  };
}

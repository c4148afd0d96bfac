/** Shared set-up for runtime tests: the compiled probe canister in a fresh Runtime. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';

import { Runtime, createActor } from '../../replica/runtime/index.js';
import { type ProbeService, probeIdlFactory } from '../fixtures/canisters/probe/probe.idl.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
let wasm: Uint8Array | null = null;

/** The probe Wasm built by `npm run build` (.azle/probe/probe.wasm). */
export function probeWasm(): Uint8Array {
  wasm ??= new Uint8Array(readFileSync(join(root, '.azle/probe/probe.wasm')));
  return wasm;
}

export const controller = Principal.fromText('rwlgt-iiaaa-aaaaa-aaaaa-cai');

export function initArg(text: string): Uint8Array {
  return new Uint8Array(IDL.encode([IDL.Text], [text]));
}

export async function installProbe(rt: Runtime, text = 'hello'): Promise<Principal> {
  const id = rt.createCanister({ controllers: [controller] });
  await rt.install(id, probeWasm(), { arg: initArg(text) });
  return id;
}

export function probeActor(rt: Runtime, id: Principal, caller: Principal | { getPrincipal(): Principal } = Principal.anonymous()): ProbeService {
  return createActor<ProbeService>(rt, id, probeIdlFactory, { caller });
}

export async function probe(text = 'hello'): Promise<{ rt: Runtime; id: Principal; actor: ProbeService }> {
  const rt = new Runtime({ timeNs: 1_700_000_000_000_000_000n, log: () => {} });
  const id = await installProbe(rt, text);
  return { rt, id, actor: probeActor(rt, id) };
}

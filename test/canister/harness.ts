/** Deploys the compiled `attestations` Wasm into the in-process runtime; actors per caller. */
import { readFileSync } from 'node:fs';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { createActor, Runtime, type CallResult } from '../../replica/runtime/index.js';
import { idlFactory, type AttestationsService } from '../../protocol/service.js';

/** The compiled canister (`npm run build`); ICOS_ATTEST_ATTESTATIONS_WASM points elsewhere (e.g. a snapshot). */
export const WASM_PATH = process.env.ICOS_ATTEST_ATTESTATIONS_WASM ?? new URL('../../.azle/attestations/attestations.wasm', import.meta.url);
let wasmCache: Uint8Array | null = null;

export function wasm(): Uint8Array {
  wasmCache ??= new Uint8Array(readFileSync(WASM_PATH));
  return wasmCache;
}

export const CONTROLLER = Principal.fromText('rwlgt-iiaaa-aaaaa-aaaaa-cai');

export interface Deployed {
  rt: Runtime;
  id: Principal;
  as(caller: Principal | { principal: Principal }): AttestationsService;
  controller: AttestationsService;
  anonymous: AttestationsService;
  upgrade(): Promise<void>;
  /** A raw update (ingress: canister_inspect_message runs first) with hand-made argument bytes. */
  raw(method: string, arg: Uint8Array, caller: Principal, ingress?: boolean): Promise<CallResult>;
}

export async function deploy(): Promise<Deployed> {
  const rt = new Runtime({ timeNs: 1_764_000_000_000_000_000n });
  const id = rt.createCanister({ controllers: [CONTROLLER] });
  await rt.install(id, wasm(), { arg: new Uint8Array(IDL.encode([], [])) });
  const as = (caller: Principal | { principal: Principal }): AttestationsService =>
    createActor<AttestationsService>(rt, id, idlFactory, { caller: 'principal' in caller ? caller.principal : caller });
  return {
    rt,
    id,
    as,
    controller: as(CONTROLLER),
    anonymous: as(Principal.anonymous()),
    upgrade: () => rt.install(id, wasm(), { mode: 'upgrade' }),
    raw: async (method, arg, caller, ingress = true) => {
      const result = await rt.update(id, method, arg, { caller, ingress });
      await rt.tick(); // the round of the update's 0 s timers (report refresh)
      return result;
    }
  };
}

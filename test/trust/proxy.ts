/**
 * A lying HTTP proxy in front of the embedded replica. It forwards everything; for chosen query
 * methods it decodes the Candid reply, lets the test rewrite it, and signs the forged reply with
 * the node's own key (derived from the replica's identity key): a malicious node, whose answers
 * pass the agent's query-signature check. What it cannot forge is the subnet's BLS certificate.
 */
import http from 'node:http';
import { requestIdOf } from '@dfinity/agent';
import * as cbor from '@dfinity/cbor';
import { IDL } from '@dfinity/candid';

import { idlFactory } from '../../protocol/service.js';
import { encodeCbor } from '../../replica/http/cbor.js';
import { signQueryResponse } from '../../replica/http/certificate.js';
import { replicaKeys } from '../../replica/http/index.js';

/** Rewrites a decoded reply (the values of the method's return types); return it (or a new one). */
export type Forgery = (values: any[]) => any[];

export interface LyingProxy {
  url: string;
  /** method name → forgery; cleared by `honest()`. */
  lies: Map<string, Forgery>;
  /** Replies the proxy replays instead of asking the replica (method → raw reply arg bytes). */
  replays: Map<string, Uint8Array>;
  /** The raw reply arg bytes of the last answer per method (to replay later). */
  last: Map<string, Uint8Array>;
  /** Forged answers left unsigned (an outside attacker, without the node key). */
  unsigned: boolean;
  honest(): void;
  close(): Promise<void>;
}

const service = idlFactory({ IDL }) as IDL.ServiceClass;
const retTypes = (method: string): IDL.Type[] => {
  const f = service._fields.find(([name]) => name === method);
  if (!f) throw new Error(`no method ${method}`);
  return (f[1] as IDL.FuncClass).retTypes;
};

async function body(req: http.IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

export async function startLyingProxy(target: string, identityKey: Uint8Array): Promise<LyingProxy> {
  const made = replicaKeys(identityKey);
  if (!made.ok) throw new Error(made.message);
  const keys = made.keys;
  const state = {
    lies: new Map<string, Forgery>(),
    replays: new Map<string, Uint8Array>(),
    last: new Map<string, Uint8Array>(),
    unsigned: false
  };
  const server = http.createServer(async (req, res) => {
    try {
      const reqBody = req.method === 'POST' ? await body(req) : new Uint8Array();
      const upstream = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers: { 'content-type': req.headers['content-type'] ?? 'application/cbor' },
        body: req.method === 'POST' ? Buffer.from(reqBody) : undefined
      });
      let out: Uint8Array = new Uint8Array(await upstream.arrayBuffer());
      if (req.method === 'POST' && /\/query$/.test(req.url ?? '') && upstream.status === 200) {
        const envelope = cbor.decode(reqBody) as { content: Record<string, unknown> & { method_name: string } };
        const method = envelope.content.method_name;
        const answer = cbor.decode(out) as { status: string; reply?: { arg: Uint8Array }; signatures?: unknown[] };
        if (answer.status === 'replied' && answer.reply) {
          let arg: Uint8Array = new Uint8Array(answer.reply.arg);
          const replay = state.replays.get(method);
          const lie = state.lies.get(method);
          if (!replay && !lie) state.last.set(method, arg);
          if (replay) arg = replay;
          if (lie) arg = new Uint8Array(IDL.encode(retTypes(method), lie(IDL.decode(retTypes(method), arg) as any[])));
          if (replay || lie) {
            const response = { status: 'replied', reply: { arg } };
            const signatures = state.unsigned ? answer.signatures : [signQueryResponse(keys, response, requestIdOf(envelope.content), BigInt(Date.now()) * 1_000_000n)];
            out = encodeCbor({ ...response, signatures });
          }
        }
      }
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/cbor' });
      res.end(out);
    } catch (err) {
      res.writeHead(502);
      res.end(String(err));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    honest() {
      state.lies.clear();
      state.replays.clear();
      state.unsigned = false;
    },
    close: () => new Promise<void>((r) => server.close(() => r()))
  }) as LyingProxy;
}

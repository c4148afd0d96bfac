/**
 * The IC HTTP interface over node:http, serving an in-process runtime: status, query, call (v3
 * synchronous and v2 asynchronous), read_state, and the HTTP gateway for everything not under /api/.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Principal } from '@dfinity/principal';
import { verifyEnvelope, type CanisterRequest, type VerifyOptions } from './envelope.js';
import { replicaKeys, type ReplicaKeys } from './replica-keys.js';
import { certifiedDataCertificate, signCertificate, signQueryResponse } from './certificate.js';
import { label, witness, type Path } from '../../protocol/hash-tree.js';
import { RequestStatuses } from './request-status.js';
import { stateTree } from './state-tree.js';
import { authorizePaths } from './read-state-paths.js';
import { RejectCode, type CallResult, type ServedRuntime } from './runtime-port.js';
import { serveGateway } from './gateway.js';
import { serveCandidUi } from '../candid-ui/serve.js';
import { MAX_BODY_BYTES, cborReply, readBody, send, text, type Reply } from './http-reply.js';

export const IC_API_VERSION = '0.18.0';
export const IMPL_VERSION = 'icos-attest local replica 0.1.0';

export interface ReplicaServerOptions {
  runtime: ServedRuntime;
  /** Interface to listen on; loopback unless the caller says otherwise. */
  host?: string;
  /** 0 (the default) picks any free port. */
  port?: number;
  /** BLS12-381 secret key (32 bytes) from an earlier run, so the root key survives restarts. */
  identityKey?: Uint8Array;
  /**
   * Keep the runtime's time at least at wall-clock time (default true): before each request and
   * every second (which also runs due timers). Time set ahead by the caller is kept.
   */
  followWallClock?: boolean;
}

export interface ReplicaServer {
  url: string;
  port: number;
  /** DER-encoded root key, what agents must trust (HttpAgent `rootKey`). */
  rootKey: Uint8Array;
  /** Keep this to restart with the same root key (pass it back as `identityKey`). */
  blsSecretKey: Uint8Array;
  close(): Promise<void>;
}

export class ReplicaServerError extends Error {
  constructor(readonly kind: 'invalid-identity-key' | 'listen-failed', message: string) {
    super(message);
  }
}

const CORS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'Content-Type, Authorization',
  'access-control-max-age': '600',
};

export async function startReplicaServer(opts: ReplicaServerOptions): Promise<ReplicaServer> {
  const made = replicaKeys(opts.identityKey);
  if (!made.ok) throw new ReplicaServerError(made.kind, made.message);
  const followWallClock = opts.followWallClock ?? true;
  const api = new ReplicaApi(opts.runtime, made.keys, followWallClock);
  opts.runtime.setDataCertificateProvider((id, data) => api.dataCertificate(id, data));
  const server = http.createServer((req, res) => {
    void api
      .handle(req)
      .catch((e: unknown) => text(500, `Internal error in the local replica: ${e instanceof Error ? e.stack ?? e.message : String(e)}`))
      .then((reply) => send(res, reply));
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new ReplicaServerError('listen-failed', `Could not listen on ${host}:${opts.port ?? 0}: ${e.message}`)));
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const ticker = followWallClock ? setInterval(() => api.tick(), 1000) : null;
  ticker?.unref();
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    rootKey: made.keys.rootKey,
    blsSecretKey: made.keys.blsSecretKey,
    close: () =>
      new Promise<void>((resolve) => {
        if (ticker) clearInterval(ticker);
        opts.runtime.setDataCertificateProvider(null);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const API_ROUTE = /^\/api\/v([23])\/(canister|subnet)\/([^/]+)\/(query|call|read_state)$/;

class ReplicaApi {
  readonly #requests = new RequestStatuses();

  constructor(readonly runtime: ServedRuntime, readonly keys: ReplicaKeys, readonly followWallClock: boolean) {}

  /** Replica time never lags the wall clock (unless the caller manages time itself). */
  #syncClock(): void {
    if (!this.followWallClock) return;
    const wall = BigInt(Date.now()) * 1_000_000n;
    if (wall > this.runtime.time()) this.runtime.setTime(wall);
  }

  /** Moves time on and runs timers that became due (the runtime orders this with its messages). */
  tick(): void {
    this.#syncClock();
    this.runtime.tick().catch(() => undefined);
  }

  /** What `ic0.data_certificate_copy` returns in a query. */
  dataCertificate(canisterId: Principal, certifiedData: Uint8Array): Uint8Array {
    return certifiedDataCertificate(this.keys, this.runtime.time(), canisterId, certifiedData);
  }

  async handle(req: http.IncomingMessage): Promise<Reply> {
    this.#syncClock();
    const path = (req.url ?? '/').split('?')[0];
    if (path.startsWith('/_/')) {
      const ui = await serveCandidUi(req.method ?? 'GET', path, new URL(req.url ?? '/', 'http://x').searchParams, this.keys.rootKey);
      if (ui) return ui;
    }
    if (!path.startsWith('/api/')) return serveGateway(req, (kind, content) => this.#execute(kind, content));
    const reply = await this.#api(req, path);
    return { ...reply, headers: { ...CORS, ...reply.headers } };
  }

  async #api(req: http.IncomingMessage, path: string): Promise<Reply> {
    if (req.method === 'OPTIONS') return { status: 204, body: '' };
    if (path === '/api/v2/status') {
      if (req.method !== 'GET') return text(405, 'Method not allowed: use GET for /api/v2/status');
      return cborReply({
        ic_api_version: IC_API_VERSION,
        impl_version: IMPL_VERSION,
        replica_health_status: 'healthy',
        root_key: this.keys.rootKey,
      });
    }
    const m = API_ROUTE.exec(path);
    if (!m) return text(404, `Not found: ${path}`);
    const [, version, scope, idText, endpoint] = m;
    // v3 exists for call only here; v2 for everything (and v3 query/read_state as aliases).
    if (req.method !== 'POST') return text(405, `Method not allowed: use POST for ${path}`);
    if (scope === 'subnet' && endpoint !== 'read_state') return text(404, `Not found: ${path}`);
    let id: Principal;
    try {
      id = Principal.fromText(idText);
    } catch {
      return text(400, `Invalid ${scope} id in the URL: ${idText}`);
    }
    const read = await readBody(req);
    if (!read.ok) return text(413, `Request body too large: at most ${MAX_BODY_BYTES} bytes`);
    const verify: VerifyOptions = {
      now: this.runtime.time(),
      wallClock: this.followWallClock ? BigInt(Date.now()) * 1_000_000n : undefined,
      effectiveCanisterId: id,
    };
    switch (endpoint) {
      case 'query':
        return this.#query(read.body, id, verify);
      case 'call':
        return this.#call(read.body, id, verify, version === '3');
      default:
        return this.#readState(read.body, id, scope as 'canister' | 'subnet', verify);
    }
  }

  #checkTarget(content: CanisterRequest, ecid: Principal): Reply | null {
    const callee = content.canisterId;
    if (callee.toText() === ecid.toText() || callee.toText() === 'aaaaa-aa') return null;
    return text(400, `Specified CanisterId ${callee.toText()} does not match effective canister id in URL ${ecid.toText()}`);
  }

  /** Runs one message in the runtime (which orders messages itself); a runtime failure becomes a reject. */
  #execute(kind: 'update' | 'query', content: CanisterRequest): Promise<CallResult> {
    const { canisterId, methodName, arg, sender } = content;
    const run = async () =>
      kind === 'update'
        ? this.runtime.update(canisterId, methodName, arg, { caller: sender, ingress: true })
        : this.runtime.query(canisterId, methodName, arg, { caller: sender });
    return run().catch((e: unknown): CallResult => ({
      kind: 'rejected',
      code: RejectCode.SysFatal,
      message: `The local replica failed to run ${methodName} on ${canisterId.toText()}: ${e instanceof Error ? e.message : String(e)}`,
      errorCode: 'IC0000',
      instructions: 0n,
    }));
  }

  async #query(body: Uint8Array, ecid: Principal, verify: VerifyOptions): Promise<Reply> {
    const v = verifyEnvelope(body, 'query', verify);
    if (!v.ok) return text(400, v.error.message);
    const mismatch = this.#checkTarget(v.content, ecid);
    if (mismatch) return mismatch;
    const result = await this.#execute('query', v.content);
    const response: Record<string, unknown> =
      result.kind === 'replied'
        ? { status: 'replied', reply: { arg: result.reply } }
        : { status: 'rejected', reject_code: result.code, reject_message: result.message, error_code: result.errorCode };
    const signature = signQueryResponse(this.keys, response, v.requestId, this.runtime.time());
    return cborReply({ ...response, signatures: [signature] });
  }

  async #call(body: Uint8Array, ecid: Principal, verify: VerifyOptions, sync: boolean): Promise<Reply> {
    const v = verifyEnvelope(body, 'call', verify);
    if (!v.ok) return text(400, v.error.message);
    const mismatch = this.#checkTarget(v.content, ecid);
    if (mismatch) return mismatch;
    const { entry } = this.#requests.submit(v.requestId, v.content.sender, v.content.ingressExpiry, verify.now, () =>
      this.#execute('update', v.content),
    );
    if (!sync) return { status: 202, body: '' };
    await entry.settled;
    return cborReply({ status: 'replied', certificate: this.#certify([[label('request_status'), v.requestId]]) });
  }

  async #readState(body: Uint8Array, id: Principal, scope: 'canister' | 'subnet', verify: VerifyOptions): Promise<Reply> {
    const v = verifyEnvelope(body, 'read_state', verify);
    if (!v.ok) return text(400, v.error.message);
    const denied = authorizePaths(v.content.paths, {
      scope,
      id,
      sender: v.content.sender,
      subnetId: this.keys.subnetId,
      requestSender: (rid) => this.#requests.get(rid)?.sender,
      isController: (cid, p) => this.runtime.canisterInfo(cid)?.controllers.some((c) => c.toText() === p.toText()) ?? false,
      isPrivateSection: (cid, name) => this.runtime.canisterInfo(cid)?.customSection(`icp:private ${name}`) != null,
    });
    if (denied) return text(denied.status, denied.message);
    return cborReply({ certificate: this.#certify(v.content.paths) });
  }

  /** A certificate over the current state, revealing `paths` and the time. */
  #certify(paths: Path[]): Uint8Array {
    const now = this.runtime.time();
    const tree = stateTree({ now, keys: this.keys, runtime: this.runtime, requests: this.#requests.entries() });
    return signCertificate(this.keys, witness(tree, [[label('time')], ...paths]));
  }
}


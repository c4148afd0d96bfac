/**
 * The Candid UI of the embedded replica: the .did parser it runs in the page (every method of
 * the attestations canister read with its argument names, types equal to the canister's own
 * IDL), the candid:service metadata byte-identical to canister/attestations.did, and the page
 * and script served at /_/candid. The page itself is driven in Chromium in test/browser/.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CanisterStatus, HttpAgent } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';

import { parseDid, DidError } from '../../replica/candid-ui/did.js';
import { candidMatches, normalizeCandid, stripArgNames } from '../../scripts/canisters.js';
import { idlFactory } from '../../protocol/service.js';
import { startLocalReplica, type LocalReplica } from '../../attestor/cli/local-replica.js';
import { ATTESTATIONS_WASM, ROOT, assertWasm } from '../e2e/cli.js';

const DID = readFileSync(join(ROOT, 'canister/attestations.did'), 'utf8');

describe('the .did parser', () => {
  test('reads every method of canister/attestations.did with named arguments and the canister\'s own types', () => {
    const parsed = parseDid(DID);
    const own = idlFactory({ IDL }) as IDL.ServiceClass;
    const ownFuncs = new Map(own._fields);
    assert.deepEqual(parsed.methods.map((m) => m.name).sort(), [...ownFuncs.keys()].sort());
    for (const m of parsed.methods) {
      assert.ok(m.args.every((a) => a.name !== null && /^[a-z_]+$/.test(a.name)), `${m.name}: every argument named: ${m.args.map((a) => a.name).join(', ')}`);
      assert.equal(m.func.display(), ownFuncs.get(m.name)!.display(), `${m.name}: same type as protocol/service.ts`);
    }
    const report = parsed.methods.find((m) => m.name === 'proposal_report')!;
    assert.deepEqual(report.args.map((a) => a.name), ['proposal']);
    assert.deepEqual(report.annotations, ['query']);
    // The parsed types encode what the canister's decode: a real round trip.
    const bytes = IDL.encode(report.func.argTypes, [140010n]);
    assert.deepEqual(IDL.decode(ownFuncs.get('proposal_report')!.argTypes, bytes), [140010n]);
  });

  test('type definitions, recursion, numbered and positional fields, bare variant tags, quoted names, blob, func and service references', () => {
    const s = parseDid(`
      type Tree = variant { leaf: nat; node: record { left: Tree; right: Tree } };
      type Pair = record { nat; text };
      type Cb = func (nat) -> ();
      service : (init: nat) -> {
        "quoted name": (tree: Tree, "x y": blob) -> (Pair) query;
        status: () -> (variant { ok; err: text; 3: bool });
        callback: (cb: Cb, svc: service { f: () -> () }) -> () oneway;
        num: (record { 1: nat8; 0: int }) -> ();
      }`);
    const [q, status, cb, num] = s.methods;
    assert.equal(q.name, 'quoted name');
    assert.deepEqual(q.args.map((a) => a.name), ['tree', 'x y']);
    assert.equal(q.args[1].type.display(), 'vec nat8');
    const tree = { node: { left: { leaf: 1n }, right: { node: { left: { leaf: 2n }, right: { leaf: 3n } } } } };
    assert.deepEqual(IDL.decode([q.args[0].type], IDL.encode([q.args[0].type], [tree])), [tree]);
    assert.deepEqual(IDL.decode(q.rets, IDL.encode(q.rets, [[5n, 'five']])), [[5n, 'five']]);
    assert.deepEqual(IDL.decode(status.rets, IDL.encode(status.rets, [{ ok: null }])), [{ ok: null }]);
    assert.deepEqual(cb.annotations, ['oneway']);
    assert.ok(cb.args[0].type instanceof IDL.FuncClass && cb.args[0].type.argTypes[0] === IDL.Nat);
    assert.deepEqual(num.args.map((a) => a.name), [null]);
    assert.deepEqual(IDL.decode(num.args.map((a) => a.type), IDL.encode(num.args.map((a) => a.type), [{ _0_: -1n, _1_: 7 }])), [{ _0_: -1n, _1_: 7 }]);
  });

  test('bad text is a DidError naming where, never a half-built service', () => {
    for (const bad of ['service : { f: (nat -> () }', 'type A = B; service : { f: (A) -> () }', 'import "x.did"; service : {}', 'service : { f: () -> () ', 'type T = record { a: nat }', '"unterminated', 'service : { f: (nat) -> (nat) query } ¤']) {
      assert.throws(() => parseDid(bad), (e: unknown) => e instanceof DidError && /at character \d+/.test(e.message), bad);
    }
  });
});

describe('argument names and the build\'s interface check', () => {
  test('argument names are ignored when the committed .did is compared with the emitted one; field names are not', () => {
    assert.equal(stripArgNames('f:(a:nat,b:record{x:nat;y:text},"q r":optnat)->(nat)'), 'f:(nat,record{x:nat;y:text},optnat)->(nat)');
    assert.ok(candidMatches('service : { f: (proposal: nat64, cursor: opt nat64) -> (record { x: nat }) query }', 'service:{f:(nat64,opt nat64)->(record{x:nat})query}'));
    assert.ok(!candidMatches('service : { f: (proposal: nat64) -> (record { x: nat }) }', 'service:{f:(nat64)->(record{y:nat})}'), 'a field renamed is a difference');
    assert.ok(!candidMatches('service : { f: (proposal: nat64) -> () }', 'service:{f:(nat32)->()}'), 'a type changed is a difference');
    assert.ok(!normalizeCandid(DID).includes('proposal:nat64,events_start'), 'the committed .did names its arguments, and normalising drops them');
  });
});

describe('/_/candid on the embedded replica', () => {
  let replica: LocalReplica;
  const wasm = () => new Uint8Array(readFileSync(ATTESTATIONS_WASM));

  before(async () => {
    assertWasm(ATTESTATIONS_WASM);
    replica = await startLocalReplica({ stateDir: null, port: 0, controller: Principal.fromText('aaaaa-aa'), wasm: wasm(), log: () => {} });
  });
  after(async () => {
    await replica?.close();
  });

  test('candid:service read over the IC HTTP interface is canister/attestations.did byte for byte', async () => {
    const agent = HttpAgent.createSync({ host: replica.url, rootKey: replica.rootKey, shouldFetchRootKey: false });
    const status = await CanisterStatus.request({ canisterId: Principal.fromText(replica.canisterId), agent, paths: ['candid'] });
    assert.equal(status.get('candid'), DID);
  });

  test('the page names the canister, carries the root key, loads only its own script; the script is served; bad requests are refused', async () => {
    const page = await fetch(`${replica.url}/_/candid?id=${replica.canisterId}`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'; connect-src 'self'/);
    const html = await page.text();
    assert.ok(html.includes(`<meta name="ic-root-key" content="${Buffer.from(replica.rootKey).toString('hex')}">`));
    assert.ok(html.includes('<script type="module" src="/_/candid/app.js"></script>'));
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    for (const l of ['<header>', '<main>', '<footer>']) assert.ok(html.includes(l), l);

    const js = await fetch(`${replica.url}/_/candid/app.js`);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const code = await js.text();
    assert.ok(code.length > 50_000, `a bundle with the agent and candid-ui, not a stub (${code.length} bytes)`);
    assert.doesNotMatch(code, /https?:\/\/(?!localhost|127\.0\.0\.1)[a-z0-9.-]+\.(com|org|io|net)\/[^"'\s]*\.js/, 'loads nothing from the network');

    assert.equal((await fetch(`${replica.url}/_/candid`)).status, 400, 'no id');
    assert.equal((await fetch(`${replica.url}/_/candid?id=%3Cscript%3E`)).status, 400, 'not a principal');
    assert.equal((await fetch(`${replica.url}/_/candid?id=${replica.canisterId}`, { method: 'POST' })).status, 405);
  });
});

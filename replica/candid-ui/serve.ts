/**
 * The embedded replica's Candid UI: `GET /_/candid?id=<canister-id>` is a page whose script
 * (`/_/candid/app.js`, app.ts bundled by esbuild at the first request, then kept in memory)
 * reads the canister's `candid:service` metadata over the IC HTTP interface and offers a form
 * per method. Nothing is fetched from the network; no key is served or used: calls are anonymous.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { text, type Reply } from '../http/http-reply.js';

export const CANDID_UI_PATH = '/_/candid';
const SCRIPT_PATH = '/_/candid/app.js';

const CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:";
const HEADERS = { 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff', 'content-security-policy': CSP };

const CSS = `
:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fff;--mut:#595959;--line:#d0d0d0;--ok:#1b5e20;--bad:#b71c1c;--code:#f3f3f3;--link:#0b57d0}
@media (prefers-color-scheme:dark){:root{--fg:#e6e6e6;--bg:#121212;--mut:#b0b0b0;--line:#3a3a3a;--ok:#81c784;--bad:#ff8a80;--code:#222;--link:#8ab4f8}}
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:var(--fg);background:var(--bg)}a{color:var(--link)}
h1{font-size:1.4rem}h2{font-size:1.05rem;margin:0 0 .3rem}section.method{border-top:1px solid var(--line);padding:.8rem 0}
.sig{font:13px ui-monospace,monospace;color:var(--mut);overflow-wrap:anywhere;margin:.2rem 0 .5rem}
.arg{margin:.3rem 0}.arg label{font-weight:600;margin-right:.3rem}input,select,button{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--mut);border-radius:.2rem;padding:.15rem .35rem;margin:.1rem}
input.reject{border-color:var(--bad)}.status{color:var(--bad);display:none}button{cursor:pointer;font-weight:600}
pre.result{background:var(--code);padding:.4rem;white-space:pre-wrap;overflow-wrap:anywhere;max-height:24rem;overflow:auto;min-height:1.2em}pre.result.err{color:var(--bad)}
#toc ul{columns:14rem;padding-left:1.2rem;margin:.3rem 0}footer{margin-top:2rem;border-top:1px solid var(--line);padding-top:.5rem;color:var(--mut)}
`;

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function candidUiPage(canisterId: string, rootKey: Uint8Array): string {
  const id = escape(canisterId);
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>Candid UI: ${id}</title><meta name="ic-root-key" content="${Buffer.from(rootKey).toString('hex')}"><style>${CSS}</style>` +
    `<script type="module" src="${SCRIPT_PATH}"></script></head><body>` +
    `<header><nav aria-label="canister"><a href="/?canisterId=${id}">canister's web pages</a></nav><h1>Candid UI: <code>${id}</code></h1></header>` +
    `<main><p id="status" role="status">Reading the canister's interface…</p><nav id="toc" aria-label="methods"></nav><div id="methods"></div></main>` +
    `<footer><p>Served by the embedded local replica. Queries and updates are sent as the anonymous principal: ` +
    `this page holds no key, so updates that need a caller are refused with the canister's own error; make those with the CLI (<code>icos-attest</code>) or dfx.</p></footer>` +
    `</body></html>`
  );
}

/** app.ts next to this file when run from source; from a bundled CLI, found above it in the checkout. */
function entryPoint(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    for (const candidate of [join(dir, 'app.ts'), join(dir, 'replica', 'candid-ui', 'app.ts')]) if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return null;
}

let bundle: Promise<string> | null = null;

/** The page's script, bundled once per process (≈ 1 s), offline. */
export function candidUiScript(): Promise<string> {
  bundle ??= (async () => {
    const entry = entryPoint();
    if (entry === null) throw new Error('replica/candid-ui/app.ts is not in this installation');
    const { build } = await import('esbuild');
    const out = await build({ entryPoints: [entry], bundle: true, write: false, format: 'esm', platform: 'browser', target: 'es2022', minify: true, logLevel: 'silent', legalComments: 'none' });
    return out.outputFiles[0].text;
  })();
  bundle.catch(() => {
    bundle = null; // let a later request try again
  });
  return bundle;
}

/** Answers /_/candid and its script; null for any other path. */
export async function serveCandidUi(method: string, path: string, query: URLSearchParams, rootKey: Uint8Array): Promise<Reply | null> {
  if (path !== CANDID_UI_PATH && path !== `${CANDID_UI_PATH}/` && path !== SCRIPT_PATH) return null;
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, headers: { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }, body: 'Only GET and HEAD are served here\n' };
  if (path === SCRIPT_PATH) {
    try {
      return { status: 200, headers: { ...HEADERS, 'content-type': 'text/javascript; charset=utf-8' }, body: await candidUiScript() };
    } catch (e) {
      return text(500, `Could not bundle the Candid UI script (esbuild is a dev dependency: install with npm install): ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const id = query.get('id') ?? query.get('canisterId');
  if (id === null || !/^[a-z0-9]{5}(-[a-z0-9]{1,5})*$/.test(id)) return text(400, 'Name the canister: /_/candid?id=<canister-id>\n');
  return { status: 200, headers: { ...HEADERS, 'content-type': 'text/html; charset=utf-8' }, body: candidUiPage(id, rootKey) };
}

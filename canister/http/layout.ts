/**
 * The dashboard's frame: one inline style sheet (light and dark, WCAG AA contrast in both), the
 * landmarks (header with nav, main, footer), an inline favicon. No scripts, no external assets.
 */
import { escapeHtml as e } from './escape.js';

// Colours: every text/background pair below is at least 4.5:1 (checked by axe-core in the browser test).
const CSS = `
:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fff;--mut:#595959;--line:#d0d0d0;--th:#f2f2f2;--link:#0b57d0;--ok:#1b5e20;--bad:#b71c1c;--warn:#7a4300;--code:#f3f3f3;--okf:#2e7d32;--badf:#c62828;--emp:#e0e0e0;--okl:#a5d6a7;--badl:#ef9a9a}
@media (prefers-color-scheme:dark){:root{--fg:#e6e6e6;--bg:#121212;--mut:#b0b0b0;--line:#3a3a3a;--th:#1f1f1f;--link:#8ab4f8;--ok:#81c784;--bad:#ff8a80;--warn:#ffb74d;--code:#222;--okf:#43a047;--badf:#e53935;--emp:#424242;--okl:#2e5d30;--badl:#6d2a2a}}
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem;color:var(--fg);background:var(--bg);overflow-wrap:anywhere}
h1{font-size:1.5rem;margin:.2rem 0 .5rem}h2{font-size:1.2rem;margin:1.8rem 0 .4rem}h3{font-size:1rem;margin:1rem 0 .3rem}
a{color:var(--link)}a:focus-visible,summary:focus-visible{outline:2px solid var(--link);outline-offset:2px}
table{border-collapse:collapse;width:100%;margin:.4rem 0}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--th);font-weight:600;overflow-wrap:normal}code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace}
.v{display:inline-block;padding:.05rem .45rem;border-radius:.25rem;color:#fff;font-size:.85rem;font-weight:600;white-space:nowrap}
.reproduced{background:#2e7d32}.diverged{background:#c62828}.contested{background:#8a4b00}.pending,.not-applicable,.no-attestations{background:#616161}
.muted,.sub{color:var(--mut)}.flag{color:var(--bad);font-weight:600}.warn{color:var(--warn);font-weight:600}.ok{color:var(--ok)}
header{margin-bottom:.5rem}footer{margin-top:2.5rem;padding-top:.6rem;border-top:1px solid var(--line);font-size:.9rem}
.lead{font-size:1.05rem;margin:.3rem 0}.sentence{font-size:1.1rem;font-weight:600;margin:.4rem 0}.sub{display:block;font-size:.85rem}.nw{white-space:nowrap}
details.c{display:inline-block;vertical-align:top;max-width:100%}details.c>summary{cursor:pointer;list-style:none}
details.c>summary::-webkit-details-marker{display:none}details.c>summary code{border-bottom:1px dotted var(--mut)}
code.full{display:block;word-break:break-all;user-select:all;margin:.2rem 0;padding:.15rem .3rem;background:var(--code);border-radius:.2rem}
.who{list-style:none;margin:0;padding:0}.who li{margin:0 0 .5rem}.who li:last-child{margin:0}
.tag{display:inline-block;font-size:.8rem;line-height:1.3;padding:0 .35rem;border:1px solid;border-radius:.6rem;white-space:nowrap}
.hints>li{margin:0 0 .8rem}.hints p{margin:.1rem 0}.hints ul{margin:.2rem 0;padding-left:1.2rem}
.bar{display:block;max-width:28rem;width:100%;height:auto;margin:.3rem 0}.bar .m{fill:var(--okf)}.bar .d{fill:var(--badf)}.bar .e{fill:var(--emp)}.bar .um{fill:var(--okl)}.bar .ud{fill:var(--badl)}.bar .q{stroke:var(--fg);stroke-width:2}
.legend{font-size:.85rem;margin:.1rem 0 .6rem}.key{display:inline-block;width:.8em;height:.8em;margin:0 .25em 0 .6em;vertical-align:-.05em;border-radius:.15em}
.key.m{background:var(--okf)}.key.d{background:var(--badf)}.key.um{background:var(--okl)}.key.ud{background:var(--badl)}.key.e{background:var(--emp)}
table.matrix td.m{color:var(--ok)}table.matrix td.d{color:var(--bad);font-weight:600}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.4rem 0}dl.kv dt{font-weight:600}dl.kv dd{margin:0}
pre.manifest{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--code);padding:.5rem;overflow-x:auto;max-height:30rem}
@media (max-width:40rem){body{padding:.75rem}table.cards thead{display:none}table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:auto}
table.cards tr{border-bottom:1px solid var(--line);padding:.35rem 0}table.cards td{border:0;padding:.1rem .25rem}table.cards th[scope=row]{display:block;background:none;border:0;padding:.1rem .25rem}table.cards caption{display:block;text-align:left}table.cards td[data-l]::before{content:attr(data-l) ": ";font-weight:600}
.hints{padding-left:1rem}dl.kv{grid-template-columns:1fr}dl.kv dd{margin:0 0 .3rem .5rem}}
`;

/** A tiny check mark icon: inline (no request, no 404) and also served at /favicon.ico. */
const FAVICON = `<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><rect width='16' height='16' rx='3' fill='#2e7d32'/><path d='M4 8.5l2.5 2.5L12 5' fill='none' stroke='#fff' stroke-width='2'/></svg>`;
const FAVICON_HREF = `data:image/svg+xml,${FAVICON.replace(/#/g, '%23').replace(/</g, '%3C').replace(/>/g, '%3E')}`;

export function faviconSvg(): string {
  return FAVICON.replace(/'/g, '"');
}

const DEFAULT_FOOTER =
  '<p>The index and the proposal pages are certified by the canister (IC response verification): an HTTP gateway checks each byte against the subnet\'s signature. ' +
  'To check the verdicts yourself, run <code>icos-attest verify --proposal &lt;id&gt;</code>: it re-checks every signature and recomputes the report from the canister\'s certified data.</p>';

/** `footer`: HTML (already escaped) saying how to check this page; a default one otherwise. */
export function layout(title: string, body: string, footer: string = DEFAULT_FOOTER): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${e(title)}</title><link rel="icon" href="${FAVICON_HREF}"><style>${CSS}</style></head><body>` +
    `<header><nav aria-label="site"><a href="/">icos-attest</a> · <a href="/#proposals">proposals</a></nav></header>` +
    `<main>${body}</main><footer>${footer}</footer></body></html>`
  );
}

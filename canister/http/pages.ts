/** The dashboard's HTML: plain, server-rendered, inline CSS, no scripts, everything escaped. */
import type { ArtifactReport, DivergenceHint, GroupMember, HashGroup, ProposalReport, ProposalSummary, Stats } from '../../protocol/service.js';
import { escapeHtml as e } from './escape.js';
import { headline, type Headline } from '../../protocol/headline.js';
import { principalText } from '../store/principals.js';
import { governanceCell, governanceSection } from '../proposals/html.js';
import { utcMinute, utcMinuteOfNs } from '../dates.js';

const CSS = `
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem;color:#1b1b1b;background:#fff;overflow-wrap:anywhere}
h1{font-size:1.5rem;margin:.2rem 0 .5rem}h2{font-size:1.2rem;margin:1.8rem 0 .4rem}h3{font-size:1rem;margin:1rem 0 .3rem}
a{color:#0b57d0}table{border-collapse:collapse;width:100%;margin:.4rem 0}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f5f5f5;font-weight:600;overflow-wrap:normal}code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace}
.v{display:inline-block;padding:.05rem .45rem;border-radius:.25rem;color:#fff;font-size:.85rem;font-weight:600;white-space:nowrap}
.reproduced{background:#2e7d32}.diverged{background:#c62828}.pending,.not-applicable,.no-attestations{background:#757575}
.muted{color:#666}.flag{color:#c62828;font-weight:600}.warn{color:#8a4b00;font-weight:600}nav{margin-bottom:.5rem}
.lead{font-size:1.05rem;margin:.3rem 0}.sub{display:block;font-size:.85rem;color:#666}.nw{white-space:nowrap}
details.c{display:inline-block;vertical-align:top;max-width:100%}details.c>summary{cursor:pointer;list-style:none}
details.c>summary::-webkit-details-marker{display:none}details.c>summary code{border-bottom:1px dotted #888}
code.full{display:block;word-break:break-all;user-select:all;margin:.2rem 0;padding:.15rem .3rem;background:#f3f3f3;border-radius:.2rem}
.who{list-style:none;margin:0;padding:0}.who li{margin:0 0 .5rem}.who li:last-child{margin:0}
.tag{display:inline-block;font-size:.8rem;line-height:1.3;padding:0 .35rem;border:1px solid;border-radius:.6rem;white-space:nowrap}.ok{color:#2e7d32}
.hints>li{margin:0 0 .8rem}.hints p{margin:.1rem 0}.hints ul{margin:.2rem 0;padding-left:1.2rem}
@media (max-width:40rem){body{padding:.75rem}table.cards thead{display:none}table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:auto}
table.cards tr{border-bottom:1px solid #ddd;padding:.35rem 0}table.cards td{border:0;padding:.1rem .25rem}table.cards td[data-l]::before{content:attr(data-l) ": ";font-weight:600}
.hints{padding-left:1rem}}
@media (prefers-color-scheme:dark){body{background:#121212;color:#e6e6e6}th{background:#1f1f1f}th,td,table.cards tr{border-color:#333}a{color:#8ab4f8}.muted,.sub{color:#aaa}.warn{color:#ffb74d}code.full{background:#222}.ok{color:#81c784}}
`;

/** A tiny check mark icon: inline (no request, no 404) and also served at /favicon.ico. */
const FAVICON = `<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><rect width='16' height='16' rx='3' fill='#2e7d32'/><path d='M4 8.5l2.5 2.5L12 5' fill='none' stroke='#fff' stroke-width='2'/></svg>`;
const FAVICON_HREF = `data:image/svg+xml,${FAVICON.replace(/#/g, '%23').replace(/</g, '%3C').replace(/>/g, '%3E')}`;

export function faviconSvg(): string {
  return FAVICON.replace(/'/g, '"');
}

export function layout(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${e(title)}</title><link rel="icon" href="${FAVICON_HREF}"><style>${CSS}</style></head><body>` +
    `<nav><a href="/">icos-attest</a></nav>${body}</body></html>`
  );
}

function verdict(v: string): string {
  return `<span class="v ${e(v.replace(/ /g, '-'))}">${e(v)}</span>`;
}

/** "1 build", "2 builds". */
function plural(n: number | bigint, word: string): string {
  return `${n} ${word}${n === 1 || n === 1n ? '' : 's'}`;
}

/**
 * A long value shown short (`head…tail`, monospace, full value in `title`); a tap or click
 * opens the full value in a block that selects whole on click, for copying. No script.
 */
function copyable(full: string, head: number, tail: number): string {
  if (full.length <= head + tail + 1) return `<code>${e(full)}</code>`;
  const f = e(full);
  return `<details class="c"><summary><code title="${f}">${e(full.slice(0, head))}…${e(full.slice(full.length - tail))}</code></summary><code class="full">${f}</code></details>`;
}

const hash = (h: string): string => copyable(h, 8, 8);
/** Inside a sentence: short, full value in the title (the tables above hold the copyable one). */
const hashRef = (h: string): string => `<code title="${e(h)}">${e(h.slice(0, 8))}…${e(h.slice(-8))}</code>`;
/** Principals: the first two and last two groups (`abcde-fghij…vwxyz-abc`). */
const principal = (p: string): string => copyable(p, 11, 9);


const NNS_DASHBOARD = 'https://dashboard.internetcomputer.org/proposal/';

/** "guestos reproduced" for the OSes a headline is about, e.g. for a cell or a sentence. */
function osVerdicts(oses: { os: string; verdict: string }[]): string {
  return oses.map((o) => `<span class="nw">${e(o.os)} ${verdict(o.verdict)}</span>`).join(' ');
}

export function indexPage(rows: { summary: ProposalSummary; headline: Headline }[], stats: Stats): string {
  const body = rows
    .map(({ summary: p, headline: h }) => {
      const id = p.proposal.toString();
      const title = p.governance?.[0]?.title;
      const about = h.basis === 'not-icos' ? 'elects no IC-OS version' : h.basis === 'all' ? 'no proposal hash: CDN only' : `${h.oses.join(', ')}${h.basis === 'claimed' ? ' (hash claimed by reviewers)' : ''}`;
      return (
        `<tr><td data-l="Proposal"><a href="/proposal/${id}">${id}</a>${title ? `<span class="sub">${e(title)}</span>` : ''}</td>` +
        `<td data-l="Verdict">${verdict(h.verdict)} <span class="muted">${e(about)}</span></td>` +
        `<td data-l="Also built">${h.others.length ? osVerdicts(h.others) : '<span class="muted">-</span>'}</td>` +
        `<td data-l="Attestations">${p.attestations}</td><td data-l="Governance">${governanceCell(p.governance, p.attestations)}</td></tr>`
      );
    })
    .join('');
  const table =
    rows.length === 0
      ? '<p class="muted">No attestations yet.</p>'
      : `<table class="cards"><thead><tr><th>Proposal</th><th>Verdict</th><th>Also built</th><th>Attestations</th><th>Governance</th></tr></thead><tbody>${body}</tbody></table>`;
  return layout(
    'icos-attest: IC-OS reproducibility attestations',
    `<h1>IC-OS reproducibility attestations</h1>` +
      `<p class="muted">${plural(stats.attestations, 'attestation')} (${stats.revoked} revoked) by ${plural(stats.reviewers, 'reviewer')} ` +
      `(${stats.endorsed_reviewers} endorsed) on ${plural(stats.proposals, 'proposal')}. ` +
      `A proposal's verdict is that of the OS it elects; only endorsed reviewers count towards the quorum.</p>` +
      `<h2>Recent proposals</h2>${table}`
  );
}

function member(m: GroupMember): string {
  return (
    `<li><b>${e(m.name || '(unnamed)')}</b> ` +
    (m.endorsed ? '<span class="tag ok">✔ endorsed</span>' : '<span class="tag muted">not endorsed</span>') +
    (m.claim_mismatch ? ' <span class="flag">claims another proposal hash</span>' : '') +
    ` <a href="/attestation/${m.attestation_id.toString()}.json" title="the signed envelope">attestation #${m.attestation_id.toString()}</a>` +
    `<span class="sub">${principal(principalText(m.reviewer))}</span></li>`
  );
}

const byName = (a: GroupMember, b: GroupMember): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function groupRow(g: HashGroup): string {
  const yesNo = (o: [] | [boolean]): string => (o.length === 0 ? '<span class="muted">n/a</span>' : o[0] ? 'yes' : '<span class="flag">no</span>');
  const members = g.members.slice().sort(byName).map(member).join('');
  return (
    `<tr><td data-l="Built">${hash(g.sha256)}</td><td data-l="Matches proposal">${yesNo(g.matches_proposal)}</td>` +
    `<td data-l="Matches CDN">${yesNo(g.matches_cdn)}</td><td data-l="Reviewers">${g.members.length}</td><td data-l="Who"><ul class="who">${members}</ul></td></tr>`
  );
}

/** The diagnosis's score as words (1 = the value splits the two groups exactly). */
function strength(score: number): string {
  return score >= 0.95 ? 'separates the groups completely' : score >= 0.7 ? 'mostly separates the groups' : 'partly separates the groups';
}

/** The diagnosis's note names the first divergent component and how it differs. */
function firstDivergent(h: DivergenceHint): string {
  if (h.manifest_note) return `<p>${e(h.manifest_note)}</p>`;
  return h.first_divergent.length === 0 ? '' : `<p>First divergent component: <code>${e(h.first_divergent[0])}</code></p>`;
}

/** Escaped text with its `code` spans as <code> (the catalogue writes paths and commands that way). */
function codeSpans(text: string): string {
  return e(text).replace(/`([^`<>]+)`/g, '<code>$1</code>');
}

function hintItem(h: DivergenceHint, groups: HashGroup[]): string {
  const ref = groups.find((g) => g.sha256 === h.reference_sha256);
  const why = ref?.matches_proposal[0] === true ? 'the proposal hash' : ref?.matches_cdn[0] === true ? 'the CDN hash' : 'the largest group';
  const differing = h.differing.length
    ? `<p>Differing entries (${h.differing_total}): ${h.differing.slice(0, 8).map((x) => `<code>${e(x.path)}</code> ${e(x.change)}`).join(', ')}${h.differing_total > 8 ? ', …' : ''}</p>`
    : '';
  const factors = h.factors.length
    ? `<p>What sets the builds apart:</p><ul>${h.factors
        .map(
          (f) =>
            `<li><code>${e(f.field)}</code>: ${e(f.reference.join(', '))} in the reference builds, <b>${e(f.divergent.join(', '))}</b> here. ` +
            `<b title="score ${e(f.score.toFixed(2))} of 1">This ${strength(f.score)}.</b> <span class="muted">${e(f.explanation)}</span></li>`
        )
        .join('')}</ul>`
    : '';
  const causes = (h.causes ?? []).length
    ? `<ul class="causes">${h.causes
        .map((c) => `<li><b>${e(c.reviewers.join(', '))}</b>: ${e(c.title)}${c.basis === 'comparison' ? ' <span class="muted">(compared with the reference builds)</span>' : ''}: ${codeSpans(c.evidence.join('; '))}. <b>Fix:</b> ${codeSpans(c.fix)}</li>`)
        .join('')}</ul>`
    : '';
  return (
    `<li><p>${plural(h.divergent_count, 'build')} of ${hashRef(h.group_sha256)} vs the reference: ${plural(h.reference_count, 'build')} of ${hashRef(h.reference_sha256)} ` +
    `<span class="muted">(${why})</span>.</p>${firstDivergent(h)}${causes}${differing}${factors}</li>`
  );
}

function artifactSection(a: ArtifactReport, synced: boolean, os: string): string {
  const p = a.proposal_sha256[0];
  const proposalHash =
    p === undefined
      ? `<span class="muted">${synced ? `none: this proposal does not elect ${e(os)}` : 'none (no reviewer claimed one)'}; builds are compared with the CDN only</span>`
      : a.proposal_source === 'governance'
        ? `${hash(p)} <span class="muted">(from governance)</span>`
        : `${hash(p)} <span class="warn">claimed by reviewers; not read from governance</span>`;
  const cdn =
    a.cdn_sha256.length === 0
      ? '<span class="muted">none reported</span>'
      : a.cdn_sha256.map((h) => `${hash(h)}${h === p ? ' <span class="muted">(same as the proposal hash)</span>' : ''}`).join('<br>') +
        (a.cdn_sha256.length > 1 ? ' <span class="flag">the reported CDN hashes disagree</span>' : '');
  const hints = a.hints.map((h) => hintItem(h, a.groups)).join('');
  return (
    `<h3><code>${e(a.name)}</code> ${verdict(a.verdict)} <span class="muted">${a.endorsed_matching} endorsed matching</span></h3>` +
    `<table><tbody><tr><th>Proposal hash</th><td>${proposalHash}</td></tr><tr><th>CDN</th><td>${cdn}</td></tr></tbody></table>` +
    `<table class="cards groups"><thead><tr><th>Built sha256</th><th>Matches proposal</th><th>Matches CDN</th><th>Reviewers</th><th>Who</th></tr></thead><tbody>${a.groups.map(groupRow).join('')}</tbody></table>` +
    (hints ? `<p><b>Divergence hints</b></p><ul class="hints">${hints}</ul>` : '')
  );
}

/** The sentence under the headline verdict: which OS it is about, and why that one. */
function headlineNote(h: Headline): string {
  const what = h.oses.map((o) => `<b>${e(o)}</b>`).join(' and ');
  const lead =
    h.basis === 'governance'
      ? `Verdict for ${what}, the OS this proposal elects (read from NNS governance).`
      : h.basis === 'claimed'
        ? `Verdict for ${what}, built against a proposal hash <span class="warn">claimed by reviewers; the proposal was not read from governance</span>.`
        : h.basis === 'not-icos'
          ? 'This proposal elects no IC-OS version: there is nothing to reproduce.'
          : 'No proposal hash: every build is compared with the CDN only.';
  const others = h.others.length
    ? `<p>Also built ${h.basis === 'governance' ? '(not elected by this proposal)' : '(no proposal hash)'}: ${osVerdicts(h.others)}. <span class="muted">Shown below with their own verdicts; they do not change this proposal's verdict.</span></p>`
    : '';
  return `<p class="lead">${lead}</p>${others}`;
}

export function proposalPage(r: ProposalReport): string {
  const id = r.proposal.toString();
  const g = r.governance?.[0];
  const h = headline(r.oses, g === undefined ? null : g.elects, r.oses.filter((o) => o.artifacts.some((a) => a.proposal_sha256.length === 1)).map((o) => o.os));
  const oses = r.oses
    .map((o) => {
      const role = h.basis === 'all' ? '' : h.oses.includes(o.os) ? (h.basis === 'governance' ? ' · elected by this proposal' : ' · has a proposal hash') : ' · also built';
      return `<h2>${e(o.os)} ${verdict(o.verdict)} <span class="muted">quorum ${o.quorum}${role}</span></h2>${o.artifacts.map((a) => artifactSection(a, g !== undefined, o.os)).join('')}`;
    })
    .join('');
  const times = [
    g !== undefined && g.proposed_at_seconds > 0n ? `proposed ${utcMinute(g.proposed_at_seconds)}` : '',
    r.last_submitted_at_ns > 0n ? `last attestation submitted ${utcMinuteOfNs(r.last_submitted_at_ns)}` : ''
  ].filter((x) => x !== '');
  return layout(
    `Proposal ${id}: icos-attest`,
    `<h1>Proposal ${id} ${verdict(h.verdict)}</h1>` +
      (g !== undefined && g.title ? `<p class="lead">${e(g.title)}</p>` : '') +
      headlineNote(h) +
      `<p class="muted">${plural(r.attestations, 'attestation')} stored, ${plural(r.reviewers, 'reviewer')} counted, quorum ${r.quorum} endorsed ${r.quorum === 1 ? 'reviewer' : 'reviewers'}` +
      `${times.length ? `; ${times.join(', ')}` : ''}. ` +
      `<a href="${NNS_DASHBOARD}${id}" rel="noopener noreferrer">NNS dashboard</a> · <a href="/proposal/${id}.json">JSON</a> · <a href="/badge/${id}.svg">badge</a></p>` +
      `${governanceSection(r)}${oses}`
  );
}

export function notFoundPage(what: string): string {
  return layout('Not found: icos-attest', `<h1>Not found</h1><p>${e(what)}</p>`);
}

/** The dashboard's HTML: plain, server-rendered, inline CSS, no scripts, everything escaped. */
import type { ArtifactReport, ProposalReport, ProposalSummary, Stats } from '../../protocol/service.js';
import { overallVerdict } from './badge.js';
import { escapeHtml as e } from './escape.js';
import { principalText } from '../store/principals.js';
import { governanceCell, governanceSection } from '../proposals/html.js';

const CSS = `
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem 1.25rem;color:#1b1b1b;background:#fff}
h1{font-size:1.5rem;margin:.2rem 0 1rem}h2{font-size:1.2rem;margin:1.6rem 0 .4rem}h3{font-size:1rem;margin:1rem 0 .3rem}
a{color:#0b57d0}table{border-collapse:collapse;width:100%;margin:.4rem 0}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f5f5f5;font-weight:600}code{font:13px ui-monospace,monospace;word-break:break-all}
.v{display:inline-block;padding:.05rem .45rem;border-radius:.25rem;color:#fff;font-size:.85rem;font-weight:600}
.reproduced{background:#2e7d32}.diverged{background:#c62828}.pending{background:#757575}
.muted{color:#666}.flag{color:#c62828;font-weight:600}nav{margin-bottom:.5rem}
@media (prefers-color-scheme:dark){body{background:#121212;color:#e6e6e6}th{background:#1f1f1f}th,td{border-color:#333}a{color:#8ab4f8}.muted{color:#aaa}}
`;

export function layout(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${e(title)}</title><style>${CSS}</style></head><body>` +
    `<nav><a href="/">icos-attest</a></nav>${body}</body></html>`
  );
}

function verdict(v: string): string {
  return `<span class="v ${e(v)}">${e(v)}</span>`;
}

function shortHash(h: string): string {
  return `<code title="${e(h)}">${e(h.slice(0, 16))}…</code>`;
}

export function indexPage(proposals: ProposalSummary[], stats: Stats): string {
  const rows = proposals
    .map((p) => {
      const oses = p.oses.map((o) => `${e(o.os)} ${verdict(o.verdict)}`).join(' ');
      const id = p.proposal.toString();
      return `<tr><td><a href="/proposal/${id}">${id}</a></td><td>${verdict(overallVerdict(p.oses.map((o) => o.verdict)))}</td><td>${oses}</td><td>${p.attestations}</td><td>${governanceCell(p.governance, p.attestations)}</td></tr>`;
    })
    .join('');
  const table =
    proposals.length === 0
      ? '<p class="muted">No attestations yet.</p>'
      : `<table><thead><tr><th>Proposal</th><th>Overall</th><th>Per OS</th><th>Attestations</th><th>Governance</th></tr></thead><tbody>${rows}</tbody></table>`;
  return layout(
    'icos-attest: IC-OS reproducibility attestations',
    `<h1>IC-OS reproducibility attestations</h1>` +
      `<p class="muted">${stats.attestations} attestations (${stats.revoked} revoked) by ${stats.reviewers} reviewers, ` +
      `${stats.endorsed_reviewers} endorsed, over ${stats.proposals} proposals. Verdicts count only endorsed reviewers.</p>` +
      `<h2>Recent proposals</h2>${table}`
  );
}

function artifactSection(a: ArtifactReport): string {
  const proposalHash = a.proposal_sha256.length === 1 ? `<code>${e(a.proposal_sha256[0])}</code> <span class="muted">(from ${e(a.proposal_source)})</span>` : '<span class="muted">none (compared with the CDN only)</span>';
  const cdn = a.cdn_sha256.length === 0 ? '<span class="muted">none reported</span>' : a.cdn_sha256.map((h) => `<code>${e(h)}</code>`).join('<br>');
  const groups = a.groups
    .map((g) => {
      const members = g.members
        .map(
          (m) =>
            `${e(m.name || '(unnamed)')} <span class="muted"><code>${e(principalText(m.reviewer))}</code></span>` +
            `${m.endorsed ? ' ✔ endorsed' : ''}${m.claim_mismatch ? ' <span class="flag">claims another proposal hash</span>' : ''}` +
            ` <a href="/attestation/${m.attestation_id.toString()}.json">#${m.attestation_id.toString()}</a>`
        )
        .join('<br>');
      const yesNo = (o: [] | [boolean]): string => (o.length === 0 ? '<span class="muted">n/a</span>' : o[0] ? 'yes' : '<span class="flag">no</span>');
      return `<tr><td><code>${e(g.sha256)}</code></td><td>${yesNo(g.matches_proposal)}</td><td>${yesNo(g.matches_cdn)}</td><td>${g.members.length}</td><td>${members}</td></tr>`;
    })
    .join('');
  const hints = a.hints
    .map(
      (h) =>
        `<li>${h.divergent_count} build(s) of ${shortHash(h.group_sha256)} vs ${h.reference_count} of ${shortHash(h.reference_sha256)}: ` +
        (h.first_divergent.length === 1 ? `first divergent component <code>${e(h.first_divergent[0])}</code>. ` : '') +
        `${e(h.manifest_note)}` +
        (h.differing.length
          ? `<br>differing (${h.differing_total}): ${h.differing.slice(0, 8).map((x) => `<code>${e(x.path)}</code> ${e(x.change)}`).join(', ')}`
          : '') +
        (h.factors.length
          ? `<ul>${h.factors
              .map((f) => `<li><code>${e(f.field)}</code>: ${e(f.reference.join(', '))} vs <b>${e(f.divergent.join(', '))}</b> <span class="muted">(${e(f.score.toFixed(2))}) ${e(f.explanation)}</span></li>`)
              .join('')}</ul>`
          : '') +
        `</li>`
    )
    .join('');
  return (
    `<h3><code>${e(a.name)}</code> ${verdict(a.verdict)} <span class="muted">${a.endorsed_matching} endorsed matching</span></h3>` +
    `<table><tbody><tr><th>Proposal hash</th><td>${proposalHash}</td></tr><tr><th>CDN</th><td>${cdn}</td></tr></tbody></table>` +
    `<table><thead><tr><th>Built sha256</th><th>Matches proposal</th><th>Matches CDN</th><th>Reviewers</th><th>Who</th></tr></thead><tbody>${groups}</tbody></table>` +
    (hints ? `<p>Divergence hints:</p><ul>${hints}</ul>` : '')
  );
}

export function proposalPage(r: ProposalReport): string {
  const id = r.proposal.toString();
  const oses = r.oses
    .map((o) => `<h2>${e(o.os)} ${verdict(o.verdict)} <span class="muted">quorum ${o.quorum}</span></h2>${o.artifacts.map(artifactSection).join('')}`)
    .join('');
  return layout(
    `Proposal ${id}: icos-attest`,
    `<h1>Proposal ${id} ${verdict(overallVerdict(r.oses.map((o) => o.verdict)))}</h1>` +
      `<p class="muted">${r.attestations} attestations stored, ${r.reviewers} reviewers counted, quorum ${r.quorum} endorsed reviewers. ` +
      `<a href="/proposal/${id}.json">JSON</a> · <a href="/badge/${id}.svg">badge</a></p>${governanceSection(r)}${oses}`
  );
}

export function notFoundPage(what: string): string {
  return layout('Not found: icos-attest', `<h1>Not found</h1><p>${e(what)}</p>`);
}

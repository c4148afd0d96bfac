/** Dashboard fragments for what the canister read from governance (used by canister/http/pages.ts). */
import type { GovernanceSummary, ProposalReport } from '../../protocol/service.js';
import { utcMinute as when } from '../dates.js';
import { escapeHtml as e } from '../http/escape.js';

/** "needs reviewers: 1/3" until the elected OS has a quorum of endorsed, matching, honest builds. */
export function needsReviewers(r: ProposalReport, os: string): string {
  const o = r.oses.find((x) => x.os === os);
  const quorum = o?.quorum ?? r.quorum;
  const have = o === undefined || o.artifacts.length === 0 ? 0 : Math.min(...o.artifacts.map((a) => a.endorsed_matching));
  return have >= quorum ? `quorum reached: ${have}/${quorum}` : `needs reviewers: ${have}/${quorum}`;
}

/** The governance block of a proposal page: elected hash, status, deadline, needs reviewers. */
export function governanceSection(r: ProposalReport): string {
  const g = r.governance?.[0];
  if (g === undefined) return '<p class="muted">Not read from NNS governance yet: proposal hashes below are the reviewers\' claims.</p>';
  const rows: string[] = [
    `<tr><th>Title</th><td>${e(g.title)}</td></tr>`,
    `<tr><th>Status</th><td>${e(g.status)}${g.deadline_seconds.length === 1 ? ` <span class="muted">(voting deadline ${e(when(g.deadline_seconds[0]))})</span>` : ''}</td></tr>`
  ];
  if (g.elects === 'not-icos') {
    rows.push(`<tr><th>Elects</th><td>no IC-OS version (${e(g.action)}): nothing to review</td></tr>`);
  } else {
    rows.push(
      `<tr><th>Elects</th><td>${e(g.elects)} at commit <code>${e(g.commit[0] ?? '')}</code> <span class="muted">(${e(g.action)})</span></td></tr>`,
      `<tr><th>Elected hash</th><td><code>${e(g.sha256[0] ?? 'none')}</code> <span class="muted">from NNS governance <code>${e(g.governance.toText())}</code>; every attestation is compared with it</span></td></tr>`,
      `<tr><th>Reviewers</th><td>${e(needsReviewers(r, g.elects))}</td></tr>`
    );
  }
  if (g.last_error.length === 1) rows.push(`<tr><th>Last refresh</th><td class="flag">failed: ${e(g.last_error[0].kind)}: ${e(g.last_error[0].message)}</td></tr>`);
  return `<table><tbody>${rows.join('')}</tbody></table>`;
}

/** Status cell of the proposal list. */
export function governanceCell(g: [] | [GovernanceSummary] | undefined, attestations: number): string {
  const s = g?.[0];
  if (s === undefined) return '<span class="muted">not synced</span>';
  const deadline = s.status === 'open' && s.deadline_seconds.length === 1 ? ` <span class="muted">until ${e(when(s.deadline_seconds[0]))}</span>` : '';
  const needs = s.status === 'open' && attestations === 0 && s.elects !== 'not-icos' ? ' <b>needs reviewers</b>' : '';
  return `${e(s.status)}${deadline}${needs}`;
}

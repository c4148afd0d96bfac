/** A shields-style SVG badge: "IC-OS <proposal>" | verdict, with the counts behind it when known. */
import type { ProposalReport } from '../../protocol/service.js';
import { escapeHtml } from './escape.js';
import { proposalOutcome } from './pages.js';
import { osCounts } from './views/consensus.js';

// White text on each is at least 4.5:1.
const COLORS: Record<string, string> = {
  reproduced: '#2e7d32',
  contested: '#8a4b00',
  diverged: '#c62828',
  pending: '#616161',
  'not applicable': '#616161',
  'no attestations': '#616161'
};

export function badgeSvg(label: string, status: string): string {
  // Width from a fixed per-character estimate (Verdana 11px ≈ 7px); no font metrics needed.
  const lw = 10 + label.length * 7;
  const sw = 10 + status.length * 7;
  const color = COLORS[status.split(' ')[0]] ?? COLORS[status] ?? '#616161';
  const l = escapeHtml(label);
  const s = escapeHtml(status);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${lw + sw}" height="20" role="img" aria-label="${l}: ${s}">` +
    `<title>${l}: ${s}</title>` +
    `<rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${sw}" height="20" fill="${color}"/>` +
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">` +
    `<text x="${lw / 2}" y="14">${l}</text><text x="${lw + sw / 2}" y="14">${s}</text></g></svg>`
  );
}

/**
 * The badge's words for a report: the outcome of the OS the proposal is about with endorsed
 * matching / quorum ("reproduced 3/3", "contested 3/3", "pending 1/3"), and how many unverified
 * reports differ when some do ("reproduced 3/3 · 1 unverified differs").
 */
export function badgeStatus(r: ProposalReport): string {
  const { headline, outcome } = proposalOutcome(r);
  if (outcome === 'not applicable') return outcome;
  const oses = r.oses.filter((o) => headline.oses.includes(o.os));
  if (oses.length === 0) return outcome;
  const counts = oses.map(osCounts);
  const matching = Math.min(...counts.map((c) => c.endorsedMatching));
  const quorum = Math.max(...oses.map((o) => o.quorum));
  const unverified = counts.reduce((n, c) => n + c.unverifiedDiffering, 0);
  return `${outcome} ${matching}/${quorum}${unverified > 0 ? ` · ${unverified} unverified differ${unverified === 1 ? 's' : ''}` : ''}`;
}

/** The proposal's badge (precomputed.ts renders it when the report changes). */
export function proposalBadgeSvg(r: ProposalReport): string {
  return badgeSvg(`IC-OS ${r.proposal}`, badgeStatus(r));
}

/**
 * The picture of one OS's reviews: an agreement bar (endorsed matching against the quorum
 * marker, endorsed differing, and the unverified reports apart, which never count) and a
 * reviewers × artifacts matrix with each divergence hint next to the person it concerns.
 * Inline SVG and CSS only; bounded in size whatever the number of reviewers.
 */
import type { ArtifactReport, DivergenceHint, OsReport } from '../../../protocol/service.js';
import { escapeHtml as e } from '../escape.js';
import { codeSpans, hashRef } from '../html.js';
import { principalText } from '../../store/principals.js';
import { memberStanding, osCounts, type Counts } from './consensus.js';
import { byStanding, collidingNames, displayName, foldName } from './names.js';

/** Rows of the matrix shown in full; the rest is summarised in one row. */
export const MATRIX_ROWS = 30;

const W = 400;

function rects(parts: { cls: string; n: number }[], total: number, y: number, h: number): string {
  let x = 0;
  let out = '';
  for (const p of parts) {
    if (p.n <= 0) continue;
    const w = (p.n / total) * W;
    out += `<rect class="${p.cls}" x="${x.toFixed(1)}" y="${y}" width="${Math.max(w - 1, 1).toFixed(1)}" height="${h}"/>`;
    x += w;
  }
  return out;
}

/** Words for the bar, also its accessible name. */
export function barLabel(c: Counts, quorum: number): string {
  return (
    `${c.endorsedMatching} endorsed matching of quorum ${quorum}, ${c.endorsedDiffering} endorsed differing; ` +
    `unverified, not counted: ${c.unverifiedMatching} matching, ${c.unverifiedDiffering} differing`
  );
}

export function agreementBar(o: OsReport, id: string): string {
  const c = osCounts(o);
  const q = Math.max(1, o.quorum);
  const endorsedTotal = Math.max(q, c.endorsedMatching + c.endorsedDiffering + Math.max(0, q - c.endorsedMatching));
  const unverified = c.unverifiedMatching + c.unverifiedDiffering;
  const total = Math.max(endorsedTotal, unverified, 1);
  const empty = Math.max(0, q - c.endorsedMatching);
  const qx = ((q / total) * W).toFixed(1);
  const label = barLabel(c, o.quorum);
  const h = unverified > 0 ? 44 : 26;
  const svg =
    `<svg class="bar" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-labelledby="${id}">` +
    `<title id="${id}">${e(label)}</title>` +
    rects([{ cls: 'm', n: c.endorsedMatching }, { cls: 'e', n: empty }, { cls: 'd', n: c.endorsedDiffering }], total, 2, 20) +
    (unverified > 0 ? rects([{ cls: 'um', n: c.unverifiedMatching }, { cls: 'ud', n: c.unverifiedDiffering }], total, 30, 12) : '') +
    `<line class="q" x1="${qx}" x2="${qx}" y1="0" y2="24"/></svg>`;
  const legend =
    `<p class="legend"><span class="key m"></span>${c.endorsedMatching} endorsed matching` +
    `<span class="key e"></span>missing to quorum ${o.quorum} (the line)` +
    `<span class="key d"></span>${c.endorsedDiffering} endorsed differing` +
    (unverified > 0 ? `<span class="key um"></span>${c.unverifiedMatching} unverified matching<span class="key ud"></span>${c.unverifiedDiffering} unverified differing (not counted)` : '') +
    `</p>`;
  return svg + legend;
}

interface Row {
  principal: string;
  name: string;
  endorsed: boolean;
  cells: Map<string, Cell>;
  differs: boolean;
}

function rows(o: OsReport): Row[] {
  const byPrincipal = new Map<string, Row>();
  for (const a of o.artifacts) {
    for (const g of a.groups) {
      for (const m of g.members) {
        const p = principalText(m.reviewer);
        const row = byPrincipal.get(p) ?? { principal: p, name: m.name, endorsed: m.endorsed, cells: new Map(), differs: false };
        const standing = memberStanding(a, g.sha256, m);
        row.cells.set(a.name, { sha256: g.sha256, standing, claimMismatch: m.claim_mismatch });
        row.differs ||= standing === 'differ';
        byPrincipal.set(p, row);
      }
    }
  }
  return [...byPrincipal.values()].sort(byStanding);
}

/** The hint about this person's build, in one line: a catalogued cause naming them, else what differs first. */
function personalHint(o: OsReport, row: Row): string {
  const notes: string[] = [];
  for (const a of o.artifacts) {
    const cell = row.cells.get(a.name);
    if (cell === undefined || cell.standing !== 'differ') continue;
    const hint: DivergenceHint | undefined = a.hints.find((h) => h.group_sha256 === cell.sha256);
    if (hint === undefined) continue;
    const cause = hint.causes.find((c) => c.reviewers.includes(row.name) || c.reviewers.includes(row.principal));
    if (cause) notes.push(`<b>${e(cause.title)}</b>. Fix: ${codeSpans(cause.fix)}`);
    else if (hint.manifest_note) notes.push(e(hint.manifest_note));
    else if (hint.first_divergent.length === 1) notes.push(`first divergent component: <code>${e(hint.first_divergent[0])}</code>`);
    if (hint.factors.length > 0 && !cause) notes.push(`<code>${e(hint.factors[0].field)}</code> is ${e(hint.factors[0].divergent.join(', '))} here, ${e(hint.factors[0].reference.join(', '))} in the reference builds`);
  }
  return notes.join('; ');
}

function shortName(a: ArtifactReport, os: string): string {
  return a.name.startsWith(`${os}/`) ? a.name.slice(os.length + 1) : a.name;
}

type Cell = { sha256: string; standing: 'match' | 'differ' | 'other'; claimMismatch: boolean };

function cellHtml(cell: Cell | undefined, label: string): string {
  const l = `data-l="${e(label)}"`;
  if (cell === undefined) return `<td ${l} class="muted">not built</td>`;
  if (cell.standing === 'match') return `<td ${l} class="m">✓ matches</td>`;
  if (cell.standing === 'differ') return `<td ${l} class="d">✗ differs: ${hashRef(cell.sha256)}</td>`;
  return `<td ${l}>${cell.claimMismatch ? '<span class="warn">claims another proposal hash</span> ' : ''}${hashRef(cell.sha256)}</td>`;
}

/** Which rows to show when there are too many: differing and endorsed ones first. */
function pick(all: Row[]): { shown: Row[]; hidden: Row[] } {
  if (all.length <= MATRIX_ROWS) return { shown: all, hidden: [] };
  const priority = (r: Row) => (r.endorsed ? 0 : 2) + (r.differs ? 0 : 1);
  const ranked = all.map((r, i) => ({ r, i })).sort((x, y) => priority(x.r) - priority(y.r) || x.i - y.i);
  const keep = new Set(ranked.slice(0, MATRIX_ROWS).map((x) => x.r));
  return { shown: all.filter((r) => keep.has(r)), hidden: all.filter((r) => !keep.has(r)) };
}

export function matrix(o: OsReport): string {
  const all = rows(o);
  if (all.length === 0) return '';
  const collisions = collidingNames(all.map((r) => ({ name: r.name, reviewer: r.principal })));
  const { shown, hidden } = pick(all);
  const head = o.artifacts.map((a) => `<th scope="col"><code>${e(shortName(a, o.os))}</code></th>`).join('');
  const body = shown
    .map((r) => {
      const cells = o.artifacts.map((a) => cellHtml(r.cells.get(a.name), shortName(a, o.os))).join('');
      const hint = r.differs ? personalHint(o, r) : '';
      const tag = r.endorsed ? '<span class="tag ok">endorsed</span>' : '<span class="tag muted">unverified</span>';
      return `<tr><th scope="row">${displayName(r.name, r.principal, collisions.has(foldName(r.name)), false)} ${tag}</th>${cells}<td data-l="Why it differs">${hint || '<span class="muted">-</span>'}</td></tr>`;
    })
    .join('');
  const more =
    hidden.length === 0
      ? ''
      : `<tr><td colspan="${o.artifacts.length + 2}" class="muted" data-l="Not listed">${hidden.length} more reviewers not listed here: ` +
        `${hidden.filter((r) => r.endorsed).length} endorsed, ${hidden.filter((r) => !r.endorsed).length} unverified, ` +
        `${hidden.filter((r) => r.differs).length} of them differing. Every one is in the JSON report.</td></tr>`;
  return (
    `<table class="matrix cards"><caption class="muted">Reviewers × artifacts (endorsed first)</caption>` +
    `<thead><tr><th scope="col">Reviewer</th>${head}<th scope="col">Why it differs</th></tr></thead><tbody>${body}${more}</tbody></table>`
  );
}

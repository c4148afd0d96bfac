/**
 * The canister's proposal report as a table. Its JSON (principals as text, nat64 as decimal, opt
 * as null) is converted in protocol/report-json.ts, re-exported here for the commands.
 */
import type { HintJson, ReportJson } from '../../protocol/report-json.js';
import { compareReviewers, displayName } from '../../protocol/names.js';
import { paint, table } from '../cli/output.js';
import { endorsedReviewersOf, headline, headlineSentence, referenceOf, type Headline } from '../../protocol/headline.js';

export { reportToJson, type CountsJson, type GovernanceJson, type HintJson, type ReportJson } from '../../protocol/report-json.js';

/** Candid `opt T` → T | null. */
export function fromOpt<T>(o: [] | [T]): T | null {
  return o.length > 0 ? (o[0] as T) : null;
}

function verdictStyle(v: string): 'green' | 'red' | 'yellow' {
  return v === 'reproduced' ? 'green' : v === 'diverged' ? 'red' : 'yellow';
}

const mark = (b: boolean | null) => (b === null ? '-' : b ? 'yes' : 'no');

/** "1 build", "2 builds". */
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A hash as the dashboard shows it: first 8 … last 8 (the full value is in --json). */
export function shortHash(h: string): string {
  return h.length > 17 ? `${h.slice(0, 8)}…${h.slice(-8)}` : h;
}

/** The proposal's headline verdict, by the same rule as the dashboard (protocol/headline.ts). */
export function reportHeadline(r: ReportJson): Headline {
  const withProposalHash = r.oses.filter((o) => o.artifacts.some((a) => a.proposalSha256 !== null)).map((o) => o.os);
  return headline(r.oses, r.governance?.elects ?? null, withProposalHash);
}

/** The OS's headline sentence, worded as on the dashboard (protocol/headline.ts). */
export function osSentence(o: ReportJson['oses'][number]): string {
  const artifacts = o.artifacts.map((a) => ({ ...a, groups: a.groups.map((g) => ({ reviewers: g.members.map((m) => ({ principal: m.reviewer, endorsed: m.endorsed })) })) }));
  return headlineSentence({
    outcome: o.outcome,
    quorum: o.quorum,
    endorsedMatching: o.endorsedMatching,
    endorsedDiffering: o.endorsedDiffering,
    unverifiedMatching: o.unverifiedMatching,
    unverifiedDiffering: o.unverifiedDiffering,
    endorsedReviewers: endorsedReviewersOf(artifacts),
    reference: referenceOf(artifacts)
  });
}

/** The diagnosis's 0..1 score in words. */
function strength(score: number): string {
  return score >= 0.95 ? 'separates the groups completely' : score >= 0.7 ? 'mostly separates the groups' : 'partly separates the groups';
}

type ArtifactJson = ReportJson['oses'][number]['artifacts'][number];

/** Who stands behind a group's builds, when not everyone is endorsed: unverified builds never decide. */
function support(g: ArtifactJson['groups'][number] | undefined): string {
  if (g === undefined) return '';
  const endorsed = g.members.filter((m) => m.endorsed).length;
  const unverified = g.members.length - endorsed;
  if (unverified === 0) return '';
  return endorsed === 0 ? ' (unverified)' : ` (${endorsed} endorsed, ${unverified} unverified)`;
}

function hintLines(a: ArtifactJson, h: HintJson): string[] {
  const ref = a.groups.find((g) => g.sha256 === h.referenceSha256);
  const div = a.groups.find((g) => g.sha256 === h.groupSha256);
  const why = ref?.matchesProposal ? 'the proposal hash' : ref?.matchesCdn ? 'the CDN hash' : 'the group most endorsed reviewers built';
  const out = [
    `  ${a.name}: ${plural(h.divergentCount, 'build')} of ${shortHash(h.groupSha256)}${support(div)} vs the reference: ${plural(h.referenceCount, 'build')} of ${shortHash(h.referenceSha256)}${support(ref)} (${why})`
  ];
  const more = h.differingTotal > 1 ? ` (${h.differingTotal} differing entries)` : '';
  if (h.manifestNote) out.push(`    ${h.manifestNote}${more}`);
  else if (h.firstDivergent) out.push(`    first divergent component: ${h.firstDivergent}${more}`);
  for (const c of h.causes) {
    const how = c.basis === 'comparison' ? ' (compared with the reference builds)' : '';
    out.push(`    ${c.reviewers.join(', ')}: ${c.title}${how}: ${c.evidence.join('; ')}.`, `      fix: ${c.fix}`);
  }
  for (const f of h.factors) {
    const explanation = f.explanation;
    out.push(`    ${f.field}: ${f.reference.join(', ')} in the reference builds, ${f.divergent.join(', ')} here — ${strength(f.score)}${explanation ? `. ${explanation}` : ''}`);
  }
  return out;
}

/** One row per hash group (reviewers by name); the artifact's verdict on its first row; proposal hashes and divergence hints below. */
export function renderReport(r: ReportJson, color: boolean): string {
  const c = (s: Parameters<typeof paint>[1], t: string) => paint(color, s, t);
  const head = `Proposal ${r.proposal}: ${plural(r.attestations, 'attestation')} from ${plural(r.reviewers, 'reviewer')}, quorum ${r.quorum}`;
  const rows: string[][] = [];
  const hints: string[] = [];
  const hashes: string[] = [];
  // Endorsed first; a name shared with another reviewer (after case folding) shows its principal prefix.
  const order = (x: ArtifactJson['groups'][number]['members'][number], y: typeof x) =>
    compareReviewers({ name: x.name || x.reviewer, principal: x.reviewer, endorsed: x.endorsed }, { name: y.name || y.reviewer, principal: y.reviewer, endorsed: y.endorsed });
  const label = (m: ArtifactJson['groups'][number]['members'][number]) => {
    const d = displayName(m.name, m.reviewer, { collides: m.nameCollides, endorsed: m.endorsed });
    const shown = d.name === '' ? d.principalPrefix : d.collides ? `${d.name} [${d.principalPrefix}]` : d.name;
    return `${shown}${m.endorsed ? '' : ' (unverified)'}${m.claimMismatch ? '*' : ''}`;
  };
  for (const os of r.oses) {
    for (const a of os.artifacts) {
      const groups = a.groups.length > 0 ? a.groups : [null];
      groups.forEach((g, i) => {
        const who = g ? [...g.members].sort(order).map(label).join(', ') : '-';
        const endorsed = g ? String(g.members.filter((m) => m.endorsed).length) : '-';
        rows.push([
          i === 0 ? os.os : '',
          i === 0 ? a.name : '',
          g ? c(g.matchesProposal || g.matchesCdn ? 'green' : 'red', shortHash(g.sha256)) : '(no builds)',
          who,
          endorsed,
          g ? mark(g.matchesProposal) : '-',
          g ? mark(g.matchesCdn) : '-',
          i === 0 ? c(verdictStyle(a.verdict), a.verdict) : ''
        ]);
      });
      const source = a.proposalSha256 === null ? 'none: compared with the CDN only' : a.proposalSource === 'governance' ? 'from NNS governance' : 'claimed by reviewers; not read from governance';
      hashes.push(`  ${a.name}: ${a.proposalSha256 ?? '-'} (${source})`);
      for (const h of a.hints) hints.push(...hintLines(a, h));
    }
  }
  const gov = r.governance
    ? [`Governance: ${r.governance.title || '(no title)'} — ${r.governance.status}; elects ${r.governance.elects}${r.governance.commit ? ` at ${r.governance.commit}` : ''}${r.governance.sha256 ? `, sha256 ${r.governance.sha256}` : ''}`]
    : ['Governance: not read from NNS governance; proposal hashes are the reviewers\' claims'];
  const h = reportHeadline(r);
  const about =
    h.basis === 'governance'
      ? `${h.oses.join(', ')}, the OS this proposal elects`
      : h.basis === 'claimed'
        ? `${h.oses.join(', ')}, with a proposal hash claimed by reviewers`
        : h.basis === 'not-icos'
          ? 'the proposal elects no IC-OS version'
          : 'no proposal hash: builds compared with the CDN only';
  const perOs = r.oses.map((o) => `${o.os} ${c(verdictStyle(o.verdict), o.verdict)}${o.outcome === 'contested' ? ' (contested: quorum reached, an endorsed build differs)' : ''}`).join(', ');
  const verdictLines = r.oses.length > 0 ? [`Verdict: ${c(verdictStyle(h.verdict), h.verdict)} (${about})`] : [];
  // The sentence the page headlines, for each OS the verdict is about.
  for (const o of r.oses.filter((x) => h.oses.includes(x.os))) verdictLines.push(`  ${o.os}: ${osSentence(o)}`);
  if (r.oses.length > 0) verdictLines.push(`Per OS: ${perOs}`);
  if (h.others.length > 0) {
    verdictLines.push(`Also built${h.basis === 'governance' ? ' (not elected by this proposal)' : ' (no proposal hash)'}: ${h.others.map((o) => `${o.os} ${c(verdictStyle(o.verdict), o.verdict)}`).join(', ')}`);
  }
  const out = [c('bold', head), ...gov, `NNS dashboard: https://dashboard.internetcomputer.org/proposal/${r.proposal}`, ...verdictLines, '', table(['OS', 'ARTIFACT', 'SHA256', 'REVIEWERS', 'ENDORSED', 'PROPOSAL', 'CDN', 'VERDICT'], rows)];
  if (hashes.length > 0) out.push('', c('bold', 'Proposal hashes:'), ...hashes);
  if (hints.length > 0) out.push('', c('bold', 'Divergence hints:'), ...hints);
  if (rows.some((row) => row[3].includes('*'))) out.push('', '* the reviewer claimed a different proposal hash');
  return out.join('\n');
}

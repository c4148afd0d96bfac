/**
 * `report <p> --format markdown`: the certified report as a forum post, the way review groups
 * post today, but with every hash in full and links a reader can follow: the headline verdict,
 * per OS the groups of identical builds with their reviewers, the proposal and CDN hashes, the
 * divergence hints, links to the NNS dashboard, the canister's page and each attestation, and
 * the commands to verify it all. Pure: the same report gives the same text (no clock: the only
 * time shown is the report's own last submission).
 *
 * Everything a reviewer or a proposal controls (names, titles, findings) is escaped, so a name
 * like `[vote yes](https://…)` shows as text, never as a link, image or table break.
 */
import type { HintJson, ReportJson } from '../client/report.js';
import { reportHeadline } from '../client/report.js';

export interface MarkdownOptions {
  canisterId: string;
  /** The canister's own web pages (dashboard): https://<id>.icp0.io on mainnet. */
  canisterUrl: string;
  /** What a reader passes as --network to verify it: `ic`, or a replica URL. */
  network: string;
}

const OS_LABEL: Record<string, string> = { guestos: 'GuestOS', hostos: 'HostOS', setupos: 'SetupOS', recovery: 'Recovery GuestOS' };
const osLabel = (os: string) => OS_LABEL[os] ?? os;

/** Text from the data, made inert: markdown punctuation escaped, HTML and line breaks neutralised. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/^(\s*)([-=]{3,}|\d+\.)/, '$1\\$2');
}

/** The canister's web base for a network: https://<id>.icp0.io on mainnet, <id>.localhost:<port> locally. */
export function canisterWebUrl(networkUrl: string, canisterId: string, mainnet: boolean): string {
  if (mainnet) return `https://${canisterId}.icp0.io`;
  try {
    const u = new URL(networkUrl);
    if (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]') return `${u.protocol}//${canisterId}.localhost${u.port ? `:${u.port}` : ''}`;
    return `${u.protocol}//${canisterId}.${u.host}`;
  } catch {
    return networkUrl;
  }
}

const code = (hex: string) => `\`${hex.replace(/[^0-9a-fA-F]/g, '')}\``;
const yesNo = (b: boolean | null) => (b === null ? '–' : b ? 'yes' : '**no**');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const VERDICT_MARK: Record<string, string> = { reproduced: '✅', diverged: '❌', pending: '⏳' };
const verdictText = (v: string) => `${VERDICT_MARK[v] ? `${VERDICT_MARK[v]} ` : ''}**${escapeMarkdown(v)}**`;

function isoOfNs(ns: string): string | null {
  if (!/^[0-9]+$/.test(ns) || ns === '0') return null;
  const ms = Number(BigInt(ns) / 1_000_000n);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

type Artifact = ReportJson['oses'][number]['artifacts'][number];
type Member = Artifact['groups'][number]['members'][number];

const byName = (x: Member, y: Member) => {
  const a = x.name || x.reviewer;
  const b = y.name || y.reviewer;
  return a < b ? -1 : a > b ? 1 : x.reviewer < y.reviewer ? -1 : x.reviewer > y.reviewer ? 1 : 0;
};

function attestationUrl(o: MarkdownOptions, id: string): string {
  return `${o.canisterUrl}/attestation/${encodeURIComponent(id)}.json`;
}

function memberText(m: Member, o: MarkdownOptions): string {
  const who = m.name ? escapeMarkdown(m.name) : `\`${m.reviewer.replace(/[^a-z0-9-]/g, '')}\``;
  const flags = [m.endorsed ? '' : 'not endorsed', m.claimMismatch ? 'claimed another proposal hash' : ''].filter(Boolean);
  return `${who} ([#${m.attestationId}](${attestationUrl(o, m.attestationId)}))${flags.length ? ` (${flags.join(', ')})` : ''}`;
}

function hintLines(a: Artifact, h: HintJson): string[] {
  const ref = a.groups.find((g) => g.sha256 === h.referenceSha256);
  const why = ref?.matchesProposal ? 'the proposal hash' : ref?.matchesCdn ? 'the CDN hash' : 'the largest group';
  const out = [`- ${plural(h.divergentCount, 'build')} of ${code(h.groupSha256)} against the reference, ${plural(h.referenceCount, 'build')} of ${code(h.referenceSha256)} (${why})`];
  const more = h.differingTotal > 1 ? ` (${h.differingTotal} differing entries)` : '';
  if (h.firstDivergent) out.push(`  - first divergent component: \`${h.firstDivergent.replace(/`/g, "'")}\`${more}`);
  if (h.manifestNote) out.push(`  - ${escapeMarkdown(h.manifestNote)}`);
  for (const c of h.causes) {
    out.push(`  - ${c.reviewers.map(escapeMarkdown).join(', ')}: ${escapeMarkdown(c.title)}: ${c.evidence.map(escapeMarkdown).join('; ')}. Fix: ${escapeMarkdown(c.fix)}`);
  }
  for (const f of h.factors) {
    out.push(`  - \`${f.field.replace(/`/g, "'")}\`: ${f.reference.map(escapeMarkdown).join(', ')} in the reference builds, ${f.divergent.map(escapeMarkdown).join(', ')} in this group`);
  }
  return out;
}

function artifactLines(a: Artifact, o: MarkdownOptions): string[] {
  const source = a.proposalSha256 === null ? 'none: no proposal elects it, compared with the CDN only' : a.proposalSource === 'governance' ? 'read from NNS governance' : 'claimed by reviewers, not read from governance';
  const lines = [
    `**\`${a.name.replace(/`/g, "'")}\`**: ${verdictText(a.verdict)}, ${plural(a.endorsedMatching, 'endorsed build')} matching`,
    '',
    `- proposal hash: ${a.proposalSha256 ? code(a.proposalSha256) : '–'} (${source})`,
    `- CDN hash: ${a.cdnSha256.length > 0 ? a.cdnSha256.map(code).join(', ') : '–'}`,
    ''
  ];
  if (a.groups.length === 0) lines.push('No builds yet.');
  else {
    lines.push('| build hash (sha256) | reviewers | endorsed | = proposal | = CDN |', '|---|---|---|---|---|');
    for (const g of a.groups) {
      const members = [...g.members].sort(byName);
      lines.push(`| ${code(g.sha256)} | ${members.map((m) => memberText(m, o)).join(', ')} | ${members.filter((m) => m.endorsed).length} of ${members.length} | ${yesNo(g.matchesProposal)} | ${yesNo(g.matchesCdn)} |`);
    }
  }
  if (a.hints.length > 0) lines.push('', 'Where the builds differ:', '', ...a.hints.flatMap((h) => hintLines(a, h)));
  return lines;
}

/** The forum post for one proposal's report. */
export function renderMarkdown(r: ReportJson, o: MarkdownOptions): string {
  const h = reportHeadline(r);
  const focus = h.oses.map(osLabel).join(', ');
  const title = h.basis === 'not-icos' ? `proposal ${r.proposal} elects no IC-OS version` : `${focus || 'IC-OS'} ${h.verdict}`;
  const lines = [`## IC-OS review of proposal ${r.proposal}: ${escapeMarkdown(title)}`, ''];
  const g = r.governance;
  if (g) {
    lines.push(`**${escapeMarkdown(g.title || '(no title)')}** (${escapeMarkdown(g.status)})`, '');
    lines.push(`- elects: ${escapeMarkdown(osLabel(g.elects))}${g.commit ? ` at commit ${code(g.commit)}` : ''}`);
    lines.push(`- elected hash: ${g.sha256 ? code(g.sha256) : '–'} (read from NNS governance \`${g.governance.replace(/[^a-z0-9-]/g, '')}\`)`);
  } else {
    lines.push('- the canister has not read this proposal from NNS governance: proposal hashes are the reviewers\' claims');
  }
  const about =
    h.basis === 'governance' ? 'the OS this proposal elects' : h.basis === 'claimed' ? 'with a proposal hash claimed by reviewers' : h.basis === 'not-icos' ? 'not an IC-OS election' : 'no proposal hash: builds compared with the CDN only';
  lines.push(`- verdict: ${verdictText(h.verdict)}${focus ? ` for ${focus}` : ''} (${about}), at a quorum of ${plural(r.quorum, 'endorsed reviewer')}`);
  if (h.others.length > 0) lines.push(`- also built: ${h.others.map((x) => `${osLabel(x.os)} ${verdictText(x.verdict)}`).join(', ')}`);
  const last = isoOfNs(r.lastSubmittedAtNs);
  lines.push(`- ${plural(r.attestations, 'attestation')} from ${plural(r.reviewers, 'reviewer')}${last ? `, the last submitted ${last}` : ''}`);

  for (const os of r.oses) {
    lines.push('', `### ${osLabel(os.os)}: ${verdictText(os.verdict)}`, '');
    os.artifacts.forEach((a, i) => lines.push(...(i > 0 ? [''] : []), ...artifactLines(a, o)));
  }

  const ids = r.oses.flatMap((os) => os.artifacts.flatMap((a) => a.groups.flatMap((x) => x.members.map((m) => m.attestationId))));
  const unique = [...new Set(ids)].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  lines.push(
    '',
    '### Links',
    '',
    `- NNS dashboard: https://dashboard.internetcomputer.org/proposal/${r.proposal}`,
    `- the attestations canister's page: ${o.canisterUrl}/proposal/${r.proposal} (JSON: ${o.canisterUrl}/proposal/${r.proposal}.json)`
  );
  if (unique.length > 0) lines.push(`- the signed attestations: ${unique.map((id) => `[#${id}](${attestationUrl(o, id)})`).join(' · ')}`);
  const net = `--network ${o.network} --canister ${o.canisterId}`;
  lines.push(
    '',
    '### Verify it yourself',
    '',
    'With the icos-attest CLI:',
    '',
    '```sh',
    `icos-attest ${net} verify --proposal ${r.proposal}   # every signature, the certified set, the consensus, the elected hash from NNS governance`,
    `icos-attest ${net} report ${r.proposal}              # the certified report`,
    `icos-attest --network ${o.network} proposal show ${r.proposal}   # the commit and hash the proposal elects, from NNS governance`,
    `icos-attest --network ${o.network} check ${r.proposal}           # the published images hash to it, on both CDN mirrors`,
    `icos-attest ${net} run ${r.proposal}                 # build it yourself and add your signed attestation`,
    '```',
    ''
  );
  return lines.join('\n');
}

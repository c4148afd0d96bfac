/** The dashboard's HTML: plain, server-rendered, inline CSS, no scripts, everything escaped. */
import type { ArtifactReport, DivergenceHint, GroupMember, HashGroup, ProposalReport, ProposalSummary, Stats } from '../../protocol/service.js';
import { escapeHtml as e } from './escape.js';
import { headline, type Headline } from '../../protocol/headline.js';
import { principalText } from '../store/principals.js';
import { governanceCell, governanceSection } from '../proposals/html.js';
import { codeSpans, hash, hashRef, plural, principal, verdict } from './html.js';
import { layout } from './layout.js';
import { agreementBar, matrix } from './views/agreement.js';
import { artifactCounts, artifactOutcome, headlineSentence, osOutcome, worstOutcome, type Outcome } from './views/consensus.js';
import { byStanding, collidingNames, memberName } from './views/names.js';

export { faviconSvg, layout } from './layout.js';
import { utcMinute, utcMinuteOfNs } from '../dates.js';

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
      `<h2 id="proposals">Recent proposals</h2>${table}`
  );
}

/** Members listed per hash group; beyond this the group says how many more (all are in the JSON). */
export const GROUP_MEMBERS_SHOWN = 12;

function member(m: GroupMember, collisions: Set<string>): string {
  return (
    `<li>${memberName(m, collisions)} ` +
    (m.endorsed ? '<span class="tag ok">✔ endorsed</span>' : '<span class="tag muted">unverified: not endorsed</span>') +
    (m.claim_mismatch ? ' <span class="flag">claims another proposal hash</span>' : '') +
    ` <a href="/attestation/${m.attestation_id.toString()}">attestation #${m.attestation_id.toString()}</a>` +
    `<span class="sub">${principal(principalText(m.reviewer))}</span></li>`
  );
}

function groupRow(g: HashGroup, collisions: Set<string>): string {
  const yesNo = (o: [] | [boolean]): string => (o.length === 0 ? '<span class="muted">n/a</span>' : o[0] ? 'yes' : '<span class="flag">no</span>');
  const sorted = g.members.map((m) => ({ m, endorsed: m.endorsed, name: m.name, principal: principalText(m.reviewer) })).sort(byStanding);
  const shown = sorted.slice(0, GROUP_MEMBERS_SHOWN).map((x) => member(x.m, collisions)).join('');
  const more = sorted.length > GROUP_MEMBERS_SHOWN ? `<li class="muted">and ${sorted.length - GROUP_MEMBERS_SHOWN} more (all in the JSON report)</li>` : '';
  const endorsed = g.members.filter((m) => m.endorsed).length;
  return (
    `<tr><td data-l="Built">${hash(g.sha256)}</td><td data-l="Matches proposal">${yesNo(g.matches_proposal)}</td>` +
    `<td data-l="Matches CDN">${yesNo(g.matches_cdn)}</td><td data-l="Reviewers">${g.members.length}${endorsed < g.members.length ? ` <span class="muted">(${endorsed} endorsed)</span>` : ''}</td><td data-l="Who"><ul class="who">${shown}${more}</ul></td></tr>`
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
        .map((c) => `<li><b>${c.reviewers.map((x) => `<bdi>${e(x)}</bdi>`).join(', ')}</b>: ${e(c.title)}${c.basis === 'comparison' ? ' <span class="muted">(compared with the reference builds)</span>' : ''}: ${codeSpans(c.evidence.join('; '))}. <b>Fix:</b> ${codeSpans(c.fix)}</li>`)
        .join('')}</ul>`
    : '';
  return (
    `<li><p>${plural(h.divergent_count, 'build')} of ${hashRef(h.group_sha256)} vs the reference: ${plural(h.reference_count, 'build')} of ${hashRef(h.reference_sha256)} ` +
    `<span class="muted">(${why})</span>.</p>${firstDivergent(h)}${causes}${differing}${factors}</li>`
  );
}

function artifactSection(a: ArtifactReport, synced: boolean, os: string, quorum: number): string {
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
  const collisions = collidingNames(a.groups.flatMap((g) => g.members));
  const c = artifactCounts(a);
  const unverified = c.unverifiedMatching + c.unverifiedDiffering;
  return (
    `<h3><code>${e(a.name)}</code> ${verdict(artifactOutcome(a, quorum))} <span class="muted">${c.endorsedMatching} endorsed matching, ${c.endorsedDiffering} endorsed differing` +
    `${unverified > 0 ? `; unverified reports: ${c.unverifiedMatching} matching, ${c.unverifiedDiffering} differing` : ''}</span></h3>` +
    `<table><tbody><tr><th scope="row">Proposal hash</th><td>${proposalHash}</td></tr><tr><th scope="row">CDN</th><td>${cdn}</td></tr></tbody></table>` +
    `<table class="cards groups"><thead><tr><th scope="col">Built sha256</th><th scope="col">Matches proposal</th><th scope="col">Matches CDN</th><th scope="col">Reviewers</th><th scope="col">Who</th></tr></thead><tbody>${a.groups.map((g) => groupRow(g, collisions)).join('')}</tbody></table>` +
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

/** The proposal's verdict from the outcomes of the OSes its headline is about. */
export function proposalOutcome(r: ProposalReport): { headline: Headline; outcome: Outcome | 'not applicable' } {
  const g = r.governance?.[0];
  const withOutcomes = r.oses.map((o) => ({ os: o.os, verdict: osOutcome(o) }));
  const h = headline(withOutcomes, g === undefined ? null : g.elects, r.oses.filter((o) => o.artifacts.some((a) => a.proposal_sha256.length === 1)).map((o) => o.os));
  if (h.basis === 'not-icos') return { headline: h, outcome: 'not applicable' };
  const about = withOutcomes.filter((o) => h.oses.includes(o.os)).map((o) => o.verdict);
  return { headline: h, outcome: about.length === 0 ? 'pending' : worstOutcome(about) };
}

function footer(id: string): string {
  return (
    `<p><b>Check this page yourself.</b> It is certified by the canister (IC response verification): an HTTP gateway checks every byte and its security headers against the subnet's signature before showing it. ` +
    `To recompute the verdicts without trusting this page, run <code>icos-attest verify --proposal ${e(id)}</code>: it re-checks every reviewer's signature and recomputes this report from the canister's certified data. ` +
    `Each attestation's signed envelope is linked from its page (<code>icos-attest verify &lt;file&gt;</code> checks one).</p>`
  );
}

export function proposalPage(r: ProposalReport): string {
  const id = r.proposal.toString();
  const g = r.governance?.[0];
  const { headline: h, outcome } = proposalOutcome(r);
  const elected = g !== undefined;
  const sentences = r.oses
    .filter((o) => h.oses.includes(o.os))
    .map((o) => `<p class="sentence">${h.oses.length > 1 ? `${e(o.os)}: ` : ''}${e(headlineSentence(o))}</p>`)
    .join('');
  const oses = r.oses
    .map((o, i) => {
      const role = h.basis === 'all' ? '' : h.oses.includes(o.os) ? (h.basis === 'governance' ? ' · elected by this proposal' : ' · has a proposal hash') : ' · also built';
      return (
        `<section><h2>${e(o.os)} ${verdict(osOutcome(o))} <span class="muted">quorum ${o.quorum}${role}</span></h2>` +
        `<p>${e(headlineSentence(o))}</p>` +
        agreementBar(o, `bar-${i}`) +
        matrix(o) +
        o.artifacts.map((a) => artifactSection(a, elected, o.os, o.quorum)).join('') +
        `</section>`
      );
    })
    .join('');
  const times = [
    g !== undefined && g.proposed_at_seconds > 0n ? `proposed ${utcMinute(g.proposed_at_seconds)}` : '',
    r.last_submitted_at_ns > 0n ? `last attestation submitted ${utcMinuteOfNs(r.last_submitted_at_ns)}` : ''
  ].filter((x) => x !== '');
  return layout(
    `Proposal ${id}: icos-attest`,
    `<h1>Proposal ${id} ${verdict(outcome)}</h1>` +
      sentences +
      (g !== undefined && g.title ? `<p class="lead">${e(g.title)}</p>` : '') +
      headlineNote(h) +
      `<p class="muted">${plural(r.attestations, 'attestation')} stored, ${plural(r.reviewers, 'reviewer')} counted, quorum ${r.quorum} endorsed ${r.quorum === 1 ? 'reviewer' : 'reviewers'}` +
      `${times.length ? `; ${times.join(', ')}` : ''}. ` +
      `<a href="${NNS_DASHBOARD}${id}" rel="noopener noreferrer">NNS dashboard</a> · <a href="/proposal/${id}.json">JSON</a> · <a href="/badge/${id}.svg">badge</a></p>` +
      `${governanceSection(r)}${oses}`,
    footer(id)
  );
}

export function notFoundPage(what: string): string {
  return layout('Not found: icos-attest', `<h1>Not found</h1><p>${e(what)}</p>`);
}

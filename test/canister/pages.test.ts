/**
 * The dashboard's render functions on reports shaped as the canister returns them: the headline
 * sentence for each outcome (unverified reports counted apart, never deciding), the badge's
 * words, names isolated in <bdi>, and a page that stays bounded with 200 reviewers.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Principal } from '@dfinity/principal';
import type { GroupMember, OsReport, ProposalReport } from '../../protocol/service.js';
import { proposalPage } from '../../canister/http/pages.js';
import { badgeStatus } from '../../canister/http/badge.js';
import { headlineSentence, osOutcome } from '../../canister/http/views/consensus.js';
import { MATRIX_ROWS } from '../../canister/http/views/agreement.js';

const ELECTED = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
let nextId = 1n;

function member(name: string, endorsed: boolean): GroupMember {
  return { reviewer: Principal.selfAuthenticating(randomBytes(32)), name, endorsed, attestation_id: nextId++, claim_mismatch: false, name_collides: false };
}

/** One OS, one artifact, with the given members per built hash. */
function osReport(quorum: number, matching: GroupMember[], differing: GroupMember[]): OsReport {
  const groups = [{ sha256: ELECTED, matches_proposal: [true] as [boolean], matches_cdn: [true] as [boolean], members: matching }];
  if (differing.length) groups.push({ sha256: OTHER, matches_proposal: [false], matches_cdn: [false], members: differing });
  // The counts and outcome fields are left neutral: the page computes what it shows from the groups.
  const counts = { endorsed_matching: 0, endorsed_differing: 0, unverified_matching: 0, unverified_differing: 0 };
  return {
    os: 'guestos',
    verdict: differing.length ? 'diverged' : 'reproduced',
    outcome: 'x',
    quorum,
    ...counts,
    artifacts: [{ name: 'guestos/update-img.tar.zst', proposal_sha256: [ELECTED], proposal_source: 'reviewers', cdn_sha256: [ELECTED], groups, verdict: 'x', outcome: 'x', ...counts, hints: [] }]
  };
}

function report(os: OsReport): ProposalReport {
  const reviewers = os.artifacts[0].groups.reduce((n, g) => n + g.members.length, 0);
  return { proposal: 140010n, quorum: os.quorum, attestations: reviewers, reviewers, last_submitted_at_ns: 0n, oses: [os] };
}

/** The same OS with its proposal hash read from governance (the elected hash). */
const elected = (os: OsReport): OsReport => ({ ...os, artifacts: os.artifacts.map((a) => ({ ...a, proposal_source: 'governance' })) });

const endorsed = (k: number, tag: string) => Array.from({ length: k }, (_, i) => member(`${tag}${i}`, true));
const unverified = (k: number, tag: string) => Array.from({ length: k }, (_, i) => member(`${tag}${i}`, false));

test('one throwaway identity dissenting on a reproduced proposal: still reproduced, the dissent counted apart, the badge says both', () => {
  const os = osReport(3, endorsed(3, 'r'), unverified(1, 'mallory'));
  assert.equal(osOutcome(os), 'reproduced');
  assert.equal(headlineSentence(os), 'Claimed proposal hash reproduced by 3 of 3 endorsed reviewers (quorum 3); 1 unverified report differs');
  assert.equal(headlineSentence(elected(os)), 'Elected hash reproduced by 3 of 3 endorsed reviewers (quorum 3); 1 unverified report differs');
  assert.equal(badgeStatus(report(os)), 'reproduced 3/3 · 1 unverified differs');
  const html = proposalPage(report(os));
  assert.match(html, /<h1>Proposal 140010 <span class="v reproduced">reproduced<\/span><\/h1>/);
  assert.ok(html.includes('unverified: not endorsed'));
});

test('each outcome has its sentence (the one protocol/headline.ts words for the CLI too): contested, diverged, pending, nobody yet', () => {
  const contested = osReport(3, endorsed(3, 'r'), endorsed(1, 'd'));
  assert.equal(osOutcome(contested), 'contested');
  assert.equal(headlineSentence(elected(contested)), 'Elected hash reproduced by 3 of 4 endorsed reviewers (quorum 3), but 1 endorsed build differs');
  const diverged = osReport(3, endorsed(2, 'r'), endorsed(1, 'd'));
  assert.equal(osOutcome(diverged), 'diverged');
  assert.equal(headlineSentence(elected(diverged)), 'Elected hash reproduced by only 2 of 3 endorsed reviewers (quorum 3); 1 endorsed build differs');
  const pending = osReport(3, [...endorsed(1, 'r'), ...unverified(2, 'u')], []);
  assert.equal(osOutcome(pending), 'pending');
  assert.equal(headlineSentence(elected(pending)), 'Elected hash reproduced by 1 of 1 endorsed reviewer (quorum 3) so far: 2 more needed; 2 unverified reports match');
  assert.equal(headlineSentence(osReport(3, [], [])), 'No endorsed reviewer has attested yet (quorum 3)');
  assert.equal(badgeStatus(report(diverged)), 'diverged 2/3');
});

test('names are isolated in <bdi> with their principal prefix; lookalike names are marked', () => {
  const bidi = member('\u202Eevil\u200B', true);
  const alice = member('Alice', true);
  const impostor = member('alice', false);
  const html = proposalPage(report(osReport(1, [bidi, alice, impostor], [])));
  const overrides = [...html.matchAll(/\u202E/g)].map((m) => html.slice(Math.max(0, m.index! - 5), m.index!));
  assert.ok(overrides.length > 0 && overrides.every((before) => before === '<bdi>'), `every U+202E starts a <bdi>: ${JSON.stringify(overrides)}`);
  assert.ok(html.includes(`<bdi>\u202Eevil\u200B</bdi></b> <code class="pp" title="${bidi.reviewer.toText()}">${bidi.reviewer.toText().split('-')[0]}…</code>`));
  assert.equal(html.split('same name as another reviewer').length - 1, 4, 'Alice and alice, in the matrix and the group list');
});

test('200 reviewers: the page stays bounded; endorsed differing reviewers come first in the matrix, the rest summarised', () => {
  const os = osReport(3, [...endorsed(150, 'e'), ...unverified(40, 'u')], [...endorsed(5, 'de'), ...unverified(5, 'du')]);
  const html = proposalPage(report(os));
  assert.ok(html.length < 150_000, `page size ${html.length}`);
  const matrix = /<table class="matrix cards">.*?<\/table>/s.exec(html)![0];
  assert.equal(matrix.split('<tr>').length - 2, MATRIX_ROWS + 1, 'the header row, MATRIX_ROWS reviewers and one summary row');
  // Endorsed reviewers decide, so they fill the rows first (unverified reports cannot crowd them out).
  assert.equal(matrix.split('✗ differs').length - 1, 5, 'the five endorsed differing reviewers are listed');
  assert.match(matrix, /170 more reviewers not listed here: 125 endorsed, 45 unverified, 5 of them differing\./);
  assert.match(html, /and 178 more \(all in the JSON report\)/);
  assert.equal(osOutcome(os), 'contested');
});

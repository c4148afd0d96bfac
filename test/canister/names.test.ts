/**
 * Names that cannot impersonate, on the compiled canister: bidi, zero-width, control, private-use
 * and unassigned characters are refused with invalid-profile and nothing changes; names are
 * stored in NFC; a name equal to another after case folding is marked on both reviewers and in
 * the reports that show them; endorsed members come first in a report's groups.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { envelope, hash, profile, reviewer } from './fixtures.js';
import { deploy, type Deployed } from './harness.js';
import { ok, snapshot } from './util.js';
import type { Result } from '../../protocol/service.js';

const P = 140_010n;
const G = hash('guestos');

const alice = reviewer('alice', 'ed25519');
const impostor = reviewer('impostor', 'secp256k1');
const bidi = reviewer('bidi', 'ed25519');
const amelie = reviewer('amelie', 'ed25519');
const amelie2 = reviewer('amelie2', 'secp256k1');

function err<T>(r: Result<T>): { kind: string; message: string; field: [] | [string] } {
  if ('Ok' in r) assert.fail('expected Err, got Ok');
  return r.Err;
}

describe('attestations canister: reviewer names', () => {
  let d: Deployed;

  before(async () => {
    d = await deploy();
    ok(await d.as(alice).register_reviewer(profile(alice, 'Alice')));
    ok(await d.controller.endorse_reviewer(alice.principal, true));
    ok(await d.as(alice).submit_attestation(envelope(alice, { proposal: P, os: 'guestos', built: G, proposalHash: G })));
  });

  it('refuses bidi overrides, zero-width, control, private-use and unassigned characters; nothing changes', async () => {
    const state = await snapshot(d, [P]);
    const cases: [string, string, RegExp][] = [
      ['name', 'Alice\u202Eecila', /U\+202E .*format character/],
      ['name', 'Al\u200Bice', /U\+200B .*format character/],
      ['name', '\u2066Alice\u2069', /U\+2066/],
      ['name', 'Ali\u0007ce', /U\+0007 .*control character/],
      ['name', 'Alice\uE000', /U\+E000 .*private-use/],
      ['name', 'Alice\u0378', /U\+0378 .*unassigned/],
      ['name', 'Alice\uFEFF', /U\+FEFF/],
      ['contact', 'mailto:a@example.org\u202E', /U\+202E/]
    ];
    for (const [field, text, message] of cases) {
      const p = field === 'name' ? profile(bidi, text) : { ...profile(bidi, 'Bidi'), contact: [text] as [string] };
      const e = err(await d.as(bidi).register_reviewer(p));
      assert.equal(e.kind, 'invalid-profile', text);
      assert.deepEqual(e.field, [field]);
      assert.match(e.message, message);
      // An existing reviewer's update is refused the same way and keeps the old profile.
      assert.equal(err(await d.as(alice).register_reviewer(field === 'name' ? profile(alice, text) : { ...profile(alice, 'Alice'), contact: [text] })).kind, 'invalid-profile');
    }
    assert.deepEqual(await d.anonymous.get_reviewer(bidi.principal), []);
    assert.deepEqual(await snapshot(d, [P]), state);
  });

  it('stores names in NFC: composed and decomposed spellings are the same name, and collide', async () => {
    const composed = ok(await d.as(amelie).register_reviewer(profile(amelie, 'Am\u00E9lie')));
    assert.equal(composed.name, 'Am\u00E9lie');
    assert.equal(composed.name_collides, false);
    const decomposed = ok(await d.as(amelie2).register_reviewer(profile(amelie2, 'Ame\u0301lie')));
    assert.equal(decomposed.name, 'Am\u00E9lie', 'stored in NFC');
    assert.equal(decomposed.name_collides, true);
    const [first] = await d.anonymous.get_reviewer(amelie.principal);
    assert.equal(first?.name_collides, true, 'the earlier reviewer is marked too');
  });

  it('an impostor "alice" is accepted but both are marked, in the profile and in the report; endorsed first', async () => {
    const before_ = (await d.anonymous.proposal_report(P))[0];
    assert.equal(before_?.oses[0].artifacts[0].groups[0].members[0].name_collides, false);

    const fake = ok(await d.as(impostor).register_reviewer(profile(impostor, 'ALICE')));
    assert.equal(fake.name_collides, true);
    assert.equal(fake.endorsed, false);
    const [real] = await d.anonymous.get_reviewer(alice.principal);
    assert.equal(real?.name_collides, true);
    ok(await d.as(impostor).submit_attestation(envelope(impostor, { proposal: P, os: 'guestos', built: G, proposalHash: G })));

    const [r] = await d.anonymous.proposal_report(P);
    assert.ok(r);
    const members = r.oses[0].artifacts[0].groups[0].members;
    assert.deepEqual(
      members.map((m) => [m.reviewer.toText(), m.name, m.endorsed, m.name_collides]),
      [
        [alice.principal.toText(), 'Alice', true, true],
        [impostor.principal.toText(), 'ALICE', false, true]
      ],
      'endorsed first, both marked'
    );
    // The impostor's matching build is unverified: it does not count towards anything.
    assert.equal(r.oses[0].endorsed_matching, 1);
    assert.equal(r.oses[0].unverified_matching, 1);
  });

  it('renaming away clears the mark on both, and it survives an upgrade', async () => {
    ok(await d.as(impostor).register_reviewer(profile(impostor, 'Mallory')));
    assert.equal((await d.anonymous.get_reviewer(alice.principal))[0]?.name_collides, false);
    assert.equal((await d.anonymous.get_reviewer(impostor.principal))[0]?.name_collides, false);
    const [r] = await d.anonymous.proposal_report(P);
    assert.deepEqual(r?.oses[0].artifacts[0].groups[0].members.map((m) => m.name_collides), [false, false]);
    await d.upgrade();
    const page = await d.anonymous.list_reviewers([], 100);
    const marked = page.reviewers.filter((x) => x.name_collides).map((x) => x.name).sort();
    assert.deepEqual(marked, ['Am\u00E9lie', 'Am\u00E9lie']);
  });
});

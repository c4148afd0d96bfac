import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkProfileText, compareReviewers, displayName, nameKey, refusedCharacter } from '../../protocol/names.js';

describe('reviewer names', () => {
  it('refuses each refused category, naming the code point and its position', () => {
    const cases: [string, string][] = [
      ['a\u202Eb', 'U+202E'], ['a\u200Bb', 'U+200B'], ['a\u200Db', 'U+200D'], ['a\u2067b', 'U+2067'], ['a\u0000b', 'U+0000'],
      ['a\u0085b', 'U+0085'], ['a\uE123b', 'U+E123'], ['a\u{F0000}b', 'U+F0000'], ['a\u0378b', 'U+0378'], ['a\uD800b', 'U+D800'], ['a\u2028b', 'U+2028']
    ];
    for (const [s, cp] of cases) {
      assert.equal(refusedCharacter(s)?.codePoint, cp, cp);
      assert.equal(refusedCharacter(s)?.index, 1);
      const c = checkProfileText(s, 'name', 64, true);
      assert.equal(c.ok, false);
      if (!c.ok) assert.match(c.message, new RegExp(`^name contains ${cp.replace('+', '\\+')} at character 2, `));
    }
    // Letters, marks, emoji and spaces of any script are fine.
    for (const s of ['Zoë', 'Дмитрий', '李小龍', 'Ana María', 'دانیال', '🔬 lab']) assert.equal(refusedCharacter(s), null, s);
  });

  it('stores trimmed NFC text and applies the limits after normalising', () => {
    assert.deepEqual(checkProfileText('  Ame\u0301lie ', 'name', 64, true), { ok: true, value: 'Am\u00E9lie' });
    assert.equal(checkProfileText('   ', 'name', 64, true).ok, false);
    assert.deepEqual(checkProfileText('', 'contact', 256, false), { ok: true, value: '' });
    // 64 decomposed pairs compose to 64 characters: within the limit.
    assert.equal(checkProfileText('e\u0301'.repeat(64), 'name', 64, true).ok, true);
    assert.equal(checkProfileText('x'.repeat(65), 'name', 64, true).ok, false);
  });

  it('collides names equal after NFKC and case folding, not merely similar ones', () => {
    assert.equal(nameKey('Alice'), nameKey('ALICE'));
    assert.equal(nameKey('Alice'), nameKey('\uFF21lice')); // full-width A
    assert.equal(nameKey('Ame\u0301lie'), nameKey('AM\u00C9LIE'));
    assert.equal(nameKey('Ana  María'), nameKey('ana maría'));
    assert.notEqual(nameKey('Alice'), nameKey('Alicia'));
  });

  it('displays name, principal prefix and marks; sorts endorsed first', () => {
    const p = 'abcde-fghij-klmno-pqrst-uvwxy-zabcd-efghi-jklmn-opqrs-tuvwx-yza';
    assert.deepEqual(displayName('Alice', p, { collides: true, endorsed: false }), {
      name: 'Alice', principalPrefix: 'abcde-fghij', principal: p, collides: true, endorsed: false, label: 'Alice (abcde-fghij, not endorsed, name shared)'
    });
    assert.equal(displayName('', p, { endorsed: true }).label, 'abcde-fghij');
    const rs = [
      { name: 'alice', principal: 'b', endorsed: false },
      { name: 'Zed', principal: 'c', endorsed: true },
      { name: 'Alice', principal: 'a', endorsed: true }
    ];
    assert.deepEqual([...rs].sort(compareReviewers).map((r) => r.principal), ['a', 'c', 'b']);
  });
});

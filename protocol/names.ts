/**
 * Reviewer names and contacts that cannot impersonate: which characters a profile may hold, the
 * normal form it is stored in, the key two names collide under, and how a name is shown.
 * Pure: the canister checks registrations with it; pages and the CLI display with it.
 *
 * Refused: control (Cc), format (Cf: bidi overrides and isolates, zero-width joiners and spaces,
 * the BOM), unassigned (Cn), private-use (Co) and surrogate (Cs) code points, and the line and
 * paragraph separators. A bidi override in a name reorders whatever follows it on a page (the
 * canister's own text included); zero-width characters make two names look alike.
 */

/** The characters refused anywhere in a name or contact. */
const REFUSED = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}\u2028\u2029]/u;

const CATEGORY: [RegExp, string][] = [
  [/\p{Cc}/u, 'a control character'],
  [/\p{Cf}/u, 'a format character (bidi control, zero-width character or similar)'],
  [/\p{Cn}/u, 'an unassigned code point'],
  [/\p{Co}/u, 'a private-use character'],
  [/\p{Cs}/u, 'a lone surrogate'],
  [/[\u2028\u2029]/u, 'a line or paragraph separator']
];

export type TextCheck = { ok: true; value: string } | { ok: false; message: string };

function codePoint(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The first refused character of `s` and why, or null. */
export function refusedCharacter(s: string): { codePoint: string; index: number; why: string } | null {
  let index = 0;
  // Iterating code points keeps a lone surrogate as one unit (and pairs as one character).
  for (const ch of s) {
    if (REFUSED.test(ch)) {
      const why = CATEGORY.find(([re]) => re.test(ch))?.[1] ?? 'a refused character';
      return { codePoint: codePoint(ch), index, why };
    }
    index++;
  }
  return null;
}

/**
 * A profile text as stored: trimmed and in NFC, so that the same name typed on two systems
 * (composed é vs e + combining acute) is the same text. `max` counts UTF-16 code units after
 * normalisation, as the published limits always did.
 */
export function checkProfileText(value: string, field: string, max: number, required: boolean): TextCheck {
  // Refuse before normalising: normalize() would replace a lone surrogate rather than keep it.
  const bad = refusedCharacter(value);
  if (bad !== null) {
    return { ok: false, message: `${field} contains ${bad.codePoint} at character ${bad.index + 1}, ${bad.why}; such characters are not allowed in ${field}s` };
  }
  const v = value.normalize('NFC').trim();
  if (required && v.length === 0) return { ok: false, message: `${field} must not be empty` };
  if (v.length > max) return { ok: false, message: `${field} is ${v.length} characters long; at most ${max} are allowed` };
  return { ok: true, value: v };
}

/**
 * The key under which two names collide: NFKC, lower-cased, NFKC again (close to Unicode's
 * NFKC_Casefold), with runs of white space as one space. "Alice", "ALICE" and "Ａｌｉｃｅ"
 * (full-width) share a key. Look-alike letters of other scripts (Cyrillic а) do not: the
 * principal prefix shown beside every name is what tells those apart.
 */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

/** How many characters of a principal are shown beside a name: its first two groups. */
export const PRINCIPAL_PREFIX = 11;

export interface DisplayName {
  /** The registered name (may be '' for a principal never registered). */
  name: string;
  /** The principal's first characters, shown beside the name, e.g. "2vxsx-fae12". */
  principalPrefix: string;
  principal: string;
  /** Another registered reviewer's name is the same after case folding. */
  collides: boolean;
  endorsed: boolean;
  /** Plain text for terminals: `Alice (2vxsx-fae12, not endorsed, name shared)`. */
  label: string;
}

/**
 * The pieces a page or the CLI shows for a reviewer. Pages render `name` isolated (`<bdi>`) and
 * escaped, then the principal prefix; a colliding name or an unendorsed reviewer is marked.
 */
export function displayName(name: string, principal: string, opts: { collides?: boolean; endorsed?: boolean } = {}): DisplayName {
  const principalPrefix = principal.slice(0, PRINCIPAL_PREFIX);
  const collides = opts.collides === true;
  const endorsed = opts.endorsed === true;
  const notes = [principalPrefix, ...(endorsed ? [] : ['not endorsed']), ...(collides ? ['name shared'] : [])];
  const label = name === '' ? notes.join(', ') : `${name} (${notes.join(', ')})`;
  return { name, principalPrefix, principal, collides, endorsed, label };
}

/** Endorsed first, then by name key, then by principal: the order reviewers are listed in everywhere. */
export function compareReviewers(a: { name: string; principal: string; endorsed: boolean }, b: { name: string; principal: string; endorsed: boolean }): number {
  if (a.endorsed !== b.endorsed) return a.endorsed ? -1 : 1;
  const ka = nameKey(a.name);
  const kb = nameKey(b.name);
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.principal < b.principal ? -1 : a.principal > b.principal ? 1 : 0;
}

/**
 * A name as plain text for a terminal or log: refused characters (possible in names stored
 * before they were refused) shown as `<U+202E>` instead of acting on the terminal.
 */
export function visibleText(s: string): string {
  let out = '';
  for (const ch of s) out += REFUSED.test(ch) ? `<${codePoint(ch)}>` : ch;
  return out;
}

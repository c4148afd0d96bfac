/**
 * JSON nesting bounded before parsing. A JSON parser recurses once per `[`/`{`: QuickJS's
 * JSON.parse runs out of stack near 10,000 levels (a trap in the canister, where anyone can send
 * a signed payload to verify_envelope). No statement or envelope nests more than
 * LIMITS.jsonDepth levels (canonicalJson writes no deeper), so deeper text is refused before
 * JSON.parse sees it. Every step is a native string operation (a regular expression over the
 * whole text): a JS loop per character costs ~10 K instructions in the canister.
 */
import { LIMITS } from './limits.js';

/** Nesting levels of arrays and objects together: `[]` is 1, `[{}]` is 2. */
export const MAX_JSON_DEPTH: number = LIMITS.jsonDepth;

const ESCAPE = /\\[\s\S]/g;
const STRING = /"[^"]*"/g;
const NOT_BRACKETS = /[^[\]{}]+/g;
const RUN_CACHE = new Map<number, RegExp>();

export type DepthScan = 'within' | 'too-deep' | 'unbalanced';

const INNERMOST = /\[\]|\{\}/g;

/**
 * One pass: every pair that is innermost in `b` removed. One replace over the original text, so
 * a pair that only becomes adjacent by a removal waits for the next pass (removing `[]` and then
 * `{}` in two steps took `{[]}` in one pass and undercounted the depth).
 */
function removeInnermost(b: string): string {
  return b.replace(INNERMOST, '');
}

/**
 * How the brackets of `text` outside strings nest: 'within' (balanced, at most `max` levels),
 * 'too-deep', or 'unbalanced' (not JSON, and shallow enough for JSON.parse to say why).
 * Up to the first syntax error this reads text as a JSON parser does, so a parser cannot get
 * deeper than this scan sees.
 */
export function scanJsonDepth(text: string, max: number = MAX_JSON_DEPTH): DepthScan {
  // Escapes first (so `\"` cannot end a string), then strings, then all but brackets.
  let b = text.indexOf('\\') < 0 ? text : text.replace(ESCAPE, '');
  b = b.replace(STRING, '').replace(NOT_BRACKETS, '');
  let run = RUN_CACHE.get(max);
  if (run === undefined) RUN_CACHE.set(max, (run = new RegExp(`[[{]{${max + 1}}`)));
  if (run.test(b)) return 'too-deep'; // the common attack, at once
  // Each pass removes every innermost pair, so a balanced text of depth d is empty after d passes.
  for (let pass = 0; pass <= max; pass++) {
    if (b.length === 0) return 'within';
    if (pass === max) return 'too-deep';
    const next = removeInnermost(b);
    if (next.length === b.length) {
      // No pair left to remove: any point nests at most (passes so far + openers left) deep.
      const openers = b.split('[').length + b.split('{').length - 2;
      return pass + openers <= max ? 'unbalanced' : 'too-deep';
    }
    b = next;
  }
  return 'too-deep';
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; message: string };

/** JSON.parse behind the nesting bound; never throws. */
export function parseJsonBounded(text: string, max: number = MAX_JSON_DEPTH): JsonParse {
  if (scanJsonDepth(text, max) === 'too-deep') {
    return { ok: false, message: `nested deeper than ${max} levels of arrays and objects` };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

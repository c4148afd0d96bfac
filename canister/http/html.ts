/** Small HTML fragments shared by the dashboard's pages; everything reviewer-supplied is escaped. */
import { escapeHtml as e } from './escape.js';

/** A verdict or outcome as a coloured tag (the colour is decoration: the word is the content). */
export function verdict(v: string): string {
  return `<span class="v ${e(v.replace(/ /g, '-'))}">${e(v)}</span>`;
}

/** "1 build", "2 builds". */
export function plural(n: number | bigint, word: string): string {
  return `${n} ${word}${n === 1 || n === 1n ? '' : 's'}`;
}

/**
 * A long value shown short (`head…tail`, monospace, full value in `title`); a tap, click or
 * Enter opens the full value in a block that selects whole on click, for copying. No script.
 */
export function copyable(full: string, head: number, tail: number): string {
  if (full.length <= head + tail + 1) return `<code>${e(full)}</code>`;
  const f = e(full);
  return `<details class="c"><summary><code title="${f}">${e(full.slice(0, head))}…${e(full.slice(full.length - tail))}</code></summary><code class="full">${f}</code></details>`;
}

export const hash = (h: string): string => copyable(h, 8, 8);
/** Inside a sentence: short, full value in the title (the tables hold the copyable one). */
export const hashRef = (h: string): string => `<code title="${e(h)}">${e(h.slice(0, 8))}…${e(h.slice(-8))}</code>`;
/** Principals: the first two and last two groups (`abcde-fghij…vwxyz-abc`). */
export const principal = (p: string): string => copyable(p, 11, 9);

/** Escaped text with its `code` spans as <code> (the cause catalogue writes paths and commands that way). */
export function codeSpans(text: string): string {
  return e(text).replace(/`([^`<>]+)`/g, '<code>$1</code>');
}

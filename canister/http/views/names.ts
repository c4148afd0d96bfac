/**
 * Reviewer names as shown: isolated in <bdi> (a right-to-left or override character in a name
 * cannot reorder the text around it), always with the principal's first group beside it,
 * endorsed reviewers first, and a mark when two reviewers' names fold to the same text.
 * Mirrors protocol/names.ts's displayName (part of the same change), computed locally.
 */
import type { GroupMember } from '../../../protocol/service.js';
import { escapeHtml as e } from '../escape.js';
import { principalText } from '../../store/principals.js';

/** Case-folded, compatibility-normalised: what two names "look the same" as. */
export function foldName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Folded names carried by more than one principal among `members`. */
export function collidingNames(members: { name: string; reviewer: { toText(): string } | string }[]): Set<string> {
  const owners = new Map<string, Set<string>>();
  for (const m of members) {
    const f = foldName(m.name);
    if (f === '') continue;
    const p = typeof m.reviewer === 'string' ? m.reviewer : m.reviewer.toText();
    const s = owners.get(f) ?? new Set<string>();
    s.add(p);
    owners.set(f, s);
  }
  return new Set([...owners].filter(([, s]) => s.size > 1).map(([f]) => f));
}

/**
 * `<bdi>name</bdi> <code>abcde…</code>`: the name isolated, the principal prefix always shown.
 * `titled`: the full principal in a title too (left out where the page shows it beside, to keep pages small).
 */
export function displayName(name: string, principal: string, collides = false, titled = true): string {
  const prefix = principal.split('-')[0] ?? principal;
  const shown = name === '' ? '<i>unnamed</i>' : `<bdi>${e(name)}</bdi>`;
  return (
    `<b class="name">${shown}</b> <code class="pp"${titled ? ` title="${e(principal)}"` : ''}>${e(prefix)}…</code>` +
    (collides ? ' <span class="warn">same name as another reviewer</span>' : '')
  );
}

export function memberName(m: GroupMember, collisions: Set<string>): string {
  return displayName(m.name, principalText(m.reviewer), collisions.has(foldName(m.name)));
}

/** Endorsed first, then by name, then by principal. */
export function byStanding<T extends { endorsed: boolean; name: string; principal: string }>(a: T, b: T): number {
  if (a.endorsed !== b.endorsed) return a.endorsed ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.principal < b.principal ? -1 : a.principal > b.principal ? 1 : 0;
}

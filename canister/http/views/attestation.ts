/**
 * One attestation as a person reads it: who signed what, for which proposal and commit, on what
 * machine, how long it took, each artifact with its hashes and manifest, and the signature's
 * status, with the raw signed envelope one link away. Rendered on request from the stored
 * envelope (O(its size); envelopes are at most 64 KiB) and bounded like the envelope itself.
 */
import { base64Decode, utf8Decode } from '../../../protocol/bytes.js';
import type { Attestation, Reviewer } from '../../../protocol/service.js';
import type { ArtifactResult, ManifestEntry } from '../../../protocol/types.js';
import { escapeHtml as e } from '../escape.js';
import { utcMinuteOfNs } from '../../dates.js';
import { hash, principal } from '../html.js';
import { layout } from '../layout.js';
import { principalText } from '../../store/principals.js';
import { displayName } from './names.js';

/** Manifest lines shown per artifact; the rest is in the raw envelope. */
export const MANIFEST_LINES = 200;

function statementOf(a: Attestation): Record<string, unknown> | null {
  const bytes = base64Decode(a.envelope.payload);
  if (typeof bytes === 'string') return null;
  const text = utf8Decode(bytes);
  if (text === null) return null;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function scalar(v: unknown): string {
  if (v === null) return '<span class="muted">none</span>';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)) return hash(v);
  if (typeof v === 'string') return `<code>${e(v)}</code>`;
  return e(String(v));
}

/** Any JSON value as nested definition lists (environment records differ by version). */
function kv(v: unknown, depth = 0): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return '<span class="muted">none</span>';
    if (v.every((x) => typeof x !== 'object' || x === null)) return v.map(scalar).join(' ');
    return `<ol>${v.slice(0, 50).map((x) => `<li>${kv(x, depth + 1)}</li>`).join('')}${v.length > 50 ? `<li class="muted">${v.length - 50} more</li>` : ''}</ol>`;
  }
  if (typeof v === 'object' && v !== null) {
    if (depth > 4) return '<span class="muted">(nested; see the raw envelope)</span>';
    return `<dl class="kv">${Object.entries(v).map(([k, x]) => `<dt>${e(k)}</dt><dd>${kv(x, depth + 1)}</dd>`).join('')}</dl>`;
  }
  return scalar(v);
}

function manifestLines(entries: ManifestEntry[], indent: string, out: string[]): void {
  for (const m of entries) {
    if (out.length >= MANIFEST_LINES) return;
    out.push(`${indent}${m.path}  ${m.kind}  ${m.size} bytes  ${m.sha256}${m.truncated ? '  (deeper levels dropped)' : ''}`);
    if (m.children) manifestLines(m.children, `${indent}  `, out);
  }
}

function artifact(a: ArtifactResult): string {
  const rows: [string, string][] = [
    ['Built sha256', hash(a.sha256)],
    ['Size', `${e(a.size)} bytes`],
    ['Proposal hash', a.proposalSha256 === null ? '<span class="muted">none</span>' : hash(a.proposalSha256)],
    ['CDN', a.cdn.length === 0 ? '<span class="muted">none checked</span>' : a.cdn.map((c) => `<code>${e(c.mirror)}</code> ${hash(c.sha256)}`).join('<br>')],
    ['Outcome', a.outcome === 'match' ? '<span class="ok">match</span>' : a.outcome === 'mismatch' ? '<span class="flag">mismatch</span>' : e(a.outcome)]
  ];
  let manifest = '<p class="muted">No manifest recorded.</p>';
  if (Array.isArray(a.manifest)) {
    const lines: string[] = [];
    manifestLines(a.manifest, '', lines);
    manifest = `<details><summary>Manifest (${lines.length}${lines.length >= MANIFEST_LINES ? '+' : ''} entries, root <code>${e(a.manifestRoot ?? 'none')}</code>)</summary><pre class="manifest" tabindex="0">${e(lines.join('\n'))}</pre></details>`;
  }
  return (
    `<h3><code>${e(a.name)}</code></h3><table><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${k}</th><td>${v}</td></tr>`).join('')}</tbody></table>` + manifest
  );
}

function duration(start: unknown, end: unknown): string {
  const s = Date.parse(String(start));
  const f = Date.parse(String(end));
  if (!Number.isFinite(s) || !Number.isFinite(f) || f < s) return '';
  const sec = Math.round((f - s) / 1000);
  return ` (${Math.floor(sec / 60)} min ${sec % 60} s)`;
}

export function attestationPage(a: Attestation, reviewer: Reviewer | undefined): string {
  const id = a.id.toString();
  const st = statementOf(a);
  const p = (st?.predicate ?? {}) as Record<string, unknown>;
  const who = principalText(a.reviewer);
  const status = a.revoked.length === 1
    ? `<span class="flag">revoked</span> ${utcMinuteOfNs(a.revoked[0].at_ns)}: ${e(a.revoked[0].reason)}. <span class="muted">Kept and shown; no longer counted.</span>`
    : a.superseded_by.length === 1
      ? `replaced by the same reviewer's <a href="/attestation/${a.superseded_by[0].toString()}">attestation #${a.superseded_by[0].toString()}</a>: no longer counted`
      : '<span class="ok">counted</span> (the reviewer\'s latest for this proposal and OS)';
  const facts: [string, string][] = [
    ['Reviewer', `${displayName(reviewer?.name ?? '', who)} ${reviewer?.endorsed ? '<span class="tag ok">✔ endorsed</span>' : '<span class="tag muted">unverified: not endorsed</span>'}<span class="sub">${principal(who)}</span>`],
    ['Proposal', `<a href="/proposal/${a.proposal.toString()}">${a.proposal.toString()}</a>`],
    ['OS', e(a.os)],
    ['Commit', typeof p.commit === 'string' ? `<code>${e(p.commit)}</code>` : '<span class="muted">unknown</span>'],
    ['Built', `${e(String(p.startedAt ?? '?'))} to ${e(String(p.finishedAt ?? '?'))}${duration(p.startedAt, p.finishedAt)}`],
    ['Submitted', utcMinuteOfNs(a.submitted_at_ns)],
    ['Tool', typeof p.tool === 'object' && p.tool !== null ? e(`${(p.tool as { name?: string }).name ?? '?'} ${(p.tool as { version?: string }).version ?? ''}`) : '<span class="muted">unknown</span>'],
    [
      'Signature',
      `<span class="ok">verified</span> by this canister when submitted: a DSSE signature by the reviewer's registered ${e(reviewer?.key_type ?? '')} key (keyid <code>${e(a.envelope.signatures[0]?.keyid ?? '')}</code>). ` +
        `Envelope digest ${hash(a.digest)}.`
    ],
    ['Status', status]
  ];
  if (a.supersedes.length === 1) facts.push(['Replaces', `<a href="/attestation/${a.supersedes[0].toString()}">attestation #${a.supersedes[0].toString()}</a>`]);
  const artifacts = Array.isArray(p.artifacts) ? (p.artifacts as ArtifactResult[]).map(artifact).join('') : '<p class="muted">No artifacts could be read from the statement.</p>';
  const body =
    `<h1>Attestation #${e(id)}</h1>` +
    `<p class="lead">${displayName(reviewer?.name ?? '', who)} built ${e(a.os)} for proposal ${a.proposal.toString()}. <a href="/attestation/${e(id)}.json">Raw signed envelope (JSON)</a></p>` +
    `<table><tbody>${facts.map(([k, v]) => `<tr><th scope="row">${k}</th><td>${v}</td></tr>`).join('')}</tbody></table>` +
    `<h2>Artifacts</h2>${artifacts}` +
    `<h2>Environment</h2><p class="muted">What the build ran on, as the reviewer signed it (nothing private: no paths, users or host names).</p>${kv(p.environment ?? null)}`;
  const footer =
    `<p><b>Check this yourself.</b> Save the <a href="/attestation/${e(id)}.json">raw envelope</a> and run <code>icos-attest verify attestation-${e(id)}.json</code>: ` +
    `it checks the signature (with the reviewer's key fetched from the canister, or one you pass with <code>--public-key</code>). <code>icos-attest verify --proposal ${a.proposal.toString()}</code> checks every attestation of the proposal against the canister's certified log.</p>`;
  return layout(`Attestation #${id}: icos-attest`, body, footer);
}

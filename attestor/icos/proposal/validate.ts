/**
 * What an IC-OS election proposal must hold before anything uses it: checked where the payload is
 * read (governance or dashboard), so `proposal show`, `check`, `build` and `run` all refuse the
 * same bad payload with the same words. Pure.
 */
import { ProposalError } from '../../../protocol/nns/errors.js';
import type { ElectionProposal } from '../../../protocol/nns/types.js';

/** A payload field that fails its check, in the proposal's own field names. */
export class PayloadError extends ProposalError {
  constructor(
    readonly proposal: string,
    readonly field: string,
    problem: string
  ) {
    super('bad-payload', `proposal ${proposal}: ${field} ${problem}`);
  }
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX40 = /^[0-9a-f]{40}$/;

/** Throws a PayloadError naming the first field that is missing or malformed. */
export function validateElectionPayload(p: ElectionProposal): ElectionProposal {
  if (p.elects === 'not-icos') return p;
  const commitField = p.elects === 'guestos' ? 'replica_version_to_elect' : 'hostos_version_to_elect';
  if (p.commit === null || p.commit === '') throw new PayloadError(p.id, commitField, 'is missing');
  if (!HEX40.test(p.commit)) throw new PayloadError(p.id, commitField, `is not a git commit (40 hex digits): ${JSON.stringify(clip(p.commit))}`);
  if (p.sha256 === null || p.sha256 === '') throw new PayloadError(p.id, 'release_package_sha256_hex', 'is missing');
  if (!HEX64.test(p.sha256)) throw new PayloadError(p.id, 'release_package_sha256_hex', `is not a sha256 (64 hex digits): ${JSON.stringify(clip(p.sha256))}`);
  if (p.urls.length === 0) throw new PayloadError(p.id, 'release_package_urls', 'is empty');
  for (const u of p.urls) {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw new PayloadError(p.id, 'release_package_urls', `holds something that is not a URL: ${JSON.stringify(clip(u))}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new PayloadError(p.id, 'release_package_urls', `holds a ${url.protocol.replace(/:$/, '')} URL (only https and http are fetched): ${JSON.stringify(clip(u))}`);
    }
  }
  return p;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

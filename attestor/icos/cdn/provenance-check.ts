/**
 * The check's provenance step: for each distinct SHA256SUMS a check downloaded, fetch GitHub's
 * attestations for its digest and verify them (provenance.ts). The trusted root comes from
 * Sigstore's TUF repository (public-good instance, cached under the check's cache dir) or from
 * a TrustedRoot JSON file (`--trust-root`, e.g. a private Sigstore or a test root).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrustMaterial } from '@sigstore/verify';
import { fetchAttestationBundles, provenanceSubject, trustMaterialFromJson, verifyAnyBundle, type ProvenanceResult } from './provenance.js';

export interface ProvenanceOptions {
  /** Record every SHA256SUMS as "skipped" (mirrors that publish no attestations). */
  skip?: boolean;
  /** TrustedRoot JSON file; default: Sigstore's public-good root via TUF. */
  trustRootPath?: string;
  /** Attestations API base; default https://api.github.com. */
  attestationsUrl?: string;
  fetchImpl?: typeof fetch;
}

export type Trust = { material: TrustMaterial; ctlogs: number };

export async function loadTrust(opts: ProvenanceOptions, cacheDir: string): Promise<{ ok: true; trust: Trust } | { ok: false; message: string }> {
  try {
    if (opts.trustRootPath) return { ok: true, trust: trustMaterialFromJson(JSON.parse(await readFile(opts.trustRootPath, 'utf8'))) };
    const { getTrustedRoot } = await import('@sigstore/tuf');
    const { TrustedRoot } = await import('@sigstore/protobuf-specs');
    const root = await getTrustedRoot({ cachePath: join(cacheDir, 'sigstore-tuf') });
    return { ok: true, trust: trustMaterialFromJson(TrustedRoot.toJSON(root)) };
  } catch (err) {
    return { ok: false, message: `cannot load the Sigstore trusted root${opts.trustRootPath ? ` from ${opts.trustRootPath}` : ''}: ${(err as Error).message}` };
  }
}

/** A memoising verifier: one verification per (dir, digest) per check. */
export function provenanceVerifier(opts: ProvenanceOptions, cacheDir: string): (commit: string, dir: string, sha256: string | null) => Promise<ProvenanceResult> {
  let trust: Promise<Awaited<ReturnType<typeof loadTrust>>> | null = null;
  const memo = new Map<string, Promise<ProvenanceResult>>();
  return (commit, dir, sha256) => {
    const subject = provenanceSubject(commit, dir);
    if (opts.skip) return Promise.resolve({ status: 'skipped', subject, sha256, signer: null, error: null });
    if (sha256 === null) {
      return Promise.resolve({ status: 'failed', subject, sha256, signer: null, error: { kind: 'network', message: 'SHA256SUMS could not be downloaded' } });
    }
    const key = `${dir}\n${sha256}`;
    let p = memo.get(key);
    if (!p) {
      p = (async (): Promise<ProvenanceResult> => {
        trust ??= loadTrust(opts, cacheDir);
        const t = await trust;
        if (!t.ok) return { status: 'failed', subject, sha256, signer: null, error: { kind: 'trust-root', message: t.message } };
        const fetched = await fetchAttestationBundles(sha256, { apiBase: opts.attestationsUrl, fetchImpl: opts.fetchImpl });
        if (!fetched.ok) return { status: 'failed', subject, sha256, signer: null, error: { kind: fetched.kind, message: fetched.message } };
        return verifyAnyBundle(fetched.bundles, { commit, dir, sha256 }, t.trust);
      })();
      memo.set(key, p);
    }
    return p;
  };
}

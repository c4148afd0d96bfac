/**
 * `check`: without building, is what the proposal elects what both CDN mirrors publish?
 *
 * gatherArtifact (I/O: downloads + hashing) collects the facts for one OS; evaluateArtifact
 * (pure) turns them into findings. Every URL in release_package_urls must hash to the
 * proposal hash; each mirror's file must hash to the proposal hash and to its own SHA256SUMS
 * line; the mirrors must agree; GuestOS launch measurements must equal the proposal's.
 */
import { readFile } from 'node:fs/promises';
import { notIcosMessage } from '../../../protocol/nns/alternative.js';
import type { OsName } from '../../../protocol/types.js';
import { download, type DownloadResult } from '../../download/download.js';
import type { OnProgress } from '../../hash/progress.js';
import {
  artifactName,
  CDN_LAYOUTS,
  cdnFileUrl,
  chooseArtifactFile,
  DEFAULT_MIRRORS,
  mirrorName,
} from './layout.js';
import { addMeasurementsChecks, measurementsOf } from './check-measurements.js';
import { normaliseMeasurements, parseLaunchMeasurements, sameMeasurements } from './measurements.js';
import { addProvenance } from './check-provenance.js';
import { provenanceVerifier, type ProvenanceOptions } from './provenance-check.js';
import { isCommit, type ElectionProposalLike } from './proposal-shape.js';
import {
  CHECK_REPORT_SCHEMA,
  type ArtifactCheck,
  type CheckResult,
  type ErrorInfo,
  type Finding,
  type MirrorCheck,
} from './report.js';
import { findSum, parseSha256Sums, type SumsLine } from './sha256sums.js';

export interface CheckOptions {
  cacheDir: string;
  /** Mirror base URLs; default both DFINITY CDNs. */
  mirrors?: string[];
  /** OSes to check; the elected OS is always included. Default: the elected OS (+ SetupOS for HostOS). */
  os?: OsName[];
  onProgress?: OnProgress;
  /** Re-download artifacts even when a verified copy is cached. */
  refresh?: boolean;
  /** Download attempts per file (each resumes). Default 3. */
  attempts?: number;
  /** A mirror silent this long (ms) is given up for this check. Default 30 s. */
  idleTimeoutMs?: number;
  fetchImpl?: typeof fetch;
  now?: () => Date;
  /** GitHub build-provenance of each SHA256SUMS (default: verify against Sigstore's public-good root). */
  provenance?: ProvenanceOptions;
}

/** Default OS set (SetupOS ships with HostOS releases; it is checked against the CDN only). */
export function defaultOsList(elects: 'guestos' | 'hostos'): OsName[] {
  return elects === 'hostos' ? ['hostos', 'setupos'] : ['guestos'];
}

export async function checkProposal(proposal: ElectionProposalLike, opts: CheckOptions): Promise<CheckResult> {
  const now = opts.now ?? (() => new Date());
  if (proposal.elects === 'not-icos') {
    return { ok: false, error: { kind: 'not-icos', message: notIcosMessage(proposal) } };
  }
  if (!isCommit(proposal.commit)) {
    return {
      ok: false,
      error: { kind: 'bad-commit', message: `proposal ${proposal.id} names no 40-hex commit (got ${JSON.stringify(proposal.commit)})` },
    };
  }
  const sha = proposal.sha256?.toLowerCase() ?? null;
  if (sha === null || !/^[0-9a-f]{64}$/.test(sha)) {
    return {
      ok: false,
      error: { kind: 'proposal-incomplete', message: `proposal ${proposal.id} has no valid release_package_sha256_hex` },
    };
  }
  const mirrors = opts.mirrors ?? DEFAULT_MIRRORS;
  if (mirrors.length === 0) return { ok: false, error: { kind: 'bad-option', message: 'at least one CDN mirror is needed' } };
  for (const m of mirrors) {
    try {
      new URL(m);
    } catch {
      return { ok: false, error: { kind: 'bad-option', message: `not a mirror URL: ${m}` } };
    }
  }
  const startedAt = now().toISOString();
  const osList = [proposal.elects, ...(opts.os ?? defaultOsList(proposal.elects)).filter((o) => o !== proposal.elects)];
  const fetcher = memoDownloader(opts);
  const proposalMeasurements = normaliseMeasurements(proposal.launchMeasurements ?? []);

  const artifacts: ArtifactCheck[] = [];
  const findings: Finding[] = [];
  const verifyProvenance = provenanceVerifier(opts.provenance ?? {}, opts.cacheDir);
  for (const os of [...new Set(osList)]) {
    const elected = os === proposal.elects;
    const gathered = await gatherArtifact({
      os,
      commit: proposal.commit,
      mirrors,
      elected,
      proposalSha256: elected ? sha : null,
      urls: elected ? proposal.urls : [],
      proposalMeasurements: os === 'guestos' && elected ? proposalMeasurements : [],
      fetcher,
    });
    const evaluated = evaluateArtifact(gathered);
    // Provenance and full launch-measurement checks (check-provenance.ts, check-measurements.ts).
    evaluated.findings.push(...addMeasurementsChecks(evaluated.artifact), ...(await addProvenance(evaluated.artifact, proposal.commit, verifyProvenance)));
    evaluated.artifact.ok = evaluated.findings.length === 0;
    artifacts.push(evaluated.artifact);
    findings.push(...evaluated.findings);
  }
  return {
    ok: true,
    report: {
      schema: CHECK_REPORT_SCHEMA,
      ok: findings.length === 0,
      proposal: {
        id: proposal.id,
        elects: proposal.elects,
        commit: proposal.commit,
        sha256: sha,
        urls: [...proposal.urls],
        launchMeasurements: proposalMeasurements,
      },
      mirrors: [...mirrors],
      startedAt,
      finishedAt: now().toISOString(),
      artifacts,
      findings,
    },
  };
}

type Fetcher = (url: string, small: boolean) => Promise<DownloadResult>;

/** One download per URL per check, even when a proposal URL is also a mirror URL. */
function memoDownloader(opts: CheckOptions): Fetcher {
  const memo = new Map<string, Promise<DownloadResult>>();
  const outage = hostOutages();
  return (url, small) => {
    let p = memo.get(url);
    if (!p) {
      p = outage.guard(url, () =>
        download(url, {
          cacheDir: opts.cacheDir,
          onProgress: opts.onProgress,
          attempts: opts.attempts,
          idleTimeoutMs: opts.idleTimeoutMs,
          // Small index files are always fetched fresh; big images are reused once verified.
          refresh: small || opts.refresh,
          fetchImpl: opts.fetchImpl,
        }),
      );
      memo.set(url, p);
    }
    return p;
  };
}

/**
 * A host that never answered (timeout, refused) is not asked again in the same check: its other
 * files get the same error at once, so an outage costs one idle timeout, not one per file.
 */
function hostOutages(): { guard(url: string, run: () => Promise<DownloadResult>): Promise<DownloadResult> } {
  const down = new Map<string, DownloadResult & { ok: false }>();
  const hostOf = (url: string) => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  };
  return {
    async guard(url, run) {
      const known = down.get(hostOf(url));
      if (known) return { ...known, url, message: `${known.message.replace(/ \(https?:\/\/[^)]*\)$/, '')} (${url} not tried)` };
      const r = await run();
      if (!r.ok && r.kind === 'network' && r.unreachable) down.set(hostOf(url), r);
      return r;
    },
  };
}

/** The mirrors that could not be reached at all in this check (an outage, not a bad file). */
export function unreachableMirrors(report: { artifacts: ArtifactCheck[] }): { mirror: string; reason: string }[] {
  const seen = new Map<string, string>();
  for (const a of report.artifacts) {
    for (const m of a.mirrors) {
      const e = m.error ?? m.sums.error;
      if (e && e.kind === 'network' && (e as ErrorInfo & { unreachable?: boolean }).unreachable) seen.set(m.mirror, (e as ErrorInfo & { reason?: string }).reason ?? e.message);
    }
  }
  return [...seen].map(([mirror, reason]) => ({ mirror, reason }));
}

function errorInfo(r: DownloadResult): ErrorInfo | null {
  if (r.ok) return null;
  return { kind: r.kind, message: r.message, ...(r.reason ? { reason: r.reason } : {}), ...(r.unreachable ? { unreachable: true } : {}) };
}

interface GatherInput {
  os: OsName;
  commit: string;
  mirrors: string[];
  elected: boolean;
  proposalSha256: string | null;
  urls: string[];
  proposalMeasurements: string[];
  fetcher: Fetcher;
}

async function gatherArtifact(g: GatherInput): Promise<Omit<ArtifactCheck, 'ok' | 'cdnSha256'>> {
  const layout = CDN_LAYOUTS[g.os];
  // SHA256SUMS first (small): it also tells which file name this commit's era publishes.
  const sums: { url: string; entries: SumsLine[] | null; error: ErrorInfo | null; fileSha256?: string }[] = [];
  // every mirror at once: a slow or silent one delays the check by its timeout, not the sum of them
  const sumsFetched = await Promise.all(g.mirrors.map((m) => g.fetcher(cdnFileUrl(m, g.commit, g.os, 'SHA256SUMS'), true)));
  for (const [i, m] of g.mirrors.entries()) {
    const url = cdnFileUrl(m, g.commit, g.os, 'SHA256SUMS');
    const r = sumsFetched[i]!;
    if (!r.ok) {
      sums.push({ url, entries: null, error: errorInfo(r) });
      continue;
    }
    const parsed = parseSha256Sums(await readFile(r.path, 'utf8'));
    sums.push({
      url,
      fileSha256: r.sha256,
      entries: parsed.entries,
      error: parsed.entries.length === 0 && parsed.malformed.length > 0
        ? { kind: 'sums-malformed', message: `${url}: no well-formed line` }
        : null,
    });
  }
  const file = chooseArtifactFile(
    g.os,
    g.urls,
    sums.flatMap((s) => (s.entries ?? []).map((e) => e.name)),
  );

  // start every artifact download (proposal URLs and mirrors) together; the fetcher memoises them
  await Promise.all([...g.urls.map((u) => g.fetcher(u, false)), ...g.mirrors.map((m) => g.fetcher(cdnFileUrl(m, g.commit, g.os, file), false))]);
  const urls = [];
  for (const url of g.urls) {
    const r = await g.fetcher(url, false);
    urls.push({ url, sha256: r.ok ? r.sha256 : null, size: r.ok ? r.size : null, error: errorInfo(r) });
  }

  const mirrors: MirrorCheck[] = [];
  for (const [i, m] of g.mirrors.entries()) {
    const url = cdnFileUrl(m, g.commit, g.os, file);
    const r = await g.fetcher(url, false);
    const s = sums[i]!;
    const lines = s.entries ? findSum(s.entries, file) : [];
    const distinct = [...new Set(lines.map((l) => l.sha256))];
    mirrors.push({
      mirror: mirrorName(m),
      url,
      sha256: r.ok ? r.sha256 : null,
      size: r.ok ? r.size : null,
      error: errorInfo(r),
      sums: {
        url: s.url,
        ...(s.fileSha256 ? { fileSha256: s.fileSha256 } : {}),
        ...(layout.measurements && s.entries ? { measurementsLine: findSum(s.entries, layout.measurements)[0]?.sha256 ?? null } : {}),
        line: lines.length ? lines.map((l) => l.line).join('\n') : null,
        sha256: distinct[0] ?? null,
        error:
          s.error ??
          (distinct.length > 1 ? { kind: 'sums-ambiguous', message: `${s.url} lists ${file} with ${distinct.length} different hashes` } : null),
      },
    });
  }

  let launchMeasurements: ArtifactCheck['launchMeasurements'] = null;
  if (layout.measurements) {
    launchMeasurements = { proposal: g.proposalMeasurements, mirrors: [] };
    await Promise.all(g.mirrors.map((m) => g.fetcher(cdnFileUrl(m, g.commit, g.os, layout.measurements!), true)));
    for (const m of g.mirrors) {
      const url = cdnFileUrl(m, g.commit, g.os, layout.measurements);
      const r = await g.fetcher(url, true);
      if (!r.ok) {
        launchMeasurements.mirrors.push({ mirror: mirrorName(m), url, measurements: null, error: errorInfo(r) });
        continue;
      }
      const bytes = await readFile(r.path);
      const parsed = parseLaunchMeasurements(bytes.toString('utf8'));
      launchMeasurements.mirrors.push(
        parsed.ok
          ? { mirror: mirrorName(m), url, measurements: parsed.measurements, error: null, ...measurementsOf(bytes) }
          : { mirror: mirrorName(m), url, measurements: null, error: { kind: parsed.kind, message: parsed.message }, ...measurementsOf(bytes) },
      );
    }
  }

  return {
    os: g.os,
    name: artifactName(g.os, file),
    file,
    dir: layout.dir,
    elected: g.elected,
    proposalSha256: g.proposalSha256,
    urls,
    mirrors,
    launchMeasurements,
  };
}

function failureKind(e: ErrorInfo): 'truncated-download' | 'download-failed' {
  return e.kind === 'truncated-download' ? 'truncated-download' : 'download-failed';
}

/** Pure: the findings for one artifact's gathered facts, and the hash the mirrors agree on. */
export function evaluateArtifact(a: Omit<ArtifactCheck, 'ok' | 'cdnSha256'>): { artifact: ArtifactCheck; findings: Finding[] } {
  const f: Finding[] = [];
  const base = { os: a.os, name: a.name };
  const sumsName = `${a.os}/SHA256SUMS`;

  for (const u of a.urls) {
    if (u.error) {
      f.push({ kind: failureKind(u.error), ...base, url: u.url, message: u.error.message });
    } else if (a.proposalSha256 && u.sha256 !== a.proposalSha256) {
      f.push({
        kind: 'url-hash-mismatch',
        ...base,
        url: u.url,
        expected: a.proposalSha256,
        actual: u.sha256!,
        message: `${u.url} (in the proposal) serves bytes hashing to ${u.sha256}, not the proposal hash ${a.proposalSha256}`,
      });
    }
  }

  for (const m of a.mirrors) {
    if (m.error) {
      f.push({ kind: failureKind(m.error), ...base, mirror: m.mirror, url: m.url, message: m.error.message });
    } else if (a.proposalSha256 && m.sha256 !== a.proposalSha256) {
      f.push({
        kind: 'proposal-cdn-mismatch',
        ...base,
        mirror: m.mirror,
        url: m.url,
        expected: a.proposalSha256,
        actual: m.sha256!,
        message: `${m.mirror} serves ${a.file} hashing to ${m.sha256}, but the proposal elects ${a.proposalSha256}`,
      });
    }
    if (m.sums.error) {
      if (m.sums.error.kind === 'sums-ambiguous') {
        f.push({ kind: 'sums-mismatch', os: a.os, name: sumsName, mirror: m.mirror, url: m.sums.url, message: m.sums.error.message });
      } else {
        f.push({ kind: failureKind(m.sums.error), os: a.os, name: sumsName, mirror: m.mirror, url: m.sums.url, message: m.sums.error.message });
      }
    } else if (m.sums.sha256 === null) {
      f.push({
        kind: 'sums-line-missing',
        os: a.os,
        name: sumsName,
        mirror: m.mirror,
        url: m.sums.url,
        message: `${m.sums.url} has no line for ${a.file}`,
      });
    } else if (m.sha256 !== null && m.sums.sha256 !== m.sha256) {
      f.push({
        kind: 'sums-mismatch',
        os: a.os,
        name: sumsName,
        mirror: m.mirror,
        url: m.sums.url,
        expected: m.sums.sha256,
        actual: m.sha256,
        message: `${m.mirror}: SHA256SUMS says ${m.sums.sha256} for ${a.file}, the file hashes to ${m.sha256}`,
      });
    } else if (m.sha256 === null && a.proposalSha256 && m.sums.sha256 !== a.proposalSha256) {
      // The file could not be fetched, but its published sum already contradicts the proposal.
      f.push({
        kind: 'proposal-cdn-mismatch',
        ...base,
        mirror: m.mirror,
        url: m.sums.url,
        expected: a.proposalSha256,
        actual: m.sums.sha256,
        message: `${m.mirror}: SHA256SUMS lists ${a.file} as ${m.sums.sha256}, but the proposal elects ${a.proposalSha256}`,
      });
    }
  }

  const fileHashes = [...new Set(a.mirrors.flatMap((m) => (m.sha256 ? [m.sha256] : [])))];
  if (fileHashes.length > 1) {
    f.push({
      kind: 'mirrors-disagree',
      ...base,
      message: `the mirrors serve different ${a.file}: ${a.mirrors.map((m) => `${m.mirror}=${m.sha256 ?? 'n/a'}`).join(', ')}`,
    });
  }
  const sumHashes = [...new Set(a.mirrors.flatMap((m) => (m.sums.sha256 ? [m.sums.sha256] : [])))];
  if (sumHashes.length > 1) {
    f.push({
      kind: 'mirrors-disagree',
      os: a.os,
      name: sumsName,
      message: `the mirrors' SHA256SUMS list different hashes for ${a.file}: ${a.mirrors.map((m) => `${m.mirror}=${m.sums.sha256 ?? 'n/a'}`).join(', ')}`,
    });
  }

  const lm = a.launchMeasurements;
  if (lm) {
    const mName = `${a.os}/launch-measurements.json`;
    if (lm.proposal.length > 0) {
      for (const m of lm.mirrors) {
        if (m.error) {
          f.push({ kind: failureKind(m.error), os: a.os, name: mName, mirror: m.mirror, url: m.url, message: m.error.message });
        } else if (!sameMeasurements(lm.proposal, m.measurements!)) {
          f.push({
            kind: 'measurements-mismatch',
            os: a.os,
            name: mName,
            mirror: m.mirror,
            url: m.url,
            expected: lm.proposal.join(','),
            actual: m.measurements!.join(','),
            message: `${m.mirror}: launch measurements differ from the proposal's`,
          });
        }
      }
    }
    const published = lm.mirrors.flatMap((m) => (m.measurements ? [m.measurements] : []));
    if (published.length > 1 && published.some((p) => !sameMeasurements(p, published[0]!))) {
      f.push({ kind: 'mirrors-disagree', os: a.os, name: mName, message: 'the mirrors publish different launch measurements' });
    }
  }

  const okMirrors = a.mirrors.filter((m) => m.sha256 !== null);
  const cdnSha256 = fileHashes.length === 1 && okMirrors.length === a.mirrors.length ? fileHashes[0]! : null;
  return { artifact: { ...a, cdnSha256, ok: f.length === 0 }, findings: f };
}

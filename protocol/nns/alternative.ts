/**
 * `BlessAlternativeGuestOsVersion`: the SEV recovery proposal (a governance Action, not an NNS
 * function). It blesses a recovery GuestOS root filesystem, by its hash, for the listed AMD
 * SEV chips, on top of a base GuestOS whose launch measurements it names (the recovery image
 * keeps the base's kernel, initrd and command line, so the measurement stays the same).
 * It names no git commit and no image URL: there is nothing to build or download from the
 * proposal alone, so `check` and `build` refuse it with what it blesses; the reviewer checks
 * the base GuestOS release (whose launch measurements must be these) by its own proposal.
 *
 * Candid (governance.did, see governance_idl.ts): record { rootfs_hash: opt text; chip_ids: opt vec blob;
 * base_guest_launch_measurements: opt GuestLaunchMeasurements }. The inner measurement record
 * is read with every field optional (inferred from governance's protobuf-derived types), which
 * also accepts the non-opt shapes by Candid's opt rule.
 * Pure TypeScript: runs in Node and inside the canister.
 */
import { bytesToHex, measurementToHex } from './hex.js';

// The Candid type is BlessAlternativeGuestOsVersion in governance_idl.ts (kept there so the
// governance stand-in, which links that file alone, needs nothing else).

export const ALTERNATIVE_ACTION = 'BlessAlternativeGuestOsVersion';

export interface AlternativeGuestOs {
  /** Recovery root filesystem hash (hex, as proposed). */
  rootfsHash: string | null;
  /** AMD SEV chip ids, hex. */
  chipIds: string[];
  /** Launch measurements of the base GuestOS, hex, with their kernel command lines. */
  baseMeasurements: { measurement: string; kernelCmdline: string | null }[];
  /** What is wrong with the payload (empty when well-formed). */
  problems: string[];
}

type Opt<T> = [] | [T];
export interface BlessAlternativeValue {
  rootfs_hash: Opt<string>;
  chip_ids: Opt<(Uint8Array | number[])[]>;
  base_guest_launch_measurements: Opt<{ guest_launch_measurements: Opt<{ measurement: Opt<Uint8Array | number[]>; metadata: Opt<{ kernel_cmdline: Opt<string> }> }[]> }>;
}

/** Pure: the problems of a decoded payload (what a reviewer should refuse to vote for). */
export function alternativeProblems(a: Omit<AlternativeGuestOs, 'problems'>): string[] {
  const out: string[] = [];
  if (a.rootfsHash === null || !/^[0-9a-f]{64}$/.test(a.rootfsHash)) out.push(`rootfs_hash ${JSON.stringify(a.rootfsHash)} is not 64 hex digits`);
  if (a.chipIds.length === 0) out.push('no chip ids: the recovery image would be blessed for no node');
  a.chipIds.forEach((c, i) => c.length !== 128 && out.push(`chip id ${i} is ${c.length / 2} bytes, not 64`));
  if (a.baseMeasurements.length === 0) out.push('no base launch measurements');
  a.baseMeasurements.forEach((m, i) => m.measurement.length !== 96 && out.push(`base launch measurement ${i} is ${m.measurement.length / 2} bytes, not 48`));
  return out;
}

function withProblems(a: Omit<AlternativeGuestOs, 'problems'>): AlternativeGuestOs {
  return { ...a, problems: alternativeProblems(a) };
}

/** From the governance Candid value. */
export function alternativeFromCandid(v: BlessAlternativeValue): AlternativeGuestOs {
  const ms = v.base_guest_launch_measurements[0]?.guest_launch_measurements[0] ?? [];
  return withProblems({
    rootfsHash: v.rootfs_hash[0]?.trim().toLowerCase() ?? null,
    chipIds: (v.chip_ids[0] ?? []).map((c) => bytesToHex(c)),
    baseMeasurements: ms.map((m) => ({ measurement: m.measurement[0] ? bytesToHex(m.measurement[0]) : '', kernelCmdline: m.metadata[0]?.kernel_cmdline[0] ?? null })),
  });
}

const unopt = (v: unknown): unknown => (Array.isArray(v) && v.length <= 1 && !(typeof v[0] === 'number') ? (v[0] ?? null) : v);

/** From the dashboard's decoded JSON payload (same field names; hex text or byte arrays). */
export function alternativeFromDashboard(payload: unknown): AlternativeGuestOs {
  const p = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  const rootfs = unopt(p.rootfs_hash);
  // A list of blobs (byte arrays or hex), possibly inside a Candid-JSON opt `[list]`.
  const isBlob = (x: unknown) => typeof x === 'string' || (Array.isArray(x) && x.every((b) => typeof b === 'number'));
  const rawChips = p.chip_ids;
  const chips = Array.isArray(rawChips) && rawChips.length === 1 && Array.isArray(rawChips[0]) && !isBlob(rawChips[0]) ? rawChips[0] : rawChips;
  const base = unopt(p.base_guest_launch_measurements) as Record<string, unknown> | null;
  const rawList = base?.guest_launch_measurements;
  const list = Array.isArray(rawList) && rawList.length === 1 && Array.isArray(rawList[0]) ? rawList[0] : rawList;
  return withProblems({
    rootfsHash: typeof rootfs === 'string' ? rootfs.trim().toLowerCase() : null,
    chipIds: Array.isArray(chips) ? chips.map((c) => measurementToHex(c) ?? '') : [],
    baseMeasurements: Array.isArray(list)
      ? list.map((m) => {
          const o = (m ?? {}) as Record<string, unknown>;
          const meta = unopt(o.metadata) as Record<string, unknown> | null;
          const cmd = unopt(meta?.kernel_cmdline);
          return { measurement: measurementToHex(unopt(o.measurement)) ?? '', kernelCmdline: typeof cmd === 'string' ? cmd : null };
        })
      : [],
  });
}

/** The refusal for proposals that elect nothing buildable: says what they do instead. */
export function notIcosMessage(p: { id: string; action?: string; alternativeGuestOs?: AlternativeGuestOs }): string {
  const a = p.alternativeGuestOs;
  if (!a) return `proposal ${p.id} (${p.action ?? "unknown action"}) does not elect a GuestOS or HostOS version`;
  const ms = a.baseMeasurements.map((m) => `${m.measurement}${m.kernelCmdline ? ` (kernel_cmdline ${m.kernelCmdline})` : ''}`).join(', ') || '(none)';
  return (
    `proposal ${p.id} (${ALTERNATIVE_ACTION}) elects no buildable version: it blesses the recovery GuestOS root filesystem ${a.rootfsHash ?? '(none)'} ` +
    `for ${a.chipIds.length} SEV chip(s) on base GuestOS launch measurements ${ms}; it names no commit or image, so there is nothing to build or download. ` +
    `Check the base GuestOS release (whose launch measurements these must be) by its election proposal.` +
    (a.problems.length > 0 ? ` The payload is malformed: ${a.problems.join('; ')}.` : '')
  );
}

/**
 * Candid types of the registry payloads carried by IC-OS election proposals
 * (`ExecuteNnsFunction.payload` is one of these, Candid-encoded), and helpers to build them.
 * Transcribed from dfinity/ic rs/registry/canister/canister/registry.did and the registry's
 * Rust payload structs.
 *
 * Pure TypeScript: runs in Node and inside the canister.
 */
import { IDL } from '@dfinity/candid';

import type { Opt } from './governance_idl.js';

const opt = IDL.Opt;
const blob = IDL.Vec(IDL.Nat8);

export const GuestLaunchMeasurementMetadata = IDL.Record({ kernel_cmdline: IDL.Text });
export const GuestLaunchMeasurement = IDL.Record({ metadata: opt(GuestLaunchMeasurementMetadata), measurement: blob });
export const GuestLaunchMeasurements = IDL.Record({ guest_launch_measurements: IDL.Vec(GuestLaunchMeasurement) });

/** NNS function 38 since 2024 (GuestOS election). */
export const ReviseElectedGuestosVersionsPayload = IDL.Record({
  release_package_urls: IDL.Vec(IDL.Text),
  replica_versions_to_unelect: IDL.Vec(IDL.Text),
  replica_version_to_elect: opt(IDL.Text),
  guest_launch_measurements: opt(GuestLaunchMeasurements),
  release_package_sha256_hex: opt(IDL.Text)
});

/** NNS function 38 in 2023-24, when it was named UpdateElectedReplicaVersions. */
export const UpdateElectedReplicaVersionsPayload = IDL.Record({
  release_package_urls: IDL.Vec(IDL.Text),
  replica_versions_to_unelect: IDL.Vec(IDL.Text),
  replica_version_to_elect: opt(IDL.Text),
  guest_launch_measurement_sha256_hex: opt(IDL.Text),
  release_package_sha256_hex: opt(IDL.Text)
});

/** NNS function 50 (HostOS election). */
export const ReviseElectedHostosVersionsPayload = IDL.Record({
  release_package_urls: IDL.Vec(IDL.Text),
  hostos_version_to_elect: opt(IDL.Text),
  hostos_versions_to_unelect: IDL.Vec(IDL.Text),
  release_package_sha256_hex: opt(IDL.Text)
});

/** NNS function 40, the older name of the HostOS election; same fields. */
export const UpdateElectedHostosVersionsPayload = ReviseElectedHostosVersionsPayload;

/** NNS function 5 (2021-23): one version, one URL, everything required. */
export const BlessReplicaVersionPayload = IDL.Record({
  node_manager_sha256_hex: IDL.Text,
  release_package_url: IDL.Text,
  sha256_hex: IDL.Text,
  replica_version_id: IDL.Text,
  release_package_sha256_hex: IDL.Text,
  node_manager_binary_url: IDL.Text,
  binary_url: IDL.Text
});

/**
 * What we decode function 5 with: only the fields we read, all `opt`, so every historical
 * variant of the payload decodes (Candid lets `opt T` read a `T`, or a missing field as null).
 */
const BlessReplicaVersionReading = IDL.Record({
  replica_version_id: opt(IDL.Text),
  release_package_url: opt(IDL.Text),
  release_package_urls: opt(IDL.Vec(IDL.Text)),
  release_package_sha256_hex: opt(IDL.Text)
});

// --- Values ---------------------------------------------------------------------------------

export interface GuestLaunchMeasurementValue {
  metadata: Opt<{ kernel_cmdline: string }>;
  measurement: Uint8Array | number[];
}

export interface ReviseElectedGuestosVersionsValue {
  release_package_urls: string[];
  replica_versions_to_unelect: string[];
  replica_version_to_elect: Opt<string>;
  guest_launch_measurements: Opt<{ guest_launch_measurements: GuestLaunchMeasurementValue[] }>;
  release_package_sha256_hex: Opt<string>;
}

export interface UpdateElectedReplicaVersionsValue {
  release_package_urls: string[];
  replica_versions_to_unelect: string[];
  replica_version_to_elect: Opt<string>;
  guest_launch_measurement_sha256_hex: Opt<string>;
  release_package_sha256_hex: Opt<string>;
}

export interface ReviseElectedHostosVersionsValue {
  release_package_urls: string[];
  hostos_version_to_elect: Opt<string>;
  hostos_versions_to_unelect: string[];
  release_package_sha256_hex: Opt<string>;
}

export interface BlessReplicaVersionValue {
  node_manager_sha256_hex: string;
  release_package_url: string;
  sha256_hex: string;
  replica_version_id: string;
  release_package_sha256_hex: string;
  node_manager_binary_url: string;
  binary_url: string;
}

// --- Building payloads (tests, the governance stand-in, demos) ---------------------------------

export interface GuestosElection {
  commit: string | null;
  sha256: string | null;
  urls: string[];
  /** Measurements as bytes; `kernelCmdline` becomes the measurement's metadata. */
  measurements?: Array<{ measurement: Uint8Array; kernelCmdline?: string }>;
  unelect?: string[];
}

export interface HostosElection {
  commit: string | null;
  sha256: string | null;
  urls: string[];
  unelect?: string[];
}

const some = <T>(v: T | null | undefined): Opt<T> => (v === null || v === undefined ? [] : [v]);

export function encodeReviseElectedGuestosVersionsPayload(e: GuestosElection): Uint8Array {
  const value: ReviseElectedGuestosVersionsValue = {
    release_package_urls: e.urls,
    replica_versions_to_unelect: e.unelect ?? [],
    replica_version_to_elect: some(e.commit),
    guest_launch_measurements: e.measurements
      ? [
          {
            guest_launch_measurements: e.measurements.map((m) => ({
              measurement: m.measurement,
              metadata: some(m.kernelCmdline === undefined ? null : { kernel_cmdline: m.kernelCmdline })
            }))
          }
        ]
      : [],
    release_package_sha256_hex: some(e.sha256)
  };
  return new Uint8Array(IDL.encode([ReviseElectedGuestosVersionsPayload], [value]));
}

export function encodeUpdateElectedReplicaVersionsPayload(e: GuestosElection & { measurementSha256?: string }): Uint8Array {
  const value: UpdateElectedReplicaVersionsValue = {
    release_package_urls: e.urls,
    replica_versions_to_unelect: e.unelect ?? [],
    replica_version_to_elect: some(e.commit),
    guest_launch_measurement_sha256_hex: some(e.measurementSha256),
    release_package_sha256_hex: some(e.sha256)
  };
  return new Uint8Array(IDL.encode([UpdateElectedReplicaVersionsPayload], [value]));
}

export function encodeReviseElectedHostosVersionsPayload(e: HostosElection): Uint8Array {
  const value: ReviseElectedHostosVersionsValue = {
    release_package_urls: e.urls,
    hostos_version_to_elect: some(e.commit),
    hostos_versions_to_unelect: e.unelect ?? [],
    release_package_sha256_hex: some(e.sha256)
  };
  return new Uint8Array(IDL.encode([ReviseElectedHostosVersionsPayload], [value]));
}

/** Function 40 has the same Candid type as 50. */
export const encodeUpdateElectedHostosVersionsPayload = encodeReviseElectedHostosVersionsPayload;

export function encodeBlessReplicaVersionPayload(e: { commit: string; sha256: string; url: string }): Uint8Array {
  const value: BlessReplicaVersionValue = {
    replica_version_id: e.commit,
    release_package_url: e.url,
    release_package_sha256_hex: e.sha256,
    // Deprecated fields, empty in the 2022 proposals that used the release package.
    binary_url: '',
    sha256_hex: '',
    node_manager_binary_url: '',
    node_manager_sha256_hex: ''
  };
  return new Uint8Array(IDL.encode([BlessReplicaVersionPayload], [value]));
}

// --- Reading payloads -----------------------------------------------------------------------

/** The IC-OS facts of an election payload, whichever shape it came in. */
export interface ElectionPayload {
  commit: string | null;
  sha256: string | null;
  urls: string[];
  /** Raw measurement bytes, in payload order (GuestOS only). */
  measurements: Uint8Array[];
  unelect: string[];
}

const first = <T>(o: Opt<T>): T | null => (o.length === 1 ? o[0] : null);

function decodeOne<T>(type: IDL.Type, bytes: Uint8Array): T {
  const values = IDL.decode([type], bytes);
  if (values.length !== 1) throw new Error(`expected one Candid value, found ${values.length}`);
  return values[0] as T;
}

/**
 * Decodes the payload of an electing NNS function (5, 38, 40, 50). Throws a plain Error on
 * malformed Candid; the caller turns it into a typed error with the proposal's context.
 */
export function decodeElectionPayload(nnsFunction: number, payload: Uint8Array): ElectionPayload {
  switch (nnsFunction) {
    case 38: {
      // Both the current (guest_launch_measurements) and the 2023-24 shape (no measurements,
      // an extra guest_launch_measurement_sha256_hex that we skip) decode with this type.
      const v = decodeOne<ReviseElectedGuestosVersionsValue>(ReviseElectedGuestosVersionsPayload, payload);
      const measurements = first(v.guest_launch_measurements)?.guest_launch_measurements ?? [];
      return {
        commit: first(v.replica_version_to_elect),
        sha256: first(v.release_package_sha256_hex),
        urls: v.release_package_urls,
        measurements: measurements.map((m) => Uint8Array.from(m.measurement)),
        unelect: v.replica_versions_to_unelect
      };
    }
    case 40:
    case 50: {
      const v = decodeOne<ReviseElectedHostosVersionsValue>(ReviseElectedHostosVersionsPayload, payload);
      return {
        commit: first(v.hostos_version_to_elect),
        sha256: first(v.release_package_sha256_hex),
        urls: v.release_package_urls,
        measurements: [],
        unelect: v.hostos_versions_to_unelect
      };
    }
    case 5: {
      const v = decodeOne<{
        replica_version_id: Opt<string>;
        release_package_url: Opt<string>;
        release_package_urls: Opt<string[]>;
        release_package_sha256_hex: Opt<string>;
      }>(BlessReplicaVersionReading, payload);
      const urls = [first(v.release_package_url), ...(first(v.release_package_urls) ?? [])].filter(
        (u): u is string => typeof u === 'string' && u !== ''
      );
      const sha = first(v.release_package_sha256_hex);
      return {
        commit: first(v.replica_version_id),
        sha256: sha === '' ? null : sha,
        urls: [...new Set(urls)],
        measurements: [],
        unelect: []
      };
    }
    default:
      throw new Error(`NNS function ${nnsFunction} does not elect an IC-OS version`);
  }
}

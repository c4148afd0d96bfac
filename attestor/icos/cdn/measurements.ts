/**
 * GuestOS launch measurements: proposals (dashboard, decoded Candid) carry hex strings, the
 * published `launch-measurements.json` carries arrays of byte values
 * (`{"guest_launch_measurements":[{"measurement":[1,2,…],"metadata":{…}}]}`).
 * Everything is normalised to lowercase hex before comparing.
 */

export type MeasurementsParse = { ok: true; measurements: string[] } | { ok: false; kind: 'bad-measurements'; message: string };

/** One measurement in any published form → lowercase hex, or null if it is not one. */
export function measurementToHex(m: unknown): string | null {
  if (typeof m === 'string') {
    const s = m.trim().replace(/^0x/i, '');
    return /^([0-9a-fA-F]{2})+$/.test(s) ? s.toLowerCase() : null;
  }
  const arr = m instanceof Uint8Array ? Array.from(m) : m;
  if (Array.isArray(arr) && arr.length > 0 && arr.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    return (arr as number[]).map((b) => b.toString(16).padStart(2, '0')).join('');
  }
  return null;
}

/** Parses launch-measurements.json text (object with guest_launch_measurements, or a bare list). */
export function parseLaunchMeasurements(text: string): MeasurementsParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, kind: 'bad-measurements', message: `launch-measurements.json is not JSON: ${(err as Error).message}` };
  }
  const list = Array.isArray(json)
    ? json
    : (json as { guest_launch_measurements?: unknown })?.guest_launch_measurements;
  if (!Array.isArray(list)) {
    return { ok: false, kind: 'bad-measurements', message: 'launch-measurements.json has no guest_launch_measurements list' };
  }
  const out: string[] = [];
  for (const item of list) {
    const raw = item !== null && typeof item === 'object' && !Array.isArray(item) && 'measurement' in item
      ? (item as { measurement: unknown }).measurement
      : item;
    const hex = measurementToHex(raw);
    if (hex === null) return { ok: false, kind: 'bad-measurements', message: 'launch-measurements.json holds a measurement that is neither hex nor bytes' };
    out.push(hex);
  }
  return { ok: true, measurements: out };
}

/** Normalises a proposal's measurements; malformed entries are kept as-is so they never match. */
export function normaliseMeasurements(list: unknown[]): string[] {
  return list.map((m) => measurementToHex(m) ?? String(m));
}

/** Same measurements regardless of order (a multiset compare). */
export function sameMeasurements(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((v, i) => v === y[i]);
}

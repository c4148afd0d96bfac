/**
 * UTC dates for pages from any nat64 the IC or governance can hold. `Date` only covers ±8.64e15
 * ms (year 275760) and throws past it; this is integer calendar arithmetic on bigint (proleptic
 * Gregorian, days from 1970-01-01, as in Howard Hinnant's civil_from_days), so 2^64−1 s renders.
 */

/** "YYYY-MM-DD HH:MM UTC" for seconds since the Unix epoch (years past 9999 get more digits). */
export function utcMinute(seconds: bigint): string {
  const s = seconds < 0n ? 0n : seconds;
  const days = s / 86_400n;
  const rest = s % 86_400n;
  const { y, m, d } = civilFromDays(days);
  return `${y.toString().padStart(4, '0')}-${two(m)}-${two(d)} ${two(rest / 3600n)}:${two((rest % 3600n) / 60n)} UTC`;
}

/** utcMinute of an IC time in nanoseconds. */
export function utcMinuteOfNs(ns: bigint): string {
  return utcMinute(ns / 1_000_000_000n);
}

function two(n: bigint): string {
  return n.toString().padStart(2, '0');
}

/** Year, month (1-12), day (1-31) of a non-negative day count since 1970-01-01. */
function civilFromDays(days: bigint): { y: bigint; m: bigint; d: bigint } {
  const z = days + 719_468n;
  const era = z / 146_097n;
  const doe = z - era * 146_097n; // [0, 146096]
  const yoe = (doe - doe / 1460n + doe / 36_524n - doe / 146_096n) / 365n; // [0, 399]
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n); // [0, 365]
  const mp = (5n * doy + 2n) / 153n; // [0, 11], March first
  const d = doy - (153n * mp + 2n) / 5n + 1n;
  const m = mp < 10n ? mp + 3n : mp - 9n;
  const y = yoe + era * 400n + (m <= 2n ? 1n : 0n);
  return { y, m, d };
}

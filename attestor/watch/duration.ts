/** Durations on the command line: "2h", "90m", "45s", "1h30m", or plain seconds. */

const UNIT: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1 };

/** Seconds, or null when the text is not a positive duration. */
export function parseDuration(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    return n > 0 ? n : null;
  }
  if (!/^(\d+(\.\d+)?[dhms])+$/.test(t)) return null;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)([dhms])/g)) total += Number(m[1]) * UNIT[m[2]!]!;
  return total > 0 ? total : null;
}

/** 7200 → "2h", 5400 → "1h30m", 45 → "45s". */
export function formatDuration(seconds: number): string {
  let s = Math.round(seconds);
  if (s <= 0) return '0s';
  const parts: string[] = [];
  for (const [u, n] of Object.entries(UNIT)) {
    if (s >= n) {
      parts.push(`${Math.floor(s / n)}${u}`);
      s %= n;
    }
  }
  return parts.join('');
}

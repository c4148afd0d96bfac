/**
 * SHA256SUMS as published next to IC-OS images: `<hex> <name>` (current, one space) or
 * `<hex> *<name>` (older, binary-mode marker). Split on white space, strip one leading `*`,
 * match the exact file name.
 */

export interface SumsLine {
  sha256: string;
  name: string;
  /** The line as published, for the report. */
  line: string;
}

/** Parses every well-formed line; malformed lines are returned separately, never thrown. */
export function parseSha256Sums(text: string): { entries: SumsLine[]; malformed: string[] } {
  const entries: SumsLine[] = [];
  const malformed: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    const hex = parts[0] ?? '';
    let name = parts.slice(1).join(' ');
    if (name.startsWith('*')) name = name.slice(1);
    if (parts.length < 2 || !/^[0-9a-fA-F]{64}$/.test(hex) || name === '') {
      malformed.push(raw);
      continue;
    }
    entries.push({ sha256: hex.toLowerCase(), name, line });
  }
  return { entries, malformed };
}

/**
 * The line for exactly `name` (no path suffix matching: `update-img.tar.zst` does not match
 * `update-img-test.tar.zst` or `x/update-img.tar.zst`). When a name appears twice with
 * different hashes the file is ambiguous: both are returned so the caller can report it.
 */
export function findSum(entries: SumsLine[], name: string): SumsLine[] {
  return entries.filter((e) => e.name === name);
}

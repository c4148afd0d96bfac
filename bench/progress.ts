/** Progress and logs on stderr (stdout stays free); throttled for byte counters. */

const started = Date.now();

function stamp(): string {
  const s = Math.round((Date.now() - started) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export function log(section: string, message: string): void {
  process.stderr.write(`[bench ${stamp()}] ${section}: ${message}\n`);
}

/** Returns a reporter that logs `done/total` at most every `everyMs`. */
export function byteProgress(section: string, label: string, total: number, everyMs = 2000): (done: number) => void {
  let last = 0;
  return (done) => {
    const now = Date.now();
    if (now - last < everyMs && done < total) return;
    last = now;
    log(section, `${label} ${(done / 2 ** 20).toFixed(0)}/${(total / 2 ** 20).toFixed(0)} MiB`);
  };
}

export function elapsedSinceStartMs(): number {
  return Date.now() - started;
}

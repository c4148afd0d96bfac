/** Samples this process's RSS while a task runs, to show memory stays flat. */

export interface RssSample {
  baselineBytes: number;
  peakBytes: number;
  /** Peak minus baseline. */
  growthBytes: number;
  samples: number;
}

export async function withRssSampling<T>(task: () => Promise<T>, everyMs = 25): Promise<{ result: T; rss: RssSample }> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  let samples = 0;
  const timer = setInterval(() => {
    const r = process.memoryUsage().rss;
    samples++;
    if (r > peak) peak = r;
  }, everyMs);
  try {
    const result = await task();
    const r = process.memoryUsage().rss;
    if (r > peak) peak = r;
    return { result, rss: { baselineBytes: baseline, peakBytes: peak, growthBytes: peak - baseline, samples: samples + 1 } };
  } finally {
    clearInterval(timer);
  }
}

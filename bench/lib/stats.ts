/** Order statistics for timings: machines are shared and noisy, so figures are medians, never single runs. */

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError("quantile of no values");
  const s = [...values].sort((a, b) => a - b);
  // Nearest rank: p99 of 200 samples is the 198th, a value that was really observed.
  const rank = Math.min(s.length, Math.max(1, Math.ceil(q * s.length)));
  return s[rank - 1];
}

export const median = (values: readonly number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Peak resident set size of this process so far, in MB (Linux maxrss is in KB). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

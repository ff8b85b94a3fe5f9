/** Population sizes the data benchmarks run on; `tiny` is for the smoke test only. */
export const SIZES = { tiny: 300, "1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000 } as const;
export type SizeName = keyof typeof SIZES;

export function isSize(s: string): s is SizeName {
  return Object.prototype.hasOwnProperty.call(SIZES, s);
}

/** Repetitions per size: more for small, noisy runs; the 1M run once per --quick. */
export function repetitions(size: SizeName, quick: boolean): number {
  const full = { tiny: 2, "1k": 5, "10k": 7, "100k": 5, "1m": 3 }[size];
  return quick ? Math.min(full, size === "1m" ? 1 : 2) : full;
}

/** Rounding rules of docs/tier-model.md, in one place. Half away from zero, like currency columns; never -0. */
function roundTo(x: number, factor: number): number {
  const r = (Math.sign(x) * Math.round(Math.abs(x) * factor)) / factor;
  return r === 0 ? 0 : r;
}

/** Currency precision: sums are rounded after adding, so ties are exact whatever the order of addition. */
export const round2 = (x: number): number => roundTo(x, 100);
/** Score precision. */
export const round6 = (x: number): number => roundTo(x, 1e6);
/** Cumulative shares × n are rounded to 9 decimals before a ceiling, so 0.1 + 0.2 is not one position more. */
export const round9 = (x: number): number => roundTo(x, 1e9);

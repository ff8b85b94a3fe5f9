import { lowerBound, pctFromCounts } from "./percentile";

/**
 * A compact stand-in for a KPI's whole distribution, stored on the tier model by the re-rank so the on-save path can
 * place one account without reading every other (docs/tier-model.md). Knots are distinct values with their exact counts:
 * every value when there are few, else the heavy ties plus evenly spaced ranks, so the percentile of a value between
 * two knots is off by at most the accounts between them (≤ n / maxKnots).
 */
export interface QuantileTable {
  n: number;
  lowerIsBetter: boolean;
  /** Count of values that are +Infinity (recency of an account with no purchase: worst), kept apart since JSON has no Infinity. */
  inf: number;
  v: number[]; // knot values, ascending, finite
  lt: number[]; // count of values < v[i]
  eq: number[]; // count of values = v[i]
}

export const DEFAULT_MAX_KNOTS = 400;

export function buildQuantileTable(
  sorted: Float64Array,
  lowerIsBetter: boolean,
  maxKnots = DEFAULT_MAX_KNOTS,
): QuantileTable {
  const n = sorted.length;
  const finiteEnd = lowerBound(sorted, Infinity);
  const table: QuantileTable = { n, lowerIsBetter, inf: n - finiteEnd, v: [], lt: [], eq: [] };
  const step = Math.max(1, finiteEnd / maxKnots);
  let nextRank = 0;
  for (let i = 0; i < finiteEnd;) {
    let j = i + 1;
    while (j < finiteEnd && sorted[j] === sorted[i]) j++;
    const count = j - i;
    if (count >= step || j >= nextRank || i === 0 || j === finiteEnd) {
      table.v.push(sorted[i]);
      table.lt.push(i);
      table.eq.push(count);
      while (nextRank <= j) nextRank += step;
    }
    i = j;
  }
  return table;
}

/** Percentile of a value within the table's population; between knots the count below is interpolated linearly. */
export function pctFromTable(table: QuantileTable, value: number): number {
  const { n, v, lt, eq } = table;
  if (n === 0) return 50;
  if (value === Infinity) return pctFromCounts(n - table.inf, table.inf, n, table.lowerIsBetter);
  const k = lowerBound(v, value);
  if (k < v.length && v[k] === value) return pctFromCounts(lt[k], eq[k], n, table.lowerIsBetter);
  let less: number;
  if (k === 0) less = 0;
  else if (k === v.length) less = lt[k - 1] + eq[k - 1];
  else {
    const from = lt[k - 1] + eq[k - 1];
    less = from + ((lt[k] - from) * (value - v[k - 1])) / (v[k] - v[k - 1]);
  }
  // The account itself is one of the population: it is "equal" to itself.
  return pctFromCounts(Math.min(less, n - 1), 1, n, table.lowerIsBetter);
}

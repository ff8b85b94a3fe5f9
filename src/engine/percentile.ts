/**
 * Mid-rank percentiles (docs/tier-model.md): pct = 100 × (count below + 0.5 × count equal) / N, where "below" means
 * ranked worse. The population is the array itself; the account counts in its own "equal".
 */

export function sortedCopy(values: Float64Array): Float64Array {
  return Float64Array.from(values).sort();
}

/** First index whose value is ≥ v. */
export function lowerBound(sorted: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > v. */
export function upperBound(sorted: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** pct from counts: `less` values strictly smaller, `equal` values the same, of n. */
export function pctFromCounts(less: number, equal: number, n: number, lowerIsBetter: boolean): number {
  const worse = lowerIsBetter ? n - less - equal : less;
  return (100 * (worse + 0.5 * equal)) / n;
}

/** Every value's mid-rank percentile within `values`, given their ascending copy. */
export function midRankPercentiles(values: Float64Array, sorted: Float64Array, lowerIsBetter: boolean): Float64Array {
  const n = values.length;
  // One pass over the sorted copy gives each distinct value its percentile; each account then needs one search.
  const distinctAll = new Float64Array(n);
  const pcts = new Float64Array(n);
  let d = 0;
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    distinctAll[d] = sorted[i];
    pcts[d++] = pctFromCounts(i, j - i, n, lowerIsBetter);
    i = j;
  }
  const distinct = distinctAll.subarray(0, d);
  const out = new Float64Array(n);
  let lastV = NaN;
  let lastPct = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== lastV) {
      lastPct = pcts[lowerBound(distinct, v)];
      lastV = v;
    }
    out[i] = lastPct;
  }
  return out;
}

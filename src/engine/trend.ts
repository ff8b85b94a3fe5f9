import type { Trend } from "./choices";
import type { TierModel } from "./model";
import { round2 } from "./numbers";

export interface TrendResult {
  code: Trend;
  q0: number;
  baseline: number;
  /** q0 − baseline, in base currency (stored as ct_trenddelta). */
  delta: number;
}

/** Median of `count` values starting at `offset`; an even count gives the mean of the two middle values. */
function median(values: ArrayLike<number>, offset: number, count: number): number {
  const s = new Array<number>(count);
  for (let j = 0; j < count; j++) s[j] = values[offset + j];
  s.sort((a, b) => a - b);
  const mid = count >> 1;
  return count % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Quarterly trend (docs/tier-model.md): Q0 against the median of the baseline quarters before it.
 * `quarters` holds [Q0, Q-1, …, Q-B] from `offset` on (a batch passes its whole column); `earliestBaselineStart`
 * is the start of Q-B.
 */
export function computeTrend(
  quarters: ArrayLike<number>,
  firstInvoiceOn: number | null,
  earliestBaselineStart: number,
  cfg: TierModel["trend"],
  offset = 0,
): TrendResult {
  const q0 = quarters[offset];
  const baseline = median(quarters, offset + 1, cfg.baselineQuarters);
  const delta = round2(q0 - baseline);
  let code: Trend;
  if (firstInvoiceOn == null || firstInvoiceOn > earliestBaselineStart) code = "insufficient";
  else if (baseline > 0 && q0 <= (1 - cfg.dropRatio) * baseline && baseline - q0 >= cfg.minAbsoluteChange)
    code = "declining";
  else if (q0 >= (1 + cfg.riseRatio) * baseline && q0 - baseline >= cfg.minAbsoluteChange) code = "growing";
  else code = "stable";
  return { code, q0, baseline, delta };
}

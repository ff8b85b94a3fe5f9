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

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Quarterly trend (design.md §4): Q0 against the median of the baseline quarters before it.
 * `quarters` is [Q0, Q-1, …, Q-B]; `earliestBaselineStart` the start of Q-B.
 */
export function computeTrend(
  quarters: readonly number[],
  firstInvoiceOn: number | null,
  earliestBaselineStart: number,
  cfg: TierModel["trend"],
): TrendResult {
  const q0 = quarters[0];
  const baseline = median(quarters.slice(1, cfg.baselineQuarters + 1));
  const delta = round2(q0 - baseline);
  let code: Trend;
  if (firstInvoiceOn == null || firstInvoiceOn > earliestBaselineStart) code = "insufficient";
  else if (baseline > 0 && q0 <= (1 - cfg.dropRatio) * baseline && baseline - q0 >= cfg.minAbsoluteChange) code = "declining";
  else if (q0 >= (1 + cfg.riseRatio) * baseline && q0 - baseline >= cfg.minAbsoluteChange) code = "growing";
  else code = "stable";
  return { code, q0, baseline, delta };
}

import { DAY_MS } from "./dates";
import { KPI_NAMES, type KpiName } from "./explanation-types";
import type { AccountFacts, FactsTable } from "./facts";
import type { TierModel } from "./model";
import { round6 } from "./numbers";

export const LOWER_IS_BETTER: Record<KpiName, boolean> = {
  monetary: false,
  frequency: false,
  recency: true,
  pipeline: false,
  won: false,
};

/** Whole days from the last purchase or win to asOf; +Infinity when there is none (the worst recency). */
export function recencyDays(lastEventOn: number | null, asOf: number): number {
  return lastEventOn == null || !Number.isFinite(lastEventOn) ? Infinity : Math.floor((asOf - lastEventOn) / DAY_MS);
}

export function kpiValue(f: AccountFacts, kpi: KpiName, asOf: number): number {
  return kpi === "recency" ? recencyDays(f.lastEventOn, asOf) : f[kpi];
}

/** The KPI's values for the whole population, one per account. */
export function kpiColumn(t: FactsTable, kpi: KpiName): Float64Array {
  if (kpi !== "recency") return t[kpi];
  const asOf = t.window.asOf;
  return t.lastEvent.map((last) => (last === -Infinity ? Infinity : Math.floor((asOf - last) / DAY_MS)));
}

/** Active in the window (docs/tier-model.md): anything bought, won or in the pipeline. */
export function isActiveInWindow(monetary: number, frequency: number, won: number, pipeline: number): boolean {
  return monetary !== 0 || frequency > 0 || won > 0 || pipeline > 0;
}

/** Σ w_k in KPI order. */
export function weightSum(model: TierModel): number {
  let weights = 0;
  for (const kpi of KPI_NAMES) weights += model.weights[kpi];
  return weights;
}

/** score = round(Σ w_k × pct_k / Σ w_k, 6), summed in KPI order so every part gets the same bits. */
export function scoreFromPcts(model: TierModel, pctOf: (kpi: KpiName, k: number) => number): number {
  let sum = 0;
  for (let k = 0; k < KPI_NAMES.length; k++) sum += model.weights[KPI_NAMES[k]] * pctOf(KPI_NAMES[k], k);
  return round6(sum / weightSum(model));
}

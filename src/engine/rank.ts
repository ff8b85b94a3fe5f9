import { isoInstant } from "./dates";
import { KPI_NAMES, type KpiName, type TierRule } from "./explanation-types";
import type { FactsTable } from "./facts";
import { isActiveInWindow, kpiColumn, LOWER_IS_BETTER, weightSum } from "./kpis";
import type { RankMethod, TierModel } from "./model";
import { round6 } from "./numbers";
import { midRankPercentiles, sortedCopy } from "./percentile";
import type { PolicySet } from "./policy";
import { buildQuantileTable, type QuantileTable } from "./quantiles";
import { assignPareto, assignPercentile, assignThresholds, type Assignment, type CutPoint } from "./tiering";
import { computeTrend, type TrendResult } from "./trend";

/**
 * What a re-rank stores on the active `ct_tiermodel` so the on-save path can place one account against the
 * population (design.md §4): the cut-points and a compact quantile table per KPI.
 */
export interface RankTable {
  v: 1;
  asOf: string;
  method: RankMethod;
  /** Population size (active accounts) and how many were active in the window. */
  n: number;
  activeInWindow: number;
  cuts: CutPoint[];
  kpis: Record<KpiName, QuantileTable>;
}

/** A whole population ranked: columns indexed like `facts.accounts`. */
export interface RankResult {
  model: TierModel;
  facts: FactsTable;
  values: Record<KpiName, Float64Array>;
  pct: Record<KpiName, Float64Array>;
  score: Float64Array;
  active: Uint8Array;
  tier: Uint16Array; // index into model.tiers
  rule: (i: number) => TierRule;
  trend: TrendResult[];
  table: RankTable;
  /** The tier policies the outcomes' touch pattern follows; absent: the defaults. */
  policies?: PolicySet;
}

export function rankFacts(facts: FactsTable, model: TierModel): RankResult {
  const n = facts.accounts.length;
  const values = {} as Record<KpiName, Float64Array>;
  const pct = {} as Record<KpiName, Float64Array>;
  const quantiles = {} as Record<KpiName, QuantileTable>;
  for (const kpi of KPI_NAMES) {
    const col = kpiColumn(facts, kpi);
    const sorted = sortedCopy(col);
    values[kpi] = col;
    pct[kpi] = midRankPercentiles(col, sorted, LOWER_IS_BETTER[kpi]);
    quantiles[kpi] = buildQuantileTable(sorted, LOWER_IS_BETTER[kpi]);
  }
  // Column by column, with the same additions in the same order as scoreFromPcts (the on-save path).
  const sums = new Float64Array(n);
  for (const kpi of KPI_NAMES) {
    const w = model.weights[kpi];
    const p = pct[kpi];
    for (let i = 0; i < n; i++) sums[i] += w * p[i];
  }
  const weights = weightSum(model);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) score[i] = round6(sums[i] / weights);

  const active = new Uint8Array(n);
  const activeAll = new Int32Array(n);
  let nActive = 0;
  for (let i = 0; i < n; i++) {
    if (isActiveInWindow(facts.monetary[i], facts.frequency[i], facts.won[i], facts.pipeline[i])) {
      active[i] = 1;
      activeAll[nActive++] = i;
    }
  }
  const activeIdx = activeAll.subarray(0, nActive);
  const activeScores = new Float64Array(nActive);
  for (let a = 0; a < nActive; a++) activeScores[a] = score[activeIdx[a]];
  const last = model.tiers.length - 1;
  let assignment: Assignment;
  let revenueBefore: Float64Array | undefined;
  if (model.method === "pareto") {
    const pareto = assignPareto(
      model,
      Array.from(activeIdx, (i) => facts.accounts[i].accountid.toLowerCase()),
      Float64Array.from(activeIdx, (i) => facts.monetary[i]),
      activeScores,
    );
    assignment = pareto;
    revenueBefore = new Float64Array(n);
    activeIdx.forEach((i, a) => (revenueBefore![i] = pareto.revenueBefore[a]));
  } else {
    assignment =
      model.method === "percentile" ? assignPercentile(model, activeScores) : assignThresholds(model, activeScores);
  }
  const tier = new Uint16Array(n).fill(last);
  for (let a = 0; a < nActive; a++) tier[activeIdx[a]] = assignment.tier[a];

  const w = facts.window;
  const q = w.quarterStarts.length;
  const earliest = w.quarterStarts[q - 1];
  const trend: TrendResult[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const first = facts.firstInvoice[i];
    trend[i] = computeTrend(facts.quarters, Number.isFinite(first) ? first : null, earliest, model.trend, i * q);
  }

  const rule = (i: number): TierRule => {
    if (!active[i]) return { kind: "inactive" };
    const r = assignment.rules[tier[i]];
    return r.kind === "pareto" ? { ...r, revenueBefore: revenueBefore![i] } : r;
  };
  return {
    model,
    facts,
    values,
    pct,
    score,
    active,
    tier,
    rule,
    trend,
    table: {
      v: 1,
      asOf: isoInstant(w.asOf),
      method: model.method,
      n,
      activeInWindow: activeIdx.length,
      cuts: assignment.cuts,
      kpis: quantiles,
    },
  };
}

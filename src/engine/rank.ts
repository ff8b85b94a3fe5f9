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
 * population (docs/tier-model.md): the cut-points and a compact quantile table per KPI.
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
  const { values, pct, quantiles } = kpiPercentiles(facts);
  const score = weightedScores(pct, model, n);
  const { active, activeIdx } = activeInWindow(facts);
  const { assignment, revenueBefore } = assign(facts, model, score, activeIdx);
  const tier = new Uint16Array(n).fill(model.tiers.length - 1);
  for (let a = 0; a < activeIdx.length; a++) tier[activeIdx[a]] = assignment.tier[a];

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
    trend: trends(facts, model),
    table: {
      v: 1,
      asOf: isoInstant(facts.window.asOf),
      method: model.method,
      n,
      activeInWindow: activeIdx.length,
      cuts: assignment.cuts,
      kpis: quantiles,
    },
  };
}

/** Each KPI's column, its mid-rank percentiles over the population, and the quantile table on-save scores against. */
function kpiPercentiles(facts: FactsTable) {
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
  return { values, pct, quantiles };
}

/** Column by column, with the same additions in the same order as scoreFromPcts (the on-save path). */
function weightedScores(pct: Record<KpiName, Float64Array>, model: TierModel, n: number): Float64Array {
  const sums = new Float64Array(n);
  for (const kpi of KPI_NAMES) {
    const w = model.weights[kpi];
    const p = pct[kpi];
    for (let i = 0; i < n; i++) sums[i] += w * p[i];
  }
  const weights = weightSum(model);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) score[i] = round6(sums[i] / weights);
  return score;
}

/** The accounts active in the window: a flag per account and their indexes in order. */
function activeInWindow(facts: FactsTable): { active: Uint8Array; activeIdx: Int32Array } {
  const n = facts.accounts.length;
  const active = new Uint8Array(n);
  const all = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (isActiveInWindow(facts.monetary[i], facts.frequency[i], facts.won[i], facts.pipeline[i])) {
      active[i] = 1;
      all[count++] = i;
    }
  }
  return { active, activeIdx: all.subarray(0, count) };
}

/** The model's rule over the active accounts; pareto also gives each account the revenue ranked before it. */
function assign(
  facts: FactsTable,
  model: TierModel,
  score: Float64Array,
  activeIdx: Int32Array,
): { assignment: Assignment; revenueBefore?: Float64Array } {
  const activeScores = new Float64Array(activeIdx.length);
  for (let a = 0; a < activeIdx.length; a++) activeScores[a] = score[activeIdx[a]];
  if (model.method === "percentile") return { assignment: assignPercentile(model, activeScores) };
  if (model.method === "thresholds") return { assignment: assignThresholds(model, activeScores) };
  const pareto = assignPareto(
    model,
    Array.from(activeIdx, (i) => facts.accounts[i].accountid.toLowerCase()),
    Float64Array.from(activeIdx, (i) => facts.monetary[i]),
    activeScores,
  );
  const revenueBefore = new Float64Array(facts.accounts.length);
  activeIdx.forEach((i, a) => (revenueBefore[i] = pareto.revenueBefore[a]));
  return { assignment: pareto, revenueBefore };
}

function trends(facts: FactsTable, model: TierModel): TrendResult[] {
  const n = facts.accounts.length;
  const q = facts.window.quarterStarts.length;
  const earliest = facts.window.quarterStarts[q - 1];
  const trend: TrendResult[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const first = facts.firstInvoice[i];
    trend[i] = computeTrend(facts.quarters, Number.isFinite(first) ? first : null, earliest, model.trend, i * q);
  }
  return trend;
}

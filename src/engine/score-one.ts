import { KPI_NAMES, type KpiName, type TierRule } from "./explanation-types";
import type { AccountFacts } from "./facts";
import { isActiveInWindow, kpiValue, scoreFromPcts } from "./kpis";
import type { TierModel } from "./model";
import { settle, type AccountOutcome } from "./outcome";
import { DEFAULT_POLICY_SET, type PolicySet } from "./policy";
import { pctFromTable } from "./quantiles";
import type { RankTable } from "./rank";
import type { StoredState } from "./stored-tier";
import { assignThresholds, tierByScore, type CutPoint } from "./tiering";
import { computeTrend } from "./trend";
import { windowFor } from "./window";

/**
 * The on-save path (docs/tier-model.md): one account scored against the cut-points and KPI quantiles the last re-rank
 * stored. Without a table (cold start), or with one a different method made, the `thresholds` rule applies and each
 * KPI ranks at the middle of a population of one, until the backfill runs.
 */
export function scoreAccount(
  facts: AccountFacts,
  model: TierModel,
  table: RankTable | null,
  state: StoredState,
  asOf: number,
  policies: PolicySet = DEFAULT_POLICY_SET,
): AccountOutcome {
  const w = windowFor(model, asOf);
  if (facts.quarters.length !== w.quarterStarts.length) {
    throw new RangeError(
      `facts.quarters has ${facts.quarters.length} quarters; the model's trend needs ${w.quarterStarts.length}`,
    );
  }
  const usable = table != null && table.method === model.method ? table : null;
  const values = Object.fromEntries(KPI_NAMES.map((k) => [k, kpiValue(facts, k, asOf)])) as Record<KpiName, number>;
  const pcts = Object.fromEntries(
    KPI_NAMES.map((k) => [k, usable ? pctFromTable(usable.kpis[k], values[k]) : 50]),
  ) as Record<KpiName, number>;
  const score = scoreFromPcts(model, (k) => pcts[k]);
  const active = isActiveInWindow(facts.monetary, facts.frequency, facts.won, facts.pipeline);
  const last = model.tiers.length - 1;

  let cuts: readonly CutPoint[];
  let tierIndex = last;
  let rule: TierRule;
  if (!usable) {
    cuts = assignThresholds(model, new Float64Array()).cuts;
    if (active)
      tierIndex = tierByScore(
        cuts.map((c) => c.score),
        score,
      );
    rule = { kind: "threshold", minScore: tierIndex < last ? cuts[tierIndex].score : null };
  } else if (usable.method === "pareto") {
    cuts = usable.cuts;
    if (active && facts.monetary > 0) {
      const i = cuts.findIndex((c) => c.monetary != null && facts.monetary >= c.monetary);
      if (i >= 0) tierIndex = i;
    }
    const shareOf = model.tiers.slice(0, tierIndex + 1).reduce((s, t) => s + (t.revenueShare ?? 0), 0);
    rule = {
      kind: "pareto",
      share: tierIndex < last ? shareOf : null,
      monetaryCut: tierIndex < last ? (cuts[tierIndex].monetary ?? null) : null,
    };
  } else {
    cuts = usable.cuts;
    if (active)
      tierIndex = tierByScore(
        cuts.map((c) => c.score),
        score,
      );
    rule =
      usable.method === "percentile"
        ? { kind: "percentile", cut: tierIndex < last ? cuts[tierIndex].score : null }
        : { kind: "threshold", minScore: tierIndex < last ? cuts[tierIndex].score : null };
  }
  if (!active) rule = { kind: "inactive" };

  const trend = computeTrend(
    facts.quarters,
    facts.firstInvoiceOn,
    w.quarterStarts[w.quarterStarts.length - 1],
    model.trend,
  );
  return settle({
    model,
    cuts,
    asOf,
    accountid: facts.accountid,
    tierIndex,
    score,
    activeInWindow: active,
    value: (k) => values[k],
    pct: (k) => pcts[k],
    rule,
    trend,
    state,
    lastTouchOn: facts.lastTouchOn,
    thirdTouchOn: facts.thirdTouchOn,
    policies,
  });
}

import { computeFacts } from "./facts";
import type { KpiName } from "./explanation-types";
import type { EngineInput } from "./input-types";
import type { TierModel } from "./model";
import { decide, settle, type AccountOutcome, type Decision, type DecisionInput } from "./outcome";
import { DEFAULT_POLICY_SET, type PolicySet } from "./policy";
import { rankFacts, type RankResult } from "./rank";

/** The i-th account of a ranked population, settled against what it holds today. */
export function outcomeAt(
  r: RankResult,
  i: number,
  policies: PolicySet = r.policies ?? DEFAULT_POLICY_SET,
): AccountOutcome {
  // Added to the decision input, not spread into a new object: V8 built each spread copy the slow way (100k outcomes
  // 1.4 s against 0.06 s; `npm run bench -- --only engine`, "outcomes").
  return settle(
    Object.assign(decisionInput(r, i, policies), {
      accountid: r.facts.accounts[i].accountid,
      value: (kpi: KpiName) => r.values[kpi][i],
      pct: (kpi: KpiName) => r.pct[kpi][i],
      rule: r.rule(i),
      trend: r.trend[i],
    }),
  );
}

/** outcomeAt's stored tier and touch pattern only: what a million-row tiers CSV needs, without the explanations. */
export function decisionAt(r: RankResult, i: number, policies: PolicySet = r.policies ?? DEFAULT_POLICY_SET): Decision {
  return decide(decisionInput(r, i, policies));
}

function decisionInput(r: RankResult, i: number, policies: PolicySet): DecisionInput {
  const a = r.facts.accounts[i];
  const lastTouch = r.facts.lastTouch[i];
  return {
    model: r.model,
    cuts: r.table.cuts,
    asOf: r.facts.window.asOf,
    tierIndex: r.tier[i],
    score: r.score[i],
    activeInWindow: r.active[i] === 1,
    state: {
      tier: a.ct_tier ?? null,
      changedOn: a.ct_tierchangedon ?? null,
      override: a.ct_tieroverride ?? null,
      overrideReason: a.ct_tieroverridereason ?? null,
      overrideUntil: a.ct_tieroverrideuntil ?? null,
    },
    lastTouchOn: Number.isFinite(lastTouch) ? lastTouch : null,
    thirdTouchOn: thirdTouch(r, i),
    touchCount: r.facts.touchesSince && ((days) => r.facts.touchesSince!.get(days)?.[i]),
    policies,
  };
}

/** Ranks whole row arrays: the batch entry point for tests and small populations. */
export function rankPopulation(
  input: EngineInput,
  model: TierModel,
  asOf: number,
  parents: ReadonlyMap<string, string> | null = null,
): RankResult {
  return rankFacts(computeFacts(input, model, asOf, parents), model);
}

function thirdTouch(r: RankResult, i: number): number | null | undefined {
  const t = r.facts.recentTouches;
  if (!t) return undefined;
  return Number.isFinite(t[i * 3 + 2]) ? t[i * 3 + 2] : null;
}

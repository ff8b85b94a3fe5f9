import { touchCadence, type Cadence } from "./cadence";
import { isoDate, isoInstant } from "./dates";
import {
  KPI_NAMES,
  type KpiContribution,
  type KpiName,
  type TierExplanation,
  type TierRule,
} from "./explanation-types";
import { weightSum } from "./kpis";
import type { TierModel } from "./model";
import { round6 } from "./numbers";
import { policyFor, type PolicySet } from "./policy";
import { decideStoredTier, type StoredDecision, type StoredState } from "./stored-tier";
import type { CutPoint } from "./tiering";
import type { TrendResult } from "./trend";

/** Everything the plugin writes to an account and the CLI prints for it. */
export interface AccountOutcome {
  accountid: string;
  computedTier: string;
  score: number;
  activeInWindow: boolean;
  kpis: KpiContribution[];
  rule: TierRule;
  trend: TrendResult;
  stored: StoredDecision;
  cadence: Cadence;
  explanation: TierExplanation;
}

export interface SettleInput {
  model: TierModel;
  cuts: readonly CutPoint[];
  asOf: number;
  accountid: string;
  tierIndex: number;
  score: number;
  activeInWindow: boolean;
  value: (kpi: KpiName) => number;
  pct: (kpi: KpiName) => number;
  rule: TierRule;
  trend: TrendResult;
  state: StoredState;
  lastTouchOn: number | null;
  /** The third latest touch (see TouchState); undefined: not counted. */
  thirdTouchOn?: number | null;
  /** Touches counted per cadence (see TouchState); undefined: not counted that way. */
  touchCount?: (cadenceDays: number) => number | undefined;
  /** The tier policies (the touch pattern of each tier). */
  policies: PolicySet;
}

/** What a stored tier and touch pattern are decided from: a subset of SettleInput. */
export type DecisionInput = Pick<
  SettleInput,
  | "model"
  | "cuts"
  | "asOf"
  | "tierIndex"
  | "score"
  | "activeInWindow"
  | "state"
  | "lastTouchOn"
  | "thirdTouchOn"
  | "touchCount"
  | "policies"
>;

export interface Decision {
  computedTier: string;
  stored: StoredDecision;
  cadence: Cadence;
}

/** The stored tier and the touch pattern of a scored account: settle's rules without the explanation (bulk CSVs). */
export function decide(x: DecisionInput): Decision {
  const computedTier = x.model.tiers[x.tierIndex].code;
  const stored = decideStoredTier(x.model, x.cuts, computedTier, x.score, x.state, x.asOf);
  const cadence = touchCadence(
    policyFor(x.policies, stored.tier),
    {
      lastTouchOn: x.lastTouchOn,
      thirdTouchOn: x.thirdTouchOn,
      touchCount: x.touchCount,
      tierChangedOn: stored.changedOn,
      activeInWindow: x.activeInWindow,
    },
    x.asOf,
  );
  return { computedTier, stored, cadence };
}

/** One path from a scored account to its stored tier, cadence and explanation, shared by the batch and on-save. */
export function settle(x: SettleInput): AccountOutcome {
  const { model, asOf } = x;
  const weights = weightSum(model);
  const kpis: KpiContribution[] = KPI_NAMES.map((kpi) => {
    const v = x.value(kpi);
    const pct = x.pct(kpi);
    const weight = model.weights[kpi];
    return {
      kpi,
      value: Number.isFinite(v) ? v : null,
      pct: round6(pct),
      weight,
      points: round6((weight * pct) / weights),
    };
  });
  const { computedTier, stored, cadence } = decide(x);
  const explanation: TierExplanation = {
    v: 1,
    asOf: isoInstant(asOf),
    method: model.method,
    tier: computedTier,
    score: x.score,
    rule: x.rule,
    stored: { tier: stored.tier, rule: stored.rule },
    kpis,
    trend: { code: x.trend.code, q0: x.trend.q0, baseline: x.trend.baseline },
    cadence: {
      days: cadence.days,
      channel: cadence.channel,
      nextTouchDue: cadence.nextTouchDue === null ? null : isoDate(cadence.nextTouchDue),
      overdueDays: cadence.overdueDays,
    },
  };
  return {
    accountid: x.accountid,
    computedTier,
    score: x.score,
    activeInWindow: x.activeInWindow,
    kpis,
    rule: x.rule,
    trend: x.trend,
    stored,
    cadence,
    explanation,
  };
}

import { DAY_MS, isoInstant } from "./dates";
import type { StoredRule } from "./explanation-types";
import { tierRank, type TierModel } from "./model";
import type { CutPoint } from "./tiering";

/** What the account holds today (ct_tier and friends). */
export interface StoredState {
  tier: string | null;
  changedOn: number | null;
  override?: string | null;
  overrideReason?: string | null;
  overrideUntil?: number | null;
}

export interface StoredDecision {
  tier: string;
  rule: StoredRule;
  changed: boolean;
  previousTier: string | null;
  /** ct_tierchangedon after this decision. */
  changedOn: number;
}

/** An override wins while it lasts: it has a tier this model knows and its expiry, if any, is after asOf. */
export function activeOverride(model: TierModel, s: StoredState, asOf: number): string | null {
  if (s.override == null || tierRank(model, s.override) < 0) return null;
  return s.overrideUntil == null || asOf < s.overrideUntil ? s.override : null;
}

/**
 * The tier stored on the account on top of the computed one (docs/tier-model.md): an active override wins; promotion is
 * immediate; demotion needs the score below the held tier's cut-point by more than the margin and the tier held for
 * the minimum days. An expired override falls back to the computed tier at once: hysteresis guards the model's own
 * fluctuations, not a decision a person made and let lapse.
 */
export function decideStoredTier(
  model: TierModel,
  cuts: readonly CutPoint[],
  computed: string,
  score: number,
  s: StoredState,
  asOf: number,
): StoredDecision {
  const previous = s.tier != null && tierRank(model, s.tier) >= 0 ? s.tier : null;
  const decide = (tier: string, rule: StoredRule): StoredDecision => {
    const changed = tier !== previous;
    return {
      tier,
      rule,
      changed,
      previousTier: previous,
      changedOn: changed || s.changedOn == null ? asOf : s.changedOn,
    };
  };
  const override = activeOverride(model, s, asOf);
  if (override) {
    const until = s.overrideUntil == null ? null : isoInstant(s.overrideUntil);
    return decide(override, { kind: "override", until, reason: s.overrideReason ?? "" });
  }
  const overrideLapsed = s.override != null && previous === s.override;
  if (previous == null || overrideLapsed || tierRank(model, computed) <= tierRank(model, previous)) {
    return decide(computed, { kind: "computed" });
  }
  const cut = cuts[tierRank(model, previous)]?.score ?? null;
  const belowMargin = cut === null || score < cut - model.hysteresis.demotionMargin;
  const heldLongEnough = s.changedOn == null || asOf - s.changedOn >= model.hysteresis.minDaysInTier * DAY_MS;
  if (belowMargin && heldLongEnough) return decide(computed, { kind: "computed" });
  return decide(previous, { kind: "held", reason: belowMargin ? "minDays" : "margin" });
}

import { CHANNEL_OPTIONS, type Channel } from "./choices";

/**
 * A tier's touch pattern: the `ct_tierpolicy` row of that tier, its only home (docs/touch-pattern.md). The model JSON
 * holds scoring and cut-offs; the cadence, channel, grace days and the dormant rule come from here.
 */
export interface TouchPolicy {
  tier: string;
  cadenceDays: number;
  channel: Channel;
  /** After a tier change the next touch is due no earlier than the change date plus these days. */
  graceDays: number;
  /** Whether an account not active in the window still follows the cadence (else it has no due date). */
  touchDormant: boolean;
}

export const DEFAULT_GRACE_DAYS = 7;

/** The solution's default policies (solution/data/defaults.json holds the same; a test keeps them equal). */
export const DEFAULT_POLICIES: readonly TouchPolicy[] = [
  { tier: "AAA", cadenceDays: 14, channel: "meeting", graceDays: DEFAULT_GRACE_DAYS, touchDormant: false },
  { tier: "A", cadenceDays: 30, channel: "call", graceDays: DEFAULT_GRACE_DAYS, touchDormant: false },
  { tier: "B", cadenceDays: 60, channel: "email", graceDays: DEFAULT_GRACE_DAYS, touchDormant: false },
  { tier: "C", cadenceDays: 90, channel: "email", graceDays: DEFAULT_GRACE_DAYS, touchDormant: false },
];

/** A tier without a policy row of its own: the lowest default's pattern, the standard every account gets. */
const FALLBACK: Omit<TouchPolicy, "tier"> = DEFAULT_POLICIES[DEFAULT_POLICIES.length - 1];

/** Policies by tier code: the given ones over the defaults. */
export type PolicySet = ReadonlyMap<string, TouchPolicy>;

export function policySet(policies: Iterable<TouchPolicy> = []): PolicySet {
  const out = new Map<string, TouchPolicy>(DEFAULT_POLICIES.map((p) => [p.tier, p]));
  for (const p of policies) out.set(p.tier, p);
  return out;
}

export const DEFAULT_POLICY_SET: PolicySet = policySet();

export function policyFor(policies: PolicySet, tier: string): TouchPolicy {
  return policies.get(tier) ?? { ...FALLBACK, tier };
}

/** A policy value that cannot be used: names the tier, the column and why. */
export class PolicyValueError extends Error {
  override name = "PolicyValueError";
}

const CHANNELS = Object.keys(CHANNEL_OPTIONS) as Channel[];

/**
 * Checks one policy's pattern values as read from a row or a CSV line (`where` names it in messages). A value left
 * empty takes the tier's default (grace 7 days, dormant accounts not touched), as a row saved before the column existed.
 */
export function touchPolicy(
  where: string,
  tier: string,
  v: { cadenceDays: unknown; channel: unknown; graceDays?: unknown; touchDormant?: unknown },
): TouchPolicy {
  const whole = (x: unknown, column: string, min: number): number => {
    if (typeof x !== "number" || !Number.isInteger(x) || x < min || x > 3650)
      throw new PolicyValueError(
        `${where}: ${column} must be a whole number of days from ${min} to 3650 (got ${JSON.stringify(x)})`,
      );
    return x;
  };
  const base = policyFor(DEFAULT_POLICY_SET, tier);
  if (v.channel == null) v = { ...v, channel: base.channel };
  if (v.cadenceDays == null) v = { ...v, cadenceDays: base.cadenceDays };
  if (typeof v.channel !== "string" || !CHANNELS.includes(v.channel as Channel))
    throw new PolicyValueError(
      `${where}: ct_touchchannel must be one of ${CHANNELS.join(", ")} (got ${JSON.stringify(v.channel)})`,
    );
  if (v.touchDormant != null && typeof v.touchDormant !== "boolean")
    throw new PolicyValueError(
      `${where}: ct_touchdormant must be true or false (got ${JSON.stringify(v.touchDormant)})`,
    );
  return {
    tier,
    cadenceDays: whole(v.cadenceDays, "ct_cadencedays", 1),
    channel: v.channel as Channel,
    graceDays: v.graceDays == null ? base.graceDays : whole(v.graceDays, "ct_gracedays", 0),
    touchDormant: v.touchDormant ?? base.touchDormant,
  };
}

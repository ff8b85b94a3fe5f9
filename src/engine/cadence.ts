import type { Channel } from "./choices";
import { DAY_MS, daysBetween, utcMidnight } from "./dates";
import type { TierSpec } from "./model";

export interface Cadence {
  days: number;
  channel: Channel;
  /** ct_nexttouchdue: a date (UTC midnight). */
  nextTouchDue: number;
  /** Whole days past the due date, 0 when not overdue. */
  overdueDays: number;
}

/** nexttouchdue = (last completed touch, else the tier change date) + the tier's cadence days (design.md §4). */
export function touchCadence(
  tier: TierSpec,
  lastTouchOn: number | null,
  tierChangedOn: number | null,
  asOf: number,
): Cadence {
  const from = lastTouchOn ?? tierChangedOn ?? asOf;
  const due = utcMidnight(from) + tier.cadenceDays * DAY_MS;
  return {
    days: tier.cadenceDays,
    channel: tier.channel,
    nextTouchDue: due,
    overdueDays: Math.max(0, daysBetween(due, utcMidnight(asOf))),
  };
}

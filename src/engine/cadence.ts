import type { Channel } from "./choices";
import { DAY_MS, daysBetween, utcMidnight } from "./dates";
import type { TouchPolicy } from "./policy";

export interface Cadence {
  days: number;
  channel: Channel;
  /** ct_nexttouchdue: a date (UTC midnight); null when the account is dormant and its policy does not touch dormant accounts. */
  nextTouchDue: number | null;
  /** Whole days past the due date, 0 when not overdue. */
  overdueDays: number;
  /** More touches in the last 2 × cadence days than the pattern allows (two); null: the touches were not counted. */
  overTouched: boolean | null;
}

export interface TouchState {
  lastTouchOn: number | null;
  /**
   * The third latest completed touch (activities only), or null with fewer than three; undefined when the caller
   * did not count touches (then over-touching is not judged).
   */
  thirdTouchOn?: number | null;
  /**
   * Completed touches in the last 2 × `cadenceDays` days before as-of, where a caller counted them per cadence (the
   * re-rank's grouped counts) instead of reading the touch dates; undefined for a cadence not counted.
   */
  touchCount?: (cadenceDays: number) => number | undefined;
  tierChangedOn: number | null;
  activeInWindow: boolean;
}

/** Where the two cadence periods that over-touching counts touches in begin: today − 2 × cadence days (UTC). */
export const overTouchSince = (asOf: number, cadenceDays: number): number =>
  utcMidnight(asOf) - 2 * cadenceDays * DAY_MS;

/**
 * The touch pattern of docs/touch-pattern.md: due = (last completed touch, else the tier change date) + cadence days;
 * never before the tier change date + grace days; none for a dormant account unless its policy touches dormant
 * accounts; over-touched when more than one touch per cadence period fell in the last two periods.
 */
export function touchCadence(policy: TouchPolicy, s: TouchState, asOf: number): Cadence {
  const today = utcMidnight(asOf);
  const periodStart = overTouchSince(asOf, policy.cadenceDays);
  const overTouched = overTouchedSince(s, policy.cadenceDays, periodStart);
  // One literal, no spread: a batch settles a million accounts.
  const { cadenceDays: days, channel } = policy;
  if (!s.activeInWindow && !policy.touchDormant)
    return { days, channel, overTouched, nextTouchDue: null, overdueDays: 0 };
  const from = s.lastTouchOn ?? s.tierChangedOn ?? asOf;
  let due = utcMidnight(from) + days * DAY_MS;
  if (s.tierChangedOn !== null) due = Math.max(due, utcMidnight(s.tierChangedOn) + policy.graceDays * DAY_MS);
  return { days, channel, overTouched, nextTouchDue: due, overdueDays: Math.max(0, daysBetween(due, today)) };
}

/** More than two touches since periodStart: counted per cadence, or the third latest touch falls on or after it. */
function overTouchedSince(s: TouchState, cadenceDays: number, periodStart: number): boolean | null {
  const counted = s.touchCount?.(cadenceDays);
  if (counted !== undefined) return counted > 2;
  if (s.thirdTouchOn === undefined) return null;
  return s.thirdTouchOn !== null && s.thirdTouchOn >= periodStart;
}

/** What the quarterly review report shows, computed once from a ranked population; the HTML only formats it. */

import type { TierShareRow } from "../engine/distribution";

export type { TierShareRow };

export interface ParetoCut {
  tier: string;
  /** Accounts active in the window whose computed tier is this one or a higher one. */
  accounts: number;
  /** accounts / active accounts. */
  rankShare: number;
  /** Share of positive revenue held by the `accounts` largest accounts (the curve at the cut). */
  curveShare: number;
}

export interface ParetoCurve {
  /** Accounts active in the window (the curve's x axis runs over them, largest revenue first). */
  activeAccounts: number;
  /** Σ max(monetary, 0) over the active accounts. */
  positiveRevenue: number;
  /** [rank share, cumulative revenue share], from (0, 0); down-sampled to at most a few hundred points. */
  points: [number, number][];
  cuts: ParetoCut[];
}

export interface MovementMatrix {
  /** Row labels: the previous tier codes, then NEW_LABEL (accounts absent from the previous run). */
  from: string[];
  /** Column labels: the current tier codes, then GONE_LABEL (accounts of the previous run no longer in the population). */
  to: string[];
  counts: number[][];
  unchanged: number;
  promoted: number;
  demoted: number;
  entered: number;
  left: number;
  /** Previous rows whose tier is not one of the model's codes (counted nowhere). */
  unknownTier: number;
}

export const NEW_LABEL = "new";
export const GONE_LABEL = "gone";

export interface DecliningRow {
  accountid: string;
  name: string;
  tier: string;
  monetary: number;
  q0: number;
  baseline: number;
  delta: number;
}

export interface OverdueRow {
  accountid: string;
  name: string;
  tier: string;
  nextTouchDue: string;
  overdueDays: number;
  channel: string;
  cadenceDays: number;
}

export interface ReportData {
  asOf: string;
  method: string;
  windowMonths: number;
  tiers: string[];
  population: number;
  activeInWindow: number;
  netRevenue: number;
  distribution: TierShareRow[];
  pareto: ParetoCurve;
  /** Stored tiers (after hysteresis and overrides) of the previous run against today's: what accounts really hold. */
  movement: MovementMatrix | null;
  /** The same over computed tiers (before hysteresis and overrides): the second view. */
  movementComputed: MovementMatrix | null;
  previousSource: string | null;
  /** Per tier, the real touch intervals of growing accounts against declining ones. */
  touchRhythm: TouchRhythmRow[];
  /** Accounts outside the lowest tier whose trend is declining, largest revenue first. */
  declining: DecliningRow[];
  decliningTotal: number;
  /** Accounts holding the top tier whose next touch is past due, most overdue first. */
  overdue: OverdueRow[];
  overdueTotal: number;
  topTier: string;
  listLimit: number;
}

/** One tier's touch rhythm: median days between the last touches of its growing and its declining accounts. */
export interface TouchRhythmRow {
  tier: string;
  /** The tier policy's cadence, for comparison. */
  cadenceDays: number;
  growing: { accounts: number; medianDays: number | null };
  declining: { accounts: number; medianDays: number | null };
}

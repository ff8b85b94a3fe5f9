import type { Channel, Trend } from "./choices";

/** The five KPIs of docs/tier-model.md, in the order the score sums them. */
export const KPI_NAMES = ["monetary", "frequency", "recency", "pipeline", "won"] as const;
export type KpiName = (typeof KPI_NAMES)[number];

/** One KPI's part in the score: its value, mid-rank percentile, weight and points contributed. */
export interface KpiContribution {
  kpi: KpiName;
  /** monetary/pipeline/won in base currency, frequency a count, recency in days (null: no purchase or win in the window). */
  value: number | null;
  /** Mid-rank percentile 0..100 (recency: fewer days ranks higher). */
  pct: number;
  weight: number;
  /** weight × pct / Σ weights: the points of the score this KPI gave. */
  points: number;
}

/** What set the computed tier. */
export type TierRule =
  | { kind: "inactive" } // nothing in the window: last tier
  | { kind: "percentile"; cut: number | null } // first tier whose cut-point ≤ score (null: below every cut)
  // Batch: the revenue ranked before it and the cumulative revenue share that admitted it. On save: the lowest
  // monetary the last re-rank admitted to the tier.
  | { kind: "pareto"; share: number | null; revenueBefore?: number; total?: number; monetaryCut?: number | null }
  | { kind: "threshold"; minScore: number | null };

/** Why the stored tier differs from, or equals, the computed one. */
export type StoredRule =
  | { kind: "computed" }
  | { kind: "held"; reason: "margin" | "minDays" } // hysteresis kept a higher tier
  | { kind: "override"; until: string | null; reason: string };

/**
 * The explanation stored as JSON in `ct_tierreason` (and read by the TierBadge control's "why this tier").
 * Kept compact: well under the column's 4,000 characters.
 */
export interface TierExplanation {
  v: 1;
  asOf: string; // ISO instant
  method: "percentile" | "pareto" | "thresholds";
  tier: string; // computed tier code
  score: number;
  rule: TierRule;
  stored?: { tier: string; rule: StoredRule };
  kpis: KpiContribution[];
  trend: { code: Trend; q0: number; baseline: number };
  cadence?: { days: number; channel: Channel | null; nextTouchDue: string | null; overdueDays: number };
}

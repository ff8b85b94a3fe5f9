import { CHANNEL_OPTIONS, TIER_OPTIONS, TREND_OPTIONS } from "../../src/engine/choices";
import type { TierExplanation } from "../../src/engine/explanation-types";
import { day, type Values } from "./mock-context";

export const TODAY = day("2026-03-10");

export const EXPLANATION: TierExplanation = {
  v: 1,
  asOf: "2026-03-01T00:00:00.000Z",
  method: "percentile",
  tier: "AAA",
  score: 91.25,
  rule: { kind: "percentile", cut: 88.4 },
  stored: { tier: "AAA", rule: { kind: "computed" } },
  kpis: [
    { kpi: "monetary", value: 48210.5, pct: 96.5, weight: 0.45, points: 43.425 },
    { kpi: "frequency", value: 14, pct: 92, weight: 0.2, points: 18.4 },
    { kpi: "recency", value: 12, pct: 81.2, weight: 0.15, points: 12.18 },
    { kpi: "pipeline", value: 12000, pct: 77, weight: 0.1, points: 7.7 },
    { kpi: "won", value: null, pct: 25, weight: 0.1, points: 2.5 },
  ],
  trend: { code: "declining", q0: 8000, baseline: 15000 },
  cadence: { days: 14, channel: "meeting", nextTouchDue: "2026-03-13", overdueDays: 0 },
};

/** A fully ranked AAA account: every field set. */
export const RANKED: Partial<Values> = {
  tier: TIER_OPTIONS.AAA,
  computedTier: TIER_OPTIONS.AAA,
  score: 91.25,
  trend: TREND_OPTIONS.declining,
  nextTouchDue: day("2026-03-13"),
  lastTouchOn: day("2026-02-27"),
  cadenceDays: 14,
  channel: CHANNEL_OPTIONS.meeting,
  reason: JSON.stringify(EXPLANATION),
};

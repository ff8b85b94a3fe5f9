import type { Rng } from "./rng";

import { DAY_MS } from "../engine/dates";
const YEAR_DAYS = 365.25;

/** Median yearly revenue of a buying account (base currency). */
export const MEDIAN_REVENUE = 18_000;
/**
 * Spread of yearly revenue between accounts (lognormal sigma). With about 15 % of active accounts not buying in a
 * given year, 1.15 puts roughly half of the trailing-12-month revenue on the top 10 % of active accounts, the
 * super-customer rule of docs/tier-programme.md.
 */
const REVENUE_SIGMA = 1.15;

/**
 * How an account's buying develops over the sample period. `size` is the level the account buys at by the end of
 * the period, so growing accounts bought less before, declining ones more.
 */
export type Lifecycle = "stable" | "growing" | "declining" | "churned" | "newcomer" | "prospect";
const LIFECYCLES: readonly Lifecycle[] = ["stable", "growing", "declining", "churned", "newcomer", "prospect"];
const LIFECYCLE_WEIGHTS = [55, 10, 10, 12, 8, 5];

/** Relative demand per calendar month (Jan..Dec): slow January and August, year-end budget spend in December. */
export const SEASON = [0.8, 0.92, 1.1, 1.0, 1.02, 1.08, 0.88, 0.7, 1.04, 1.1, 1.14, 1.22] as const;

export interface AccountProfile {
  lifecycle: Lifecycle;
  /** 0 active, 1 inactive (Dataverse account statecode). */
  statecode: 0 | 1;
  /** Yearly revenue at the end of the period. */
  size: number;
  /** Invoices per year at `size`. */
  invoicesPerYear: number;
  /** Multiplier on `size` at an instant (ms); 0 where the account does not buy. */
  level(ms: number): number;
  /** When the account is in contact with sales: opportunities and activities fall in [engagedFrom, engagedTo). */
  engagedFrom: number;
  engagedTo: number;
}

/** Draws one account's profile for the period [start, end) (ms). */
export function drawProfile(rng: Rng, start: number, end: number): AccountProfile {
  const span = end - start;
  let lifecycle = rng.weighted(LIFECYCLES, LIFECYCLE_WEIGHTS);
  // Churned means "nothing in the last 12 months", which needs a period with room before that.
  const churnLatest = end - 380 * DAY_MS;
  const churnEarliest = start + 0.1 * span;
  if (lifecycle === "churned" && churnLatest <= churnEarliest) lifecycle = "prospect";

  const size = MEDIAN_REVENUE * rng.lognormal(REVENUE_SIGMA);
  const invoicesPerYear = Math.min(150, Math.max(4, 3.6 * Math.pow(size / MEDIAN_REVENUE, 0.45) * rng.lognormal(0.3)));

  let level: (ms: number) => number = () => 1;
  let engagedFrom = start;
  let engagedTo = end;
  let statecode: 0 | 1 = 0;

  switch (lifecycle) {
    case "stable": {
      // A gentle drift of a few percent a year either way.
      const drift = 0.08 * rng.normal();
      level = (ms) => Math.exp((drift * (ms - end)) / (YEAR_DAYS * DAY_MS));
      break;
    }
    case "growing":
    case "declining": {
      const factor = lifecycle === "growing" ? rng.uniform(1.8, 3.5) : rng.uniform(0.15, 0.55);
      if (rng.chance(0.6)) {
        // A contract won or lost a few months ago: a step in the buying level.
        const step = end - rng.uniform(45, 330) * DAY_MS;
        level = (ms) => (ms < step ? 1 / factor : 1);
      } else {
        // A steady ramp over the whole period.
        level = (ms) => Math.pow(factor, (ms - end) / span);
      }
      break;
    }
    case "churned": {
      const churn = rng.uniform(churnEarliest, churnLatest);
      level = (ms) => (ms < churn ? 1 : 0);
      engagedTo = Math.min(end, churn + rng.uniform(20, 120) * DAY_MS);
      if (rng.chance(0.4)) statecode = 1;
      break;
    }
    case "newcomer": {
      const first = end - rng.uniform(30, 420) * DAY_MS;
      level = (ms) => (ms < first ? 0 : 1);
      engagedFrom = Math.max(start, first - rng.uniform(30, 150) * DAY_MS);
      break;
    }
    case "prospect": {
      level = () => 0;
      engagedFrom = Math.max(start, end - rng.uniform(30, 300) * DAY_MS);
      if (rng.chance(0.1)) statecode = 1;
      break;
    }
  }
  return { lifecycle, statecode, size, invoicesPerYear, level, engagedFrom, engagedTo };
}

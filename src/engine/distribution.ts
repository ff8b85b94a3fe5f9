import type { RankResult } from "./rank";

/** One computed tier's accounts and window revenue; shares are of the population and of its net revenue. */
export interface TierShareRow {
  tier: string;
  accounts: number;
  accountShare: number;
  revenue: number;
  /** null when the population's net revenue is not positive. */
  revenueShare: number | null;
}

/** Accounts and window revenue per computed tier: the `tiering rank` summary and the report's distribution. */
export function tierDistribution(r: RankResult): TierShareRow[] {
  const rows: TierShareRow[] = r.model.tiers.map((t) => ({
    tier: t.code,
    accounts: 0,
    accountShare: 0,
    revenue: 0,
    revenueShare: null,
  }));
  const n = r.tier.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = rows[r.tier[i]];
    row.accounts++;
    row.revenue += r.facts.monetary[i];
    total += r.facts.monetary[i];
  }
  for (const row of rows) {
    row.accountShare = n ? row.accounts / n : 0;
    row.revenueShare = total > 0 ? row.revenue / total : null;
  }
  return rows;
}

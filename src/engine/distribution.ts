import type { RankResult } from "./rank";

/**
 * One computed tier's accounts and window revenue. The cut is taken over the accounts active in the window, so the
 * share of accounts is of those (`activeAccounts` / the population active in the window); accounts with nothing in
 * the window keep the last tier and are counted apart (`dormant`).
 */
export interface TierShareRow {
  tier: string;
  /** Every account of the tier, dormant ones included. */
  accounts: number;
  /** Accounts of the tier active in the window: the population the cut is taken over. */
  activeAccounts: number;
  /** activeAccounts / accounts active in the window. */
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
    activeAccounts: 0,
    accountShare: 0,
    revenue: 0,
    revenueShare: null,
  }));
  const n = r.tier.length;
  let total = 0;
  let active = 0;
  for (let i = 0; i < n; i++) {
    const row = rows[r.tier[i]];
    row.accounts++;
    if (r.active[i] === 1) {
      row.activeAccounts++;
      active++;
    }
    row.revenue += r.facts.monetary[i];
    total += r.facts.monetary[i];
  }
  for (const row of rows) {
    row.accountShare = active ? row.activeAccounts / active : 0;
    row.revenueShare = total > 0 ? row.revenue / total : null;
  }
  return rows;
}

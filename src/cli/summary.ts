import type { RankResult } from "../engine/rank";

export interface TierSummaryRow {
  tier: string;
  accounts: number;
  accountShare: number;
  revenue: number;
  revenueShare: number | null;
}

/** Accounts and window revenue per computed tier; revenue shares are of the population's net revenue. */
export function summarize(r: RankResult): TierSummaryRow[] {
  const rows = r.model.tiers.map((t) => ({ tier: t.code, accounts: 0, accountShare: 0, revenue: 0, revenueShare: null as number | null }));
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

const pct = (x: number | null): string => (x === null ? "n/a" : `${(x * 100).toFixed(1)} %`);

export function formatSummary(rows: TierSummaryRow[]): string {
  const header = ["tier", "accounts", "share of accounts", "share of revenue"];
  const body = rows.map((r) => [r.tier, String(r.accounts), pct(r.accountShare), pct(r.revenueShare)]);
  const total = rows.reduce((s, r) => s + r.accounts, 0);
  body.push(["total", String(total), pct(total ? 1 : 0), rows.some((r) => r.revenueShare !== null) ? pct(1) : "n/a"]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((b) => b[c].length)));
  const line = (cells: string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ");
  return [line(header), ...body.map(line)].join("\n") + "\n";
}

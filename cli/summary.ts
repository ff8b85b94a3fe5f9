import type { TierShareRow } from "../src/engine/distribution";

const pct = (x: number | null): string => (x === null ? "n/a" : `${(x * 100).toFixed(1)} %`);

/**
 * The per-tier summary `tiering rank` prints (rows from the engine's tierDistribution). Shares of accounts are over
 * the accounts active in the window, the population the cut is taken over, so they reconcile with the model's shares.
 */
export function formatSummary(rows: TierShareRow[]): string {
  const header = ["tier", "accounts", "active in window", "share of active in window", "share of revenue"];
  const body = rows.map((r) => [
    r.tier,
    String(r.accounts),
    String(r.activeAccounts),
    pct(r.accountShare),
    pct(r.revenueShare),
  ]);
  const total = rows.reduce((s, r) => s + r.accounts, 0);
  const active = rows.reduce((s, r) => s + r.activeAccounts, 0);
  body.push([
    "total",
    String(total),
    String(active),
    pct(active ? 1 : 0),
    rows.some((r) => r.revenueShare !== null) ? pct(1) : "n/a",
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((b) => b[c].length)));
  const line = (cells: string[]): string =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ");
  const note =
    total > active
      ? `Shares of accounts are over the ${active} accounts active in the window (the population the cut is taken over); the other ${total - active} keep the last tier.\n`
      : `Shares of accounts are over the ${active} accounts active in the window (the population the cut is taken over).\n`;
  return [line(header), ...body.map(line)].join("\n") + "\n" + note;
}

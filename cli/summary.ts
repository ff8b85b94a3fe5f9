import type { TierShareRow } from "../src/engine/distribution";

const pct = (x: number | null): string => (x === null ? "n/a" : `${(x * 100).toFixed(1)} %`);

/** The per-tier summary `tiering rank` prints (rows from the engine's tierDistribution). */
export function formatSummary(rows: TierShareRow[]): string {
  const header = ["tier", "accounts", "share of accounts", "share of revenue"];
  const body = rows.map((r) => [r.tier, String(r.accounts), pct(r.accountShare), pct(r.revenueShare)]);
  const total = rows.reduce((s, r) => s + r.accounts, 0);
  body.push(["total", String(total), pct(total ? 1 : 0), rows.some((r) => r.revenueShare !== null) ? pct(1) : "n/a"]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((b) => b[c].length)));
  const line = (cells: string[]): string =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ");
  return [line(header), ...body.map(line)].join("\n") + "\n";
}

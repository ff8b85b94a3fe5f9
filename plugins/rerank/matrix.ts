import { NO_TIER } from "./writer";

export type Matrix = Record<string, Record<string, number>>;

export function mergeMatrices(ms: readonly Matrix[]): Matrix {
  const out: Matrix = {};
  for (const m of ms)
    for (const [from, row] of Object.entries(m))
      for (const [to, n] of Object.entries(row)) (out[from] ??= {})[to] = (out[from][to] ?? 0) + n;
  return out;
}

/** The tier movement matrix as text: one row per current tier (and accounts without one), one column per new tier. */
export function formatMatrix(m: Matrix, tiers: readonly string[]): string {
  const rows = [...tiers, NO_TIER].filter((f) => m[f] || tiers.includes(f));
  const extra = Object.keys(m).filter((f) => !rows.includes(f));
  const from = [...rows, ...extra];
  const width = Math.max(6, ...tiers.map((t) => t.length + 1), ...from.map((f) => f.length + 1));
  const cell = (s: string | number): string => String(s).padStart(width);
  const lines = [`${"from \\ to".padEnd(12)}${tiers.map(cell).join("")}${cell("total")}`];
  for (const f of from) {
    const row = m[f] ?? {};
    const counts = tiers.map((t) => row[t] ?? 0);
    lines.push(`${f.padEnd(12)}${counts.map(cell).join("")}${cell(counts.reduce((a, b) => a + b, 0))}`);
  }
  return lines.join("\n") + "\n";
}

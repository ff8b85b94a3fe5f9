/** One benchmark figure, as printed with `--json` (issue 7): one JSON object per line. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The figure we compare against (DuckDB, a target) and ours/theirs. */
  peer?: string;
  peerValue?: number;
  ratio?: number;
}

/** Lines a child suite writes to stdout start with this; anything else is its log. */
export const FIGURE_PREFIX = "@@figure ";

export function emit(f: Figure): void {
  process.stdout.write(FIGURE_PREFIX + JSON.stringify(f) + "\n");
}

/** Rounds to 3 significant digits for display; JSON keeps the full value. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString("en-US");
  return String(Number(v.toPrecision(3)));
}

export function formatTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.name,
    fmt(f.value),
    f.unit,
    f.peer ?? "",
    f.peerValue === undefined ? "" : fmt(f.peerValue),
    f.ratio === undefined ? "" : fmt(f.ratio),
  ]);
  const head = ["benchmark", "value", "unit", "peer", "peer value", "ratio"];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]): string =>
    cells
      .map((s, c) => (c === 1 || c >= 4 ? s.padStart(widths[c]) : s.padEnd(widths[c])))
      .join("  ")
      .trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n") + "\n";
}

export function formatJson(figures: readonly Figure[]): string {
  return figures.map((f) => JSON.stringify(f) + "\n").join("");
}

/** Parses a child's stdout: its figures, and the rest as log lines. */
export function parseChildOutput(stdout: string): { figures: Figure[]; log: string[] } {
  const figures: Figure[] = [];
  const log: string[] = [];
  for (const line of stdout.split("\n")) {
    if (line.startsWith(FIGURE_PREFIX)) figures.push(JSON.parse(line.slice(FIGURE_PREFIX.length)) as Figure);
    else if (line.trim()) log.push(line);
  }
  return { figures, log };
}

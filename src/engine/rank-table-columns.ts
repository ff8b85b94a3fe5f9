import type { KpiName } from "./explanation-types";
import { KPI_NAMES } from "./explanation-types";
import type { QuantileTable } from "./quantiles";
import type { RankTable } from "./rank";

/**
 * How a RankTable lives on the `ct_tiermodel` row: the cut-points (with the run's as-of, method and counts) in
 * `ct_cutpointsjson`, the per-KPI quantile tables in `ct_kpiquantilesjson`. The re-rank writes both, the plugin reads both.
 */
export interface RankTableColumns {
  ct_cutpointsjson: string;
  ct_kpiquantilesjson: string;
}

export function rankTableToColumns(t: RankTable): RankTableColumns {
  const { kpis, ...cuts } = t;
  return { ct_cutpointsjson: JSON.stringify(cuts), ct_kpiquantilesjson: JSON.stringify(kpis) };
}

/** Thrown for columns that hold something other than what rankTableToColumns wrote; names the column. */
export class RankTableError extends Error {
  override name = "RankTableError";
}

const isNumberArray = (x: unknown): x is number[] =>
  Array.isArray(x) && x.every((v) => typeof v === "number" && Number.isFinite(v));

function quantileTable(x: unknown, kpi: KpiName): QuantileTable {
  const q = x as Partial<QuantileTable> | null;
  const ok =
    q != null &&
    typeof q.n === "number" &&
    typeof q.inf === "number" &&
    typeof q.lowerIsBetter === "boolean" &&
    isNumberArray(q.v) &&
    isNumberArray(q.lt) &&
    isNumberArray(q.eq) &&
    q.v.length === q.lt.length &&
    q.v.length === q.eq.length;
  if (!ok)
    throw new RankTableError(
      `ct_kpiquantilesjson: "${kpi}" is not a quantile table (n, inf, lowerIsBetter, v, lt, eq)`,
    );
  return q as QuantileTable;
}

/** Both columns empty: no re-rank yet (cold start), null. */
export function rankTableFromColumns(cutpoints: unknown, quantiles: unknown): RankTable | null {
  const empty = (x: unknown): boolean => x == null || x === "";
  if (empty(cutpoints) && empty(quantiles)) return null;
  const parse = (text: unknown, column: string): Record<string, unknown> => {
    try {
      const v = JSON.parse(String(text));
      if (v && typeof v === "object" && !Array.isArray(v)) return v;
    } catch {
      // fall through
    }
    throw new RankTableError(`${column}: not a JSON object`);
  };
  const c = parse(cutpoints, "ct_cutpointsjson");
  const k = parse(quantiles, "ct_kpiquantilesjson");
  if (
    c.v !== 1 ||
    !["percentile", "pareto", "thresholds"].includes(String(c.method)) ||
    !Array.isArray(c.cuts) ||
    typeof c.n !== "number"
  ) {
    throw new RankTableError("ct_cutpointsjson: not a version 1 cut-point table (v, method, n, cuts)");
  }
  const kpis = Object.fromEntries(KPI_NAMES.map((name) => [name, quantileTable(k[name], name)])) as Record<
    KpiName,
    QuantileTable
  >;
  return { ...(c as Omit<RankTable, "kpis">), kpis };
}

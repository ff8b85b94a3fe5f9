/** FetchXML aggregates: groupby (with dategrouping), sum/avg/min/max/count/countcolumn, ordered and paged. */
import { DataverseError, CODES, badRequest } from "./errors";
import { type ColumnDef, isChoice } from "./metadata";
import type { Store, Value } from "./store";
import { formatted, putProperty, wireValue } from "./codec";
import { DAY, type DateGrouping, type FetchQuery, type FetchResult, MAX_PAGE } from "./fetchxml-types";
import { comparable, sortKeyCompare } from "./fetchxml-values";
import { joinAll } from "./fetchxml-join";

/** https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/aggregate-data#grouping-by-parts-of-a-date (UTC here) */
function dateGroup(ms: number, g: DateGrouping): number {
  const d = new Date(ms);
  switch (g) {
    case "year":
      return d.getUTCFullYear();
    case "quarter":
      return Math.floor(d.getUTCMonth() / 3) + 1;
    case "month":
      return d.getUTCMonth() + 1;
    case "day":
      return d.getUTCDate();
    case "week": {
      const start = Date.UTC(d.getUTCFullYear(), 0, 1);
      return Math.floor((ms - start) / DAY / 7) + 1;
    }
  }
}

/** Sums are exact decimals in Dataverse: money to its 4 stored decimals, other numbers to 10. */
const round = (x: number, col: ColumnDef): number => Number(x.toFixed(col.type === "Money" ? 4 : 10));

interface Acc {
  keys: (Value | number)[];
  n: number[];
  sum: number[];
  min: (number | null)[];
  max: (number | null)[];
  distinct: (Set<unknown> | null)[];
}

/**
 * Aggregates: more than `aggregateLimit` matching rows fail with AggregateQueryRecordLimit (0x8004E023).
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/aggregate-data#limitations
 */
export function aggregate(store: Store, q: FetchQuery, annotations: (name: string) => boolean): FetchResult {
  const attrs = q.entities.flatMap((e) => e.attributes);
  for (const a of attrs) {
    if (!a.alias) throw badRequest(`An alias is required for attribute '${a.col.name}' in an aggregate query.`);
    if (!a.groupby && !a.aggregate)
      throw badRequest(`Attribute '${a.col.name}' needs groupby or aggregate in an aggregate query.`);
    if (a.dategrouping && a.col.type !== "DateTime")
      throw badRequest(`dategrouping needs a date column; '${a.col.name}' is not one.`);
  }
  const groupAttrs = attrs.filter((a) => a.groupby);
  const aggAttrs = attrs.filter((a) => a.aggregate);
  const groups = new Map<string, Acc>();
  let matched = 0;
  const limitError = (): DataverseError =>
    new DataverseError(400, CODES.aggregateLimit, "AggregateQueryRecordLimit exceeded. Cannot perform this operation.");
  joinAll(store, q, (t) => {
    if (++matched > q.aggregateLimit) throw limitError();
    const keys = groupAttrs.map((a) => {
      const v = t[a.entity.index]?.[a.col.name] ?? null;
      return a.dategrouping && typeof v === "number" ? dateGroup(v, a.dategrouping) : v;
    });
    const key = JSON.stringify(keys);
    let acc = groups.get(key);
    if (!acc) {
      acc = {
        keys,
        n: aggAttrs.map(() => 0),
        sum: aggAttrs.map(() => 0),
        min: aggAttrs.map(() => null),
        max: aggAttrs.map(() => null),
        distinct: aggAttrs.map((a) => (a.distinct ? new Set() : null)),
      };
      groups.set(key, acc);
    }
    aggAttrs.forEach((a, i) => {
      const v = t[a.entity.index]?.[a.col.name] ?? null;
      if (a.aggregate === "count") {
        acc!.n[i]++;
        return;
      }
      if (v === null) return; // nulls are not considered when aggregating
      acc!.n[i]++;
      acc!.distinct[i]?.add(comparable(v));
      if (typeof v === "number") {
        acc!.sum[i] += v;
        acc!.min[i] = acc!.min[i] === null ? v : Math.min(acc!.min[i]!, v);
        acc!.max[i] = acc!.max[i] === null ? v : Math.max(acc!.max[i]!, v);
      }
    });
  });
  if (groups.size === 0 && groupAttrs.length === 0) {
    groups.set("[]", {
      keys: [],
      n: aggAttrs.map(() => 0),
      sum: aggAttrs.map(() => 0),
      min: aggAttrs.map(() => null),
      max: aggAttrs.map(() => null),
      distinct: aggAttrs.map(() => null),
    });
  }
  const rows: Record<string, unknown>[] = [];
  for (const acc of groups.values()) {
    const out: Record<string, unknown> = {};
    groupAttrs.forEach((a, i) => {
      const v = acc.keys[i] as Value;
      if (a.dategrouping) {
        out[a.alias!] = v;
        if (v !== null && annotations("OData.Community.Display.V1.FormattedValue"))
          out[`${a.alias}@OData.Community.Display.V1.FormattedValue`] = String(v);
      } else putProperty(out, a.alias!, store, a.entity.def, a.col, v, annotations);
    });
    aggAttrs.forEach((a, i) => {
      let v: number | null;
      switch (a.aggregate!) {
        case "count":
          v = acc.n[i];
          break;
        case "countcolumn":
          v = acc.distinct[i] ? acc.distinct[i]!.size : acc.n[i];
          break;
        case "sum":
          v = round(acc.sum[i], a.col);
          break;
        case "avg":
          v = acc.n[i] ? round(acc.sum[i] / acc.n[i], a.col) : null;
          break;
        case "min":
          v = acc.min[i];
          break;
        case "max":
          v = acc.max[i];
          break;
      }
      // min/max of a date-time answer the date-time itself (ISO 'Z', or the date of a date-only column), as
      // Dataverse does, never a number.
      // https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/aggregate-data#min-and-max
      out[a.alias!] =
        v !== null && a.col.type === "DateTime" && a.aggregate !== "count" && a.aggregate !== "countcolumn"
          ? wireValue(a.col, v)
          : v;
      if (v !== null && annotations("OData.Community.Display.V1.FormattedValue")) {
        const asCol =
          a.aggregate === "count" || a.aggregate === "countcolumn"
            ? ({ name: a.alias!, type: "Integer" } as ColumnDef)
            : a.col;
        const f = isChoice(asCol) ? String(v) : formatted(store, asCol, v);
        if (f !== undefined) out[`${a.alias}@OData.Community.Display.V1.FormattedValue`] = f;
      }
    });
    rows.push(out);
  }
  const orders = q.entities.flatMap((e) => e.orders);
  rows.sort((x, y) => {
    for (const o of orders) {
      const key = o.alias ?? o.col?.name ?? "";
      const c = sortKeyCompare((x[key] ?? null) as Value, (y[key] ?? null) as Value);
      if (c !== 0) return o.descending ? -c : c;
    }
    return 0;
  });
  const size = Math.min(q.count ?? MAX_PAGE, MAX_PAGE);
  const limit = q.top ?? size;
  const start = q.top !== undefined ? 0 : (q.page - 1) * size;
  return { value: rows.slice(start, start + limit), moreRecords: q.top === undefined && start + size < rows.length };
}

import { XMLParser } from "fast-xml-parser";

/**
 * A deliberately small FetchXML evaluator for the plugin's own queries (and/or filters, eq/in/ge/gt/lt conditions,
 * outer link-entities with `entityname` conditions, sum/count/max/min aggregates, count/page/order), so the on-save
 * facts can be checked against the batch without a server.
 * Rows hold epoch ms for dates and plain ids for lookups; results come back the way the Web API shapes them.
 */
type Row = Record<string, unknown>;
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  isArray: (name, _path, _leaf, isAttribute) =>
    !isAttribute && ["attribute", "condition", "value", "order", "filter", "link-entity"].includes(name),
});

interface Cond {
  entityname?: string;
  attribute: string;
  operator: string;
  value?: string;
  value_list?: string[];
}

function literal(row: Row, attribute: string, text: string): unknown {
  const v = row[attribute];
  if (typeof v === "number" && /^\d{4}-\d{2}-\d{2}T/.test(text)) return Date.parse(text);
  if (typeof v === "number") return Number(text);
  return text.toLowerCase();
}

function matches(row: Row, c: Cond): boolean {
  const raw = row[c.attribute];
  const v = typeof raw === "string" ? raw.toLowerCase() : raw;
  if (c.operator === "in") return (c.value_list ?? []).some((x) => v === literal(row, c.attribute, x));
  if (v === null || v === undefined) return false;
  const x = literal(row, c.attribute, c.value ?? "") as number | string;
  switch (c.operator) {
    case "eq":
      return v === x;
    case "ge":
      return (v as number) >= (x as number);
    case "gt":
      return (v as number) > (x as number);
    case "lt":
      return (v as number) < (x as number);
    default:
      throw new Error(`operator ${c.operator} not supported by the test evaluator`);
  }
}

/** Dataverse's AggregateQueryRecordLimit: an aggregate over more rows fails (0x8004E023). */
export const AGGREGATE_LIMIT = 50_000;

export class AggregateLimitExceeded extends Error {
  override name = "AggregateLimitExceeded";
}

interface FilterNode {
  type?: string;
  condition?: Record<string, unknown>[];
  filter?: FilterNode[];
}

const condOf = (c: Record<string, unknown>): Cond => ({
  entityname: c.entityname === undefined ? undefined : String(c.entityname),
  attribute: String(c.attribute),
  operator: String(c.operator),
  value: c.value === undefined || Array.isArray(c.value) ? undefined : String(c.value),
  value_list: Array.isArray(c.value) ? (c.value as unknown[]).map(String) : undefined,
});

/** A row and the rows its outer link-entities joined, by alias. */
type Joined = { row: Row; links: Record<string, Row> };

function passes(j: Joined, f: FilterNode): boolean {
  const results = [
    ...(f.condition ?? []).map(condOf).map((c) => matches(c.entityname ? (j.links[c.entityname] ?? {}) : j.row, c)),
    ...(f.filter ?? []).map((sub) => passes(j, sub)),
  ];
  return f.type === "or" ? results.some(Boolean) : results.every(Boolean);
}

export function evaluateFetch(
  fetchXml: string,
  tables: Record<string, Row[]>,
  aggregateLimit: number = AGGREGATE_LIMIT,
): Row[] {
  const doc = parser.parse(fetchXml) as {
    fetch: { aggregate?: string; count?: string; page?: string; top?: string; entity: Record<string, unknown> };
  };
  const e = doc.fetch.entity as {
    name: string;
    attribute: Record<string, string>[];
    filter: FilterNode[];
    "link-entity"?: { name: string; from: string; to: string; "link-type"?: string; alias: string }[];
    order?: { attribute: string; descending?: string }[];
  };
  const links = e["link-entity"] ?? [];
  for (const l of links) if (l["link-type"] !== "outer") throw new Error("only outer link-entities are supported");
  const joined = (tables[e.name] ?? []).map((row): Joined => ({
    row,
    links: Object.fromEntries(
      links.map((l) => {
        const key = String(row[l.to] ?? "").toLowerCase();
        const match = (tables[l.name] ?? []).find((x) => String(x[l.from] ?? "").toLowerCase() === key);
        return [l.alias, match ?? {}];
      }),
    ),
  }));
  const rows = joined.filter((j) => (e.filter ?? []).every((f) => passes(j, f))).map((j) => j.row);
  if (doc.fetch.aggregate === "true") {
    if (rows.length > aggregateLimit)
      throw new AggregateLimitExceeded(`AggregateQueryRecordLimit exceeded: ${rows.length} rows > ${aggregateLimit}`);
    const out: Row = {};
    for (const a of e.attribute) {
      const values = rows.map((r) => r[a.name]).filter((v) => v !== null && v !== undefined) as number[];
      switch (a.aggregate) {
        case "count":
          out[a.alias] = rows.length;
          break;
        case "sum":
          out[a.alias] = values.length ? values.reduce((s, v) => s + v, 0) : null;
          break;
        case "max":
        case "min": {
          const pick = values.length ? (a.aggregate === "max" ? Math.max(...values) : Math.min(...values)) : null;
          out[a.alias] = pick === null ? null : new Date(pick).toISOString();
          break;
        }
      }
    }
    return [out];
  }
  const order = e.order?.[0]?.attribute;
  const sign = e.order?.[0]?.descending === "true" ? -1 : 1;
  const key = (v: unknown): number | string => (typeof v === "number" ? v : String(v));
  const sorted = order
    ? [...rows].sort((a, b) => {
        const x = key(a[order]);
        const y = key(b[order]);
        return sign * (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y)));
      })
    : rows;
  if (doc.fetch.top !== undefined) sorted.splice(Number(doc.fetch.top));
  const count = Number(doc.fetch.count ?? 5000);
  const page = Number(doc.fetch.page ?? 1);
  return sorted.slice((page - 1) * count, page * count).map((r) =>
    Object.fromEntries(
      e.attribute.map((a) => {
        const v = r[a.name] ?? null;
        // Dates are epoch ms in the test tables; the Web API returns ISO text.
        return [a.name, typeof v === "number" && /on$|end$|date$/.test(a.name) ? new Date(v).toISOString() : v];
      }),
    ),
  );
}

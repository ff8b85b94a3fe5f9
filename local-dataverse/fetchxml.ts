/**
 * FetchXML through the Web API (`GET <set>?fetchXml=…`): attributes, filters and conditions,
 * link-entity joins, orders, paging cookies, and aggregates with groupby / dategrouping.
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/overview
 * Joins and `eq`/`in` conditions on lookups read hash indexes, so grouping ~1M rows stays linear.
 */
import { XMLParser } from "fast-xml-parser";
import { DataverseError, CODES, badRequest } from "./errors";
import { type ColumnDef, isChoice, isLookup, type TableDef } from "./metadata";
import { etagOf, isLookupValue, type Row, type Store, type Value } from "./store";
import { formatted, parseDate, propertyName, putProperty, wireValue } from "./codec";
import type { ResultCache } from "./result-cache";
import { compareSqlGuid, isGuidColumn, sqlGuidKey } from "./guid-order";

/** Aggregate queries evaluate at most 50,000 rows (AggregateQueryRecordLimit). */
export const AGGREGATE_LIMIT = 50_000;
/** Default and maximum FetchXML page size. */
export const MAX_PAGE = 5000;

type Aggregate = "sum" | "avg" | "min" | "max" | "count" | "countcolumn";
type DateGrouping = "day" | "week" | "month" | "quarter" | "year";

interface AttrNode {
  entity: EntityNode;
  col: ColumnDef;
  alias?: string;
  aggregate?: Aggregate;
  groupby: boolean;
  dategrouping?: DateGrouping;
  distinct: boolean;
}
interface Condition {
  entity: EntityNode;
  col: ColumnDef;
  operator: string;
  values: string[];
}
interface FilterNode {
  type: "and" | "or";
  conditions: Condition[];
  filters: FilterNode[];
}
interface OrderNode {
  entity: EntityNode;
  col?: ColumnDef;
  alias?: string;
  descending: boolean;
}
interface EntityNode {
  def: TableDef;
  alias: string;
  index: number;
  attributes: AttrNode[];
  allAttributes: boolean;
  orders: OrderNode[];
  filter?: FilterNode;
  links: LinkNode[];
}
interface LinkNode extends EntityNode {
  from: ColumnDef;
  to: ColumnDef;
  linkType: "inner" | "outer";
}
export interface FetchQuery {
  aggregate: boolean;
  count?: number;
  page: number;
  pagingCookie?: string;
  top?: number;
  distinct: boolean;
  aggregateLimit: number;
  root: EntityNode;
  entities: EntityNode[];
}

type XmlNode = { $?: Record<string, string> } & Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  attributesGroupName: "$",
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (_name, _jpath, _leaf, isAttribute) => !isAttribute,
});

const children = (node: XmlNode, name: string): XmlNode[] => (node[name] as XmlNode[] | undefined) ?? [];
const attr = (node: XmlNode, name: string): string | undefined => node.$?.[name];
const truthy = (s: string | undefined): boolean => s === "true" || s === "1";

function intAttr(node: XmlNode, name: string): number | undefined {
  const v = attr(node, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw badRequest(`The '${name}' attribute of <fetch> must be a non-negative integer, got '${v}'.`);
  return n;
}

export function parseFetchXml(store: Store, xml: string): FetchQuery {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml, true) as Record<string, unknown>;
  } catch (e) {
    throw badRequest(`The FetchXml is not well-formed XML: ${(e as Error).message}`);
  }
  const fetch = (doc.fetch as XmlNode[] | undefined)?.[0];
  if (!fetch) throw badRequest("The FetchXml must have a <fetch> root element.");
  const entityXml = children(fetch, "entity")[0];
  if (!entityXml) throw badRequest("The FetchXml <fetch> element needs an <entity> element.");
  const entities: EntityNode[] = [];
  const rawFilters = new Map<EntityNode, XmlNode[]>();
  const root = parseEntity(store, entityXml, undefined, entities, rawFilters);
  const byAlias = new Map(entities.map((e) => [e.alias, e]));
  for (const [entity, filters] of rawFilters) {
    if (filters.length)
      entity.filter = { type: "and", conditions: [], filters: filters.map((f) => parseFilter(entity, f, byAlias)) };
  }
  const aggregate = truthy(attr(fetch, "aggregate"));
  const aggregateLimit = intAttr(fetch, "aggregatelimit") ?? AGGREGATE_LIMIT;
  return {
    aggregate,
    count: intAttr(fetch, "count"),
    page: intAttr(fetch, "page") ?? 1,
    pagingCookie: attr(fetch, "paging-cookie"),
    top: intAttr(fetch, "top"),
    distinct: truthy(attr(fetch, "distinct")),
    // The per-query limit can lower, never raise, the platform limit.
    aggregateLimit: Math.min(aggregateLimit, AGGREGATE_LIMIT),
    root,
    entities,
  };
}

function tableDef(store: Store, name: string | undefined): TableDef {
  const def = name ? store.metadata.table(name) : undefined;
  // QueryBuilderNoEntity / QueryBuilderNoAttribute (names are logical names, case-sensitive)
  // https://learn.microsoft.com/power-apps/developer/data-platform/reference/web-service-error-codes
  if (!def)
    throw new DataverseError(
      400,
      "0x80041102",
      `The entity with a name = '${name}' with namemapping = 'Logical' was not found in the MetadataCache.`,
    );
  return def;
}

function column(def: TableDef, name: string | undefined): ColumnDef {
  const col = name ? def.columns.get(name) : undefined;
  if (!col || col.writeOnly)
    throw new DataverseError(
      400,
      "0x80041103",
      `'${def.logicalName}' entity doesn't contain attribute with Name = '${name}' and NameMapping = 'Logical'.`,
    );
  return col;
}

function parseEntity(
  store: Store,
  xml: XmlNode,
  link: { parent: EntityNode } | undefined,
  entities: EntityNode[],
  rawFilters: Map<EntityNode, XmlNode[]>,
): EntityNode {
  const def = tableDef(store, attr(xml, "name"));
  const node: EntityNode = {
    def,
    alias: link ? (attr(xml, "alias") ?? `${def.logicalName}${entities.length}`) : def.logicalName,
    index: entities.length,
    attributes: [],
    allAttributes: children(xml, "all-attributes").length > 0,
    orders: [],
    links: [],
  };
  if (link) {
    const linkType = attr(xml, "link-type") ?? "inner";
    if (linkType !== "inner" && linkType !== "outer")
      throw badRequest(`link-type '${linkType}' is not supported by the sandbox (inner, outer).`);
    Object.assign(node, {
      from: column(def, attr(xml, "from")),
      to: column(link.parent.def, attr(xml, "to")),
      linkType,
    });
  }
  entities.push(node);
  for (const a of children(xml, "attribute")) {
    const aggregate = attr(a, "aggregate") as Aggregate | undefined;
    if (aggregate && !["sum", "avg", "min", "max", "count", "countcolumn"].includes(aggregate)) {
      throw badRequest(`Invalid aggregate '${aggregate}'.`);
    }
    const dategrouping = attr(a, "dategrouping") as DateGrouping | undefined;
    if (dategrouping && !["day", "week", "month", "quarter", "year"].includes(dategrouping)) {
      throw badRequest(
        `dategrouping '${dategrouping}' is not supported by the sandbox (day, week, month, quarter, year).`,
      );
    }
    node.attributes.push({
      entity: node,
      col: column(def, attr(a, "name")),
      alias: attr(a, "alias"),
      aggregate,
      groupby: truthy(attr(a, "groupby")),
      dategrouping,
      distinct: truthy(attr(a, "distinct")),
    });
  }
  for (const o of children(xml, "order")) {
    const alias = attr(o, "alias");
    node.orders.push({
      entity: node,
      col: alias ? undefined : column(def, attr(o, "attribute")),
      alias,
      descending: truthy(attr(o, "descending")),
    });
  }
  // Filters are parsed once every entity is known: a condition's entityname may name a later link-entity.
  rawFilters.set(node, children(xml, "filter"));
  for (const l of children(xml, "link-entity"))
    node.links.push(parseEntity(store, l, { parent: node }, entities, rawFilters) as LinkNode);
  return node;
}

function parseFilter(owner: EntityNode, xml: XmlNode, byAlias: Map<string, EntityNode>): FilterNode {
  const type = attr(xml, "type") ?? "and";
  if (type !== "and" && type !== "or") throw badRequest(`Filter type '${type}' is invalid; use 'and' or 'or'.`);
  return {
    type,
    conditions: children(xml, "condition").map((c) => {
      // entityname names a link-entity alias: a condition on the joined row, written at the entity level.
      const entityName = attr(c, "entityname");
      const entity = entityName ? byAlias.get(entityName) : owner;
      if (!entity) throw badRequest(`No link-entity with alias '${entityName}' for a condition's entityname.`);
      const values = children(c, "value").map((v) =>
        typeof v === "string" ? v : String((v as Record<string, unknown>)["#text"] ?? ""),
      );
      const single = attr(c, "value");
      if (single !== undefined) values.unshift(single);
      const condition: Condition = {
        entity,
        col: column(entity.def, attr(c, "attribute")),
        operator: attr(c, "operator") ?? "",
        values,
      };
      checkOperator(condition);
      return condition;
    }),
    filters: children(xml, "filter").map((f) => parseFilter(owner, f, byAlias)),
  };
}

const OPERATORS = new Set([
  "eq",
  "ne",
  "neq",
  "gt",
  "ge",
  "lt",
  "le",
  "null",
  "not-null",
  "in",
  "not-in",
  "between",
  "not-between",
  "like",
  "not-like",
  "begins-with",
  "not-begin-with",
  "ends-with",
  "not-end-with",
  "on",
  "on-or-after",
  "on-or-before",
]);

function checkOperator(c: Condition): void {
  if (!OPERATORS.has(c.operator))
    throw badRequest(`The condition operator '${c.operator}' is not supported by the sandbox.`);
  const needs =
    c.operator === "null" || c.operator === "not-null"
      ? 0
      : c.operator.includes("between")
        ? 2
        : c.operator.endsWith("in")
          ? -1
          : 1;
  if (needs === -1 ? c.values.length === 0 : c.values.length !== needs) {
    throw badRequest(
      `The condition for attribute '${c.col.name}' with operator '${c.operator}' has ${c.values.length} value(s).`,
    );
  }
  for (const v of c.values) parseConditionValue(c.col, v, c.operator);
}

/** Condition text → comparable value for the column's type (GUIDs may come in braces). */
function parseConditionValue(col: ColumnDef, text: string, operator: string): string | number | boolean {
  if (operator.includes("like") || operator.includes("begin") || operator.includes("end-with"))
    return text.toLowerCase();
  switch (col.type) {
    case "Integer":
    case "Decimal":
    case "Money":
    case "Picklist":
    case "State":
    case "Status": {
      const n = Number(text);
      if (text.trim() === "" || !Number.isFinite(n))
        throw badRequest(`The value '${text}' of the condition on '${col.name}' is not a valid number.`);
      return n;
    }
    case "DateTime": {
      const ms = parseDate(text.trim());
      if (ms === undefined)
        throw badRequest(`The value '${text}' of the condition on '${col.name}' is not a valid date.`);
      return ms;
    }
    case "Boolean":
      return text === "1" || text.toLowerCase() === "true";
    case "String":
    case "Memo":
      return text.toLowerCase();
    default: {
      const id = text
        .trim()
        .replace(/^\{|\}$/g, "")
        .toLowerCase();
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
        throw badRequest(`The value '${text}' of the condition on '${col.name}' is not a valid Guid.`);
      }
      return id;
    }
  }
}

const comparable = (v: Value): string | number | boolean | null =>
  v === null ? null : isLookupValue(v) ? v.id : typeof v === "string" ? v.toLowerCase() : v;

const DAY = 86_400_000;

function likeRegex(pattern: string): RegExp {
  const body = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    .replace(/%/g, ".*")
    .replace(/_/g, ".");
  return new RegExp(`^${body}$`, "s");
}

type Predicate = (tuple: (Row | null)[]) => boolean;

/** https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/filter-rows */
function compileCondition(c: Condition): Predicate {
  const idx = c.entity.index;
  const name = c.col.name;
  // Ids compare in SQL Server's uniqueidentifier order (guid-order.ts); the key is one-to-one, so eq/in still hold.
  const guid = isGuidColumn(c.col) && !c.operator.includes("like");
  const vals = c.values.map((v) => {
    const parsed = parseConditionValue(c.col, v, c.operator);
    return guid && typeof parsed === "string" ? sqlGuidKey(parsed) : parsed;
  });
  const get = (t: (Row | null)[]): string | number | boolean | null => {
    const v = comparable(t[idx]?.[name] ?? null);
    return guid && typeof v === "string" ? sqlGuidKey(v) : v;
  };
  const [a, b] = vals;
  switch (c.operator) {
    case "eq":
      return (t) => get(t) === a;
    case "ne":
    case "neq":
      return (t) => {
        const v = get(t);
        return v !== null && v !== a;
      };
    case "gt":
      return (t) => cmp(get(t), a) > 0;
    case "ge":
      return (t) => cmp(get(t), a) >= 0;
    case "lt":
      return (t) => cmp(get(t), a) < 0;
    case "le":
      return (t) => cmp(get(t), a) <= 0;
    case "null":
      return (t) => get(t) === null;
    case "not-null":
      return (t) => get(t) !== null;
    case "in": {
      const set = new Set(vals);
      return (t) => set.has(get(t) as never);
    }
    case "not-in": {
      const set = new Set(vals);
      return (t) => {
        const v = get(t);
        return v !== null && !set.has(v as never);
      };
    }
    case "between":
      return (t) => cmp(get(t), a) >= 0 && cmp(get(t), b) <= 0;
    case "not-between":
      return (t) => {
        const v = get(t);
        return v !== null && (cmp(v, a) < 0 || cmp(v, b) > 0);
      };
    case "like":
    case "not-like": {
      const re = likeRegex(String(a));
      const neg = c.operator === "not-like";
      return (t) => {
        const v = get(t);
        return v !== null && re.test(String(v)) !== neg;
      };
    }
    case "begins-with":
      return (t) => String(get(t) ?? "\u0000").startsWith(String(a));
    case "not-begin-with":
      return (t) => get(t) !== null && !String(get(t)).startsWith(String(a));
    case "ends-with":
      return (t) => get(t) !== null && String(get(t)).endsWith(String(a));
    case "not-end-with":
      return (t) => get(t) !== null && !String(get(t)).endsWith(String(a));
    case "on": {
      const start = Math.floor(Number(a) / DAY) * DAY;
      return (t) => cmp(get(t), start) >= 0 && cmp(get(t), start + DAY) < 0;
    }
    case "on-or-after": {
      const start = Math.floor(Number(a) / DAY) * DAY;
      return (t) => cmp(get(t), start) >= 0;
    }
    case "on-or-before": {
      const end = Math.floor(Number(a) / DAY) * DAY + DAY;
      return (t) => cmp(get(t), end) < 0;
    }
    default:
      throw badRequest(`The condition operator '${c.operator}' is not supported by the sandbox.`);
  }
}

/** SQL-like comparison: anything against null is "unknown" (never matches). */
function cmp(v: string | number | boolean | null, w: string | number | boolean | null | undefined): number {
  if (v === null || w === null || w === undefined) return NaN;
  return v < w ? -1 : v > w ? 1 : 0;
}

function compileFilter(f: FilterNode | undefined): Predicate | undefined {
  if (!f) return undefined;
  const parts = [
    ...f.conditions.map(compileCondition),
    ...f.filters.map(compileFilter).filter((p): p is Predicate => !!p),
  ];
  if (parts.length === 0) return undefined;
  return f.type === "and" ? (t) => parts.every((p) => p(t)) : (t) => parts.some((p) => p(t));
}

/** A top-level `eq`/`in` on a lookup of the root entity: read the index instead of scanning the table. */
function rootCandidates(store: Store, q: FetchQuery): Iterable<Row> {
  const root = q.root;
  const conds: Condition[] = [];
  const collect = (f: FilterNode | undefined): void => {
    if (!f || f.type !== "and") return;
    conds.push(...f.conditions);
    f.filters.forEach(collect);
  };
  collect(root.filter);
  for (const c of conds) {
    if (c.entity !== root) continue;
    if (
      isLookup(c.col) &&
      (c.operator === "eq" || c.operator === "in") &&
      store.hasLookupIndex(root.def.logicalName, c.col.name)
    ) {
      const ids = new Set<string>();
      for (const v of c.values)
        for (const id of store.referencing(
          root.def.logicalName,
          c.col.name,
          String(parseConditionValue(c.col, v, "eq")),
        ))
          ids.add(id);
      return [...ids].map((id) => store.get(root.def.logicalName, id)!).filter(Boolean);
    }
    if (c.col.name === root.def.primaryId && (c.operator === "eq" || c.operator === "in")) {
      return c.values
        .map((v) => store.get(root.def.logicalName, String(parseConditionValue(c.col, v, "eq"))))
        .filter((r): r is Row => !!r);
    }
  }
  return store.rows(root.def.logicalName);
}

/** A hash join on link-entity `from`: primary key and lookup indexes, else one scan per query. */
function joinLookup(store: Store, link: LinkNode): (key: string) => Row[] {
  const table = link.def.logicalName;
  if (link.from.name === link.def.primaryId) {
    return (key) => {
      const r = store.get(table, key);
      return r ? [r] : [];
    };
  }
  if (isLookup(link.from) && store.hasLookupIndex(table, link.from.name)) {
    return (key) => [...store.referencing(table, link.from.name, key)].map((id) => store.get(table, id)!);
  }
  const map = new Map<string | number | boolean, Row[]>();
  for (const r of store.rows(table)) {
    const k = comparable(r[link.from.name] ?? null);
    if (k === null) continue;
    const list = map.get(k);
    if (list) list.push(r);
    else map.set(k, [r]);
  }
  return (key) => map.get(key) ?? [];
}

/**
 * Inner joins drop rows without a match; outer joins keep them with nulls; a link-entity's own filter
 * restricts the linked rows (the join's ON clause).
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/join-tables
 */
function joinAll(store: Store, q: FetchQuery, onTuple: (t: (Row | null)[]) => void): void {
  const size = q.entities.length;
  const plans = q.entities
    .filter((e): e is LinkNode => e !== q.root)
    .map((l) => ({
      link: l,
      parentIndex: q.entities.findIndex((p) => p.links.includes(l)),
      lookup: joinLookup(store, l),
      own: compileFilter(l.filter),
    }));
  const rootFilter = compileFilter(q.root.filter);
  // A root filter that reads only root columns runs before any join, so rows it drops are never joined.
  const early = rootFilter && onlyRoot(q.root.filter, q.root) ? rootFilter : undefined;
  const late = early ? undefined : rootFilter;
  const expand = (t: (Row | null)[], i: number): void => {
    if (i === plans.length) {
      if (!late || late(t)) onTuple(t.slice());
      return;
    }
    const { link, parentIndex, lookup, own } = plans[i];
    const parentRow = t[parentIndex];
    const key = parentRow ? comparable(parentRow[link.to.name] ?? null) : null;
    let matched = false;
    if (key !== null) {
      for (const r of lookup(String(key))) {
        t[link.index] = r;
        if (own && !own(t)) continue;
        matched = true;
        expand(t, i + 1);
      }
    }
    t[link.index] = null;
    if (!matched && link.linkType === "outer") expand(t, i + 1);
  };
  // One scratch tuple: expand() resets the link slots it fills and onTuple receives a copy.
  const t: (Row | null)[] = new Array(size).fill(null);
  for (const row of rootCandidates(store, q)) {
    t[0] = row;
    if (early && !early(t)) continue;
    expand(t, 0);
  }
}

function onlyRoot(f: FilterNode | undefined, root: EntityNode): boolean {
  return !f || (f.conditions.every((c) => c.entity === root) && f.filters.every((g) => onlyRoot(g, root)));
}

export interface FetchResult {
  value: Record<string, unknown>[];
  moreRecords: boolean;
  pagingCookie?: string;
}

/** Runs a parsed query; `cacheKey` (the FetchXml without its paging attributes) lets later pages reuse the sort. */
export function executeFetch(
  store: Store,
  q: FetchQuery,
  annotations: (name: string) => boolean,
  cache?: ResultCache,
  cacheKey?: string,
): FetchResult {
  if (q.aggregate) return aggregate(store, q, annotations);
  const tables = [...new Set(q.entities.map((e) => e.def.logicalName))];
  const tuples =
    cache && cacheKey ? cache.get(`fetch|${cacheKey}`, tables, () => sortedTuples(store, q)) : sortedTuples(store, q);
  return select(store, q, tuples, annotations);
}

/** The FetchXml minus `page`, `count` and `paging-cookie`: the same query on another page. */
export const pagingFreeKey = (xml: string): string =>
  xml.replace(/\s(page|count|paging-cookie)\s*=\s*(['"])[\s\S]*?\2/g, "");

function sortKeyCompare(a: Value, b: Value, guid = false): number {
  const x = comparable(a);
  const y = comparable(b);
  if (guid && typeof x === "string" && typeof y === "string") return compareSqlGuid(x, y);
  if (x === y) return 0;
  if (x === null) return -1; // nulls first ascending, as SQL Server sorts them
  if (y === null) return 1;
  return x < y ? -1 : 1;
}

function sortedTuples(store: Store, q: FetchQuery): (Row | null)[][] {
  const tuples: (Row | null)[][] = [];
  joinAll(store, q, (t) => tuples.push(t));
  const orders = q.entities.flatMap((e) => e.orders.map((o) => ({ ...o, col: o.col ?? column(e.def, o.alias) })));
  const pk = q.root.def.primaryId;
  tuples.sort((a, b) => {
    for (const o of orders) {
      const c = sortKeyCompare(
        a[o.entity.index]?.[o.col.name] ?? null,
        b[o.entity.index]?.[o.col.name] ?? null,
        isGuidColumn(o.col),
      );
      if (c !== 0) return o.descending ? -c : c;
    }
    return sortKeyCompare(a[0]![pk], b[0]![pk], true);
  });
  if (!q.distinct) return tuples;
  const seen = new Set<string>();
  return tuples.filter((t) => {
    const { "@odata.etag": _etag, [pk]: _id, ...rest } = project(store, q, t, () => false);
    const key = JSON.stringify(rest);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * One page (`count`, `page`); the returned paging cookie names the first and last primary key of the page,
 * and a cookie sent back resumes after that key.
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/page-results#paging-cookies
 */
function select(
  store: Store,
  q: FetchQuery,
  tuples: (Row | null)[][],
  annotations: (name: string) => boolean,
): FetchResult {
  const pk = q.root.def.primaryId;
  if (q.top !== undefined)
    return { value: tuples.slice(0, q.top).map((t) => project(store, q, t, annotations)), moreRecords: false };
  const size = Math.min(q.count ?? MAX_PAGE, MAX_PAGE);
  let start = (q.page - 1) * size;
  const last = q.pagingCookie ? cookieLastId(q.pagingCookie, pk) : undefined;
  if (last) {
    let found = -1;
    for (let i = tuples.length - 1; i >= 0; i--)
      if (tuples[i][0]![pk] === last) {
        found = i;
        break;
      }
    if (found >= 0) start = found + 1;
  }
  const page = tuples.slice(start, start + size).map((t) => project(store, q, t, annotations));
  const moreRecords = start + size < tuples.length;
  let pagingCookie: string | undefined;
  if (page.length) {
    const first = String(tuples[start][0]![pk]);
    const lastId = String(tuples[start + page.length - 1][0]![pk]);
    const inner = `<cookie page="${q.page}"><${pk} last="{${lastId.toUpperCase()}}" first="{${first.toUpperCase()}}" /></cookie>`;
    pagingCookie = `<cookie pagenumber="${q.page + 1}" pagingcookie="${encodeURIComponent(encodeURIComponent(inner))}" istracking="False" />`;
  }
  return { value: page, moreRecords, pagingCookie };
}

/** The paging cookie the client sends back: `<cookie page="1"><pk last="{GUID}" … /></cookie>`. */
function cookieLastId(cookie: string, pk: string): string | undefined {
  let text = cookie;
  for (let i = 0; i < 3 && !text.includes("<"); i++) text = decodeURIComponent(text);
  const m = new RegExp(`<${pk}[^>]*\\blast="\\{?([0-9A-Fa-f-]{36})\\}?"`).exec(text);
  return m?.[1].toLowerCase();
}

function project(
  store: Store,
  q: FetchQuery,
  t: (Row | null)[],
  annotations: (name: string) => boolean,
): Record<string, unknown> {
  const root = t[0]!;
  const out: Record<string, unknown> = { "@odata.etag": etagOf(root) };
  for (const e of q.entities) {
    const row = t[e.index];
    const cols = e.allAttributes
      ? [...e.def.columns.values()]
          .filter((c) => !c.writeOnly)
          .map((col) => ({ col, alias: undefined as string | undefined }))
      : e.attributes;
    for (const a of cols) {
      const v = row?.[a.col.name] ?? null;
      const key = a.alias ?? (e === q.root ? propertyName(a.col) : `${e.alias}.${a.col.name}`);
      if (e !== q.root && v === null) continue; // Dataverse omits linked columns without a value
      putProperty(out, key, store, e.def, a.col, v, annotations);
    }
  }
  out[q.root.def.primaryId] = root[q.root.def.primaryId];
  return out;
}

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
function aggregate(store: Store, q: FetchQuery, annotations: (name: string) => boolean): FetchResult {
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

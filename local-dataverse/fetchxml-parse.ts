/** FetchXML text → the query model (fetchxml-types.ts): the <fetch> attributes, entities, link-entities and filters. */
import { XMLParser } from "fast-xml-parser";
import { badRequest } from "./errors";
import type { Store } from "./store";
import {
  AGGREGATE_LIMIT,
  type Aggregate,
  type Condition,
  type DateGrouping,
  type EntityNode,
  type FetchQuery,
  type FilterNode,
  type LinkNode,
} from "./fetchxml-types";
import { checkColumnComparison, checkOperator, column, tableDef } from "./fetchxml-checks";

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
      const valueOf = attr(c, "valueof");
      if (valueOf !== undefined) {
        condition.other = column(entity.def, valueOf);
        checkColumnComparison(condition);
        return condition;
      }
      checkOperator(condition);
      return condition;
    }),
    filters: children(xml, "filter").map((f) => parseFilter(owner, f, byAlias)),
  };
}

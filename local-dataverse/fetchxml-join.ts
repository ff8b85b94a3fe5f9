/** FetchXML joins: the root rows (from an index when the filter allows), then each link-entity by hash join. */
import { isLookup } from "./metadata";
import type { Row, Store } from "./store";
import type { Condition, EntityNode, FetchQuery, FilterNode, LinkNode } from "./fetchxml-types";
import { comparable, parseConditionValue } from "./fetchxml-values";
import { compileFilter } from "./fetchxml-conditions";

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
export function joinAll(store: Store, q: FetchQuery, onTuple: (t: (Row | null)[]) => void): void {
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

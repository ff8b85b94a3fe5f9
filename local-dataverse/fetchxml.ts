/**
 * FetchXML through the Web API (`GET <set>?fetchXml=…`): attributes, filters and conditions,
 * link-entity joins, orders, paging cookies, and aggregates with groupby / dategrouping.
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/overview
 * Joins and `eq`/`in` conditions on lookups read hash indexes, so grouping ~1M rows stays linear.
 *
 * The parts: fetchxml-types.ts (the query model), fetchxml-parse.ts and fetchxml-checks.ts (XML → model, refusing
 * what Dataverse refuses), fetchxml-values.ts, fetchxml-conditions.ts, fetchxml-join.ts, fetchxml-paging.ts and
 * fetchxml-aggregate.ts. This file runs a parsed query.
 */
import type { Store } from "./store";
import type { ResultCache } from "./result-cache";
import type { FetchQuery, FetchResult } from "./fetchxml-types";
import { aggregate } from "./fetchxml-aggregate";
import { select, sortedTuples } from "./fetchxml-paging";

export { AGGREGATE_LIMIT, MAX_PAGE, type FetchQuery, type FetchResult } from "./fetchxml-types";
export { parseFetchXml } from "./fetchxml-parse";
export { pagingFreeKey } from "./fetchxml-paging";

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

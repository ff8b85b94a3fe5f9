/** FetchXML rows: sorted (and distinct) tuples, one page of them with its paging cookie, and each tuple's projection. */
import { etagOf, type Row, type Store } from "./store";
import { propertyName, putProperty } from "./codec";
import { isGuidColumn } from "./guid-order";
import { type FetchQuery, type FetchResult, MAX_PAGE } from "./fetchxml-types";
import { sortKeyCompare } from "./fetchxml-values";
import { column } from "./fetchxml-checks";
import { joinAll } from "./fetchxml-join";

/** The FetchXml minus `page`, `count` and `paging-cookie`: the same query on another page. */
export const pagingFreeKey = (xml: string): string =>
  xml.replace(/\s(page|count|paging-cookie)\s*=\s*(['"])[\s\S]*?\2/g, "");

/** Every matching tuple in `<order>` order, ties broken by the root's id (stable pages); `distinct` drops repeats. */
export function sortedTuples(store: Store, q: FetchQuery): (Row | null)[][] {
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
export function select(
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

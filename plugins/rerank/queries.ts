import { ACTIVITY_CHANNELS, overTouchSince, STATE, windowFor, type TierModel, type Window } from "../../src/engine";
import { quarterIndex } from "../../src/engine/window";
import { idConditions, type IdRange } from "./id-ranges";
import { cond, inList } from "../dataverse/fetchxml";

/**
 * The grouped FetchXML aggregates that read every account's facts (docs/tier-model.md) in a few big queries: one row per
 * customer (and per close probability for the pipeline) per query, 5,000 rows a page. Invoices are read per date
 * segment, the segments cut at the window start and the quarter bounds, so every sum lands in exactly the facts the
 * batch (FactsBuilder) would add it to. Date bounds are explicit UTC instants, never `dategrouping` (user time zone).
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/aggregate-data
 */
export type Aggregate = "sum" | "count" | "max" | "min";

export type KindRole =
  | { type: "invoice"; inWindow: boolean; sign: "positive" | "all"; quarter: number }
  | { type: "invoiceBefore" }
  /** Single invoice rows in the window: each adds to the quarter and the window its own date falls in. */
  | { type: "invoiceRows" }
  | { type: "won" }
  | { type: "pipeline" }
  | { type: "touch" }
  /** Touches since today − 2 × `days` (over-touching, docs/touch-pattern.md). */
  | { type: "touchCount"; days: number };

export interface Kind {
  key: string;
  entity: string;
  primaryId: string;
  /** The lookup to the account the rows are grouped by (and the id ranges split on). */
  idAttr: string;
  timeAttr: string | null;
  /** [t0, t1) on timeAttr; t0 null: unbounded below. */
  t0: number | null;
  t1: number | null;
  filter: string;
  groupBy: string[];
  aggregates: { attr: string; alias: string; fn: Aggregate }[];
  role: KindRole;
  /**
   * Read the matching rows one by one (paging cookies, no 50,000-row limit) instead of grouping them: cheaper for
   * rare rows, where a group holds about one row anyway. `aggregates` then names the columns read, each row being
   * its own group (sum, min, max = the value, count = 1).
   */
  raw?: boolean;
}

export interface Unit {
  kind: Kind;
  range: IdRange;
  /** Set when a single id range still held more than 50,000 rows and was cut by date. */
  t0: number | null;
  t1: number | null;
  /**
   * Read the unit's rows one by one, as a `raw` kind is: set when one id step (and, for a kind with a date, two
   * seconds) still holds more rows than the aggregate limit. The limit binds aggregates only; paged rows have none.
   */
  rows?: boolean;
}

/** Whether a unit reads single rows (paging cookies) rather than grouped aggregates. */
export const readsRows = (u: Unit): boolean => u.kind.raw === true || u.rows === true;

/** Aggregate page size: the most FetchXML returns per page. */
export const PAGE_SIZE = 5000;
/** Where a date split of an unbounded-below range starts: before any CRM data. */
export const EARLIEST = Date.UTC(1900, 0, 1);

const iso = (t: number): string => new Date(t).toISOString();

/** Segment bounds: the window start, as-of, and every quarter bound of Q0..Q-B, sorted. */
export function segmentBounds(w: Window): number[] {
  return [...new Set([w.start, w.asOf, w.quartersEnd, ...w.quarterStarts])]
    .filter((t) => t <= w.asOf)
    .sort((a, b) => a - b);
}

/** Completed phone calls, appointments and emails: the activities that count as touches. */
const completedTouches =
  cond("statecode", "eq", STATE.activity.completed) + inList("activitytypecode", Object.keys(ACTIVITY_CHANNELS));

/**
 * Every query kind of one re-rank. `cadenceDays`: the cadences of the tier policies, each counted as its own kind of
 * touches since today − 2 × cadence, so the flag of docs/touch-pattern.md is judged as `tiering rank` judges it.
 */
export function factKinds(model: TierModel, asOf: number, cadenceDays: readonly number[] = []): Kind[] {
  const w = windowFor(model, asOf);
  const bounds = segmentBounds(w);
  const counted = inList("statecode", model.invoiceStates);
  const invoice = (
    key: string,
    t0: number | null,
    t1: number,
    extra: string,
    aggregates: Kind["aggregates"],
    role: KindRole,
  ): Kind => ({
    key,
    entity: "invoice",
    primaryId: "invoiceid",
    idAttr: "customerid",
    timeAttr: "createdon",
    t0,
    t1,
    filter: counted + extra,
    groupBy: [],
    aggregates: [{ attr: "invoiceid", alias: "n", fn: "count" }, ...aggregates],
    role,
  });
  const kinds: Kind[] = [];
  // Before the first bound only the first invoice date matters (the trend's "insufficient history" test).
  kinds.push(
    invoice("inv.before", null, bounds[0], "", [{ attr: "createdon", alias: "mn", fn: "min" }], {
      type: "invoiceBefore",
    }),
  );
  for (let k = 0; k + 1 < bounds.length; k++) {
    const [a, b] = [bounds[k], bounds[k + 1]];
    const inWindow = a >= w.start && b <= w.asOf;
    const quarter = quarterIndex(w, a);
    const seg = `inv.${k}`;
    if (inWindow) {
      // Frequency and recency count positive invoices only; credit notes (below) still add to the sums.
      kinds.push(
        invoice(
          `${seg}.pos`,
          a,
          b,
          cond("totalamount_base", "gt", 0),
          [
            { attr: "totalamount_base", alias: "s", fn: "sum" },
            { attr: "createdon", alias: "mx", fn: "max" },
            { attr: "createdon", alias: "mn", fn: "min" },
          ],
          { type: "invoice", inWindow, sign: "positive", quarter },
        ),
      );
    } else {
      kinds.push(
        invoice(
          `${seg}.all`,
          a,
          b,
          "",
          [
            { attr: "totalamount_base", alias: "s", fn: "sum" },
            { attr: "createdon", alias: "mn", fn: "min" },
          ],
          { type: "invoice", inWindow, sign: "all", quarter },
        ),
      );
    }
  }
  // Credit notes and zero invoices of the whole window, row by row: they are rare (a few per cent of invoices), so
  // one paged read costs fewer requests than a grouped query per quarter, each needing its own density probe.
  kinds.push({
    key: "inv.nonpositive",
    entity: "invoice",
    primaryId: "invoiceid",
    idAttr: "customerid",
    timeAttr: "createdon",
    t0: w.start,
    t1: w.asOf,
    filter: counted + cond("totalamount_base", "le", 0),
    groupBy: [],
    aggregates: [
      { attr: "totalamount_base", alias: "s", fn: "sum" },
      { attr: "createdon", alias: "mn", fn: "min" },
    ],
    role: { type: "invoiceRows" },
    raw: true,
  });
  kinds.push({
    key: "won",
    entity: "opportunity",
    primaryId: "opportunityid",
    idAttr: "customerid",
    timeAttr: "actualclosedate",
    t0: w.start,
    t1: w.asOf,
    filter: cond("statecode", "eq", STATE.opportunity.won),
    groupBy: [],
    aggregates: [
      { attr: "opportunityid", alias: "n", fn: "count" },
      { attr: "actualvalue_base", alias: "s", fn: "sum" },
      { attr: "actualclosedate", alias: "mx", fn: "max" },
    ],
    role: { type: "won" },
  });
  // FetchXML cannot multiply value by probability: sum the values per probability, weigh them afterwards.
  kinds.push({
    key: "pipeline",
    entity: "opportunity",
    primaryId: "opportunityid",
    idAttr: "customerid",
    timeAttr: null,
    t0: null,
    t1: null,
    filter: cond("statecode", "eq", STATE.opportunity.open),
    groupBy: ["closeprobability"],
    aggregates: [
      { attr: "opportunityid", alias: "n", fn: "count" },
      { attr: "estimatedvalue_base", alias: "s", fn: "sum" },
    ],
    role: { type: "pipeline" },
  });
  // All touch channels in one query over activitypointer, the base table every activity row appears in
  // (https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/activitypointer):
  // one result row per account instead of one per account and channel.
  kinds.push({
    key: "touch",
    entity: "activitypointer",
    primaryId: "activityid",
    idAttr: "regardingobjectid",
    timeAttr: "actualend",
    t0: null,
    t1: w.asOf,
    filter: completedTouches,
    groupBy: [],
    aggregates: [
      { attr: "activityid", alias: "n", fn: "count" },
      { attr: "actualend", alias: "mx", fn: "max" },
    ],
    role: { type: "touch" },
  });
  for (const days of [...new Set(cadenceDays)].sort((a, b) => a - b))
    kinds.push({
      key: `touchCount${days}`,
      entity: "activitypointer",
      primaryId: "activityid",
      idAttr: "regardingobjectid",
      timeAttr: "actualend",
      t0: overTouchSince(asOf, days),
      t1: w.asOf,
      filter: completedTouches,
      groupBy: [],
      aggregates: [{ attr: "activityid", alias: "n", fn: "count" }],
      role: { type: "touchCount", days },
    });
  return kinds;
}

export const unitKey = (u: Unit): string =>
  `${u.kind.key}|${u.range.lo}-${u.range.hi}${u.t0 !== u.kind.t0 || u.t1 !== u.kind.t1 ? `|${u.t0 ?? ""}-${u.t1 ?? ""}` : ""}${u.rows && !u.kind.raw ? "|rows" : ""}`;

/** One page of a unit's grouped aggregate, ordered by the group columns so pages do not overlap. */
export function unitFetchXml(u: Unit, page: number, pagingCookie: string | null, aggregateLimit?: number): string {
  const k = u.kind;
  const cookie = pagingCookie
    ? ` paging-cookie="${pagingCookie.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;")}"`
    : "";
  const filter = `<filter type="and">${k.filter}${idConditions(k.idAttr, u.range)}${timeConditions(u)}</filter>`;
  if (readsRows(u)) {
    // Ordered by the primary key: the paging cookie resumes after the last row of the page before. Each row is its
    // own group: the group columns and the aggregated columns are read as they are.
    const attrs = [...new Set([k.idAttr, ...k.groupBy, ...k.aggregates.map((a) => a.attr)])]
      .map((a) => `<attribute name="${a}" />`)
      .join("");
    return `<fetch count="${PAGE_SIZE}" page="${page}"${cookie}><entity name="${k.entity}">${attrs}${filter}<order attribute="${k.primaryId}" /></entity></fetch>`;
  }
  const attrs =
    `<attribute name="${k.idAttr}" alias="id" groupby="true" />` +
    k.groupBy.map((g) => `<attribute name="${g}" alias="${g}" groupby="true" />`).join("") +
    k.aggregates.map((a) => `<attribute name="${a.attr}" alias="${a.alias}" aggregate="${a.fn}" />`).join("");
  return (
    `<fetch aggregate="true"${aggregateLimit ? ` aggregatelimit="${aggregateLimit}"` : ""} count="${PAGE_SIZE}" page="${page}"${cookie}><entity name="${k.entity}">${attrs}` +
    filter +
    `<order alias="id" />${k.groupBy.map((g) => `<order alias="${g}" />`).join("")}</entity></fetch>`
  );
}

function timeConditions(u: Unit): string {
  const k = u.kind;
  let time = "";
  if (k.timeAttr) {
    if (u.t0 !== null) time += cond(k.timeAttr, "ge", iso(u.t0));
    if (u.t1 !== null) time += cond(k.timeAttr, "lt", iso(u.t1));
  }
  return time;
}

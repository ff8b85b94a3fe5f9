import { round2, windowFor, type AccountRow, type FactsTable, type TierModel } from "../../src/engine";
import { quarterIndex } from "../../src/engine/window";
import { instant, num } from "../recalc/facts";
import type { Checkpoint, SplitBy, UnitRow } from "./checkpoint";
import { AggregateLimitError, type RerankClient, type Row } from "./client";
import { ID_SPACE, splitRange, type IdRange } from "./id-ranges";
import { runPool } from "./pool";
import { EARLIEST, readsRows, unitFetchXml, unitKey, type Kind, type Unit } from "./queries";

/**
 * A first slice of the id space tells each query kind's density before the rest is cut: about a page of accounts
 * (at least 1/64 of the space, all of it for a small population), so the probe costs no request of its own.
 */
export function probeRange(population: number): IdRange {
  const width = Math.ceil((ID_SPACE * GROUP_TARGET) / Math.max(1, population));
  return { lo: 0, hi: Math.min(ID_SPACE, Math.max(ID_SPACE / 64, width)) };
}
/** Dataverse's AggregateQueryRecordLimit. */
export const AGGREGATE_LIMIT = 50_000;
/** Targets per unit: rows kept well under the aggregate limit, groups within one 5,000-row page. */
const ROW_SHARE = 0.8;
const GROUP_TARGET = 4_800;

export interface ReadContext {
  client: RerankClient;
  cp: Checkpoint;
  concurrency: number;
  signal?: AbortSignal;
  onUnit: (done: number, total: number) => void;
  /** Accounts in the population: sizes the probe. */
  population: number;
  /** Lower than 50,000 only to exercise the splits in tests (FetchXML `aggregatelimit` can lower, not raise, it). */
  aggregateLimit?: number;
}

const DATE_ALIASES = new Set(["mx", "mn"]);

/** The property holding the account id: the group alias, or for single rows the lookup's `_<name>_value`. */
const idOf = (u: Unit, r: Row): unknown => (readsRows(u) ? r[`_${u.kind.idAttr}_value`] : r.id);

/**
 * A result row in compact form: id, then the group columns, then the aggregates, as the kind lists them. A single
 * row is a group of one: its count is 1 (0 for an empty column), its sum, min and max the column's value.
 */
function compact(u: Unit, r: Row): UnitRow {
  const kind = u.kind;
  const raw = readsRows(u);
  const id = String(idOf(u, r));
  const where = (alias: string): string => `${kind.key} ${id}.${alias}`;
  const out: UnitRow = [id.toLowerCase()];
  for (const g of kind.groupBy) out.push(r[g] === null || r[g] === undefined ? null : num(r[g], where(g)));
  for (const a of kind.aggregates) {
    const v = r[raw ? a.attr : a.alias];
    if (raw && a.fn === "count") out.push(v == null ? 0 : 1);
    else out.push(DATE_ALIASES.has(a.alias) ? instant(v, where(a.alias)) : v == null ? null : num(v, where(a.alias)));
  }
  return out;
}

async function fetchUnit(ctx: ReadContext, u: Unit): Promise<UnitRow[]> {
  const rows: UnitRow[] = [];
  let cookie: string | null = null;
  for (let page = 1; ; page++) {
    ctx.signal?.throwIfAborted();
    const res = await ctx.client.fetchPage(u.kind.entity, unitFetchXml(u, page, cookie, ctx.aggregateLimit));
    for (const r of res.rows) if (idOf(u, r) != null) rows.push(compact(u, r));
    if (!res.moreRecords || res.rows.length === 0) return rows;
    cookie = res.pagingCookie;
  }
}

function children(u: Unit, by: SplitBy): Unit[] {
  if (by === "id") return splitRange(u.range, 2).map((range) => ({ ...u, range }));
  if (by === "rows") return [{ ...u, rows: true }];
  const t0 = u.t0 ?? EARLIEST;
  const t1 = u.t1 as number;
  const mid = t0 + Math.floor((t1 - t0) / 2000) * 1000;
  return [
    { ...u, t0: u.t0, t1: mid },
    { ...u, t0: mid, t1: u.t1 },
  ];
}

/**
 * How a unit over the aggregate limit is cut: in two by id while its range is wider than one step, then in two by
 * date while its dates span two seconds or more; past that (one account's open pipeline has no date to cut by, or
 * more rows than the limit share one second) its rows are read one by one. The limit binds aggregate queries only
 * (https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/aggregate-data#limitations); a paged
 * retrieve of the rows has none, and each row adds to the facts as it does in the batch.
 */
function splitFor(u: Unit): SplitBy {
  if (u.range.hi - u.range.lo > 1) return "id";
  if (u.kind.timeAttr !== null && u.t1 !== null && u.t1 - (u.t0 ?? EARLIEST) >= 2000) return "time";
  return "rows";
}

/**
 * Runs one unit unless the checkpoint has it. Over 50,000 rows (0x8004E023) it is cut (`splitFor`) and each part
 * runs the same way; the split is recorded so a resumed run reads the same parts.
 */
async function runUnit(ctx: ReadContext, u: Unit, counter: { done: number; total: number }): Promise<void> {
  const key = unitKey(u);
  if (ctx.cp.units.has(key)) return;
  let by = ctx.cp.splits.get(key);
  if (!by) {
    try {
      ctx.cp.addUnit(key, await fetchUnit(ctx, u));
      counter.done++;
      ctx.onUnit(counter.done, counter.total);
      return;
    } catch (e) {
      // Single rows are no aggregate: the limit cannot apply to them, so it is not worked around twice.
      if (!(e instanceof AggregateLimitError) || readsRows(u)) throw e;
      by = splitFor(u);
      ctx.cp.addSplit(key, by);
    }
  }
  counter.total += 1;
  for (const c of children(u, by)) await runUnit(ctx, c, counter);
}

/** The cut of one kind: the probe slice, then the rest in as many ranges as the probe's density asks for. */
function planFromProbe(rows: UnitRow[], kind: Kind, limit: number, probe: IdRange): IdRange[] {
  if (probe.hi >= ID_SPACE) return [probe];
  const scale = (ID_SPACE - probe.hi) / (probe.hi - probe.lo);
  const nIndex = 1 + kind.groupBy.length + kind.aggregates.findIndex((a) => a.alias === "n");
  const matched = rows.reduce((s, r) => s + Number(r[nIndex] ?? 0), 0);
  const parts = Math.max(
    1,
    Math.ceil(Math.max((matched * scale) / (limit * ROW_SHARE), (rows.length * scale) / GROUP_TARGET)),
  );
  return [probe, ...splitRange({ lo: probe.hi, hi: ID_SPACE }, parts)];
}

/** Rows of every unit of a kind's plan, in plan order (splits followed depth-first): the fold is then deterministic. */
function* planRows(cp: Checkpoint, u: Unit): Generator<UnitRow[]> {
  const key = unitKey(u);
  const rows = cp.units.get(key);
  if (rows) return yield rows;
  const by = cp.splits.get(key);
  if (!by) throw new Error(`internal: unit ${key} has neither rows nor a split`);
  for (const c of children(u, by)) yield* planRows(cp, c);
}

const unitOf = (kind: Kind, range: IdRange): Unit => ({ kind, range, t0: kind.t0, t1: kind.t1 });

/** Reads every kind: probes first (they size the plans), then all planned units, `concurrency` at a time. */
export async function readUnits(ctx: ReadContext, kinds: Kind[]): Promise<void> {
  const counter = { done: 0, total: kinds.length };
  await runPool(
    kinds,
    ctx.concurrency,
    async (kind) => {
      if (ctx.cp.plans.has(kind.key)) return;
      // Single rows have no aggregate limit: one paged read of the whole id space.
      const range = kind.raw ? { lo: 0, hi: ID_SPACE } : probeRange(ctx.population);
      const probe = unitOf(kind, range);
      await runUnit(ctx, probe, counter);
      const probeRows = [...planRows(ctx.cp, probe)].flat();
      ctx.cp.addPlan(kind.key, planFromProbe(probeRows, kind, ctx.aggregateLimit ?? AGGREGATE_LIMIT, range));
    },
    ctx.signal,
  );
  const units = kinds.flatMap((k) =>
    ctx.cp.plans
      .get(k.key)!
      .slice(1)
      .map((r) => unitOf(k, r)),
  );
  counter.total = counter.done + units.filter((u) => !ctx.cp.units.has(unitKey(u))).length;
  await runPool(units, ctx.concurrency, (u) => runUnit(ctx, u, counter), ctx.signal);
}

/**
 * The FactsTable the batch would build from the same rows (FactsBuilder), from the units' aggregates: sums
 * folded in plan order and rounded to 2 decimals once, as FactsBuilder.build rounds. `skipped` stays zero:
 * aggregates of rows outside the population are never fetched row by row.
 */
export function assembleFacts(
  cp: Checkpoint,
  population: AccountRow[],
  kinds: Kind[],
  model: TierModel,
  asOf: number,
  contactParents: ReadonlyMap<string, string> = new Map(),
): FactsTable {
  const window = windowFor(model, asOf);
  const n = population.length;
  const q = window.quarterStarts.length;
  const index = new Map<string, number>();
  population.forEach((a, i) => index.set(a.accountid.toLowerCase(), i));
  const monetary = new Float64Array(n);
  const frequency = new Float64Array(n);
  const lastEvent = new Float64Array(n).fill(-Infinity);
  const won = new Float64Array(n);
  const pipeline = new Float64Array(n);
  const firstInvoice = new Float64Array(n).fill(Infinity);
  const lastTouch = new Float64Array(n).fill(-Infinity);
  const quarters = new Float64Array(n * q);
  const touchesSince = new Map<number, Float64Array>();
  for (const k of kinds) if (k.role.type === "touchCount") touchesSince.set(k.role.days, new Float64Array(n));
  population.forEach((a, i) => {
    if (a.ct_lasttouchon != null && a.ct_lasttouchon < asOf) lastTouch[i] = a.ct_lasttouchon;
  });
  for (const kind of kinds) {
    const plan = cp.plans.get(kind.key);
    if (!plan) throw new Error(`internal: no plan for ${kind.key}`);
    const at = (alias: string): number => {
      const k = kind.aggregates.findIndex((a) => a.alias === alias);
      return k < 0 ? -1 : 1 + kind.groupBy.length + k;
    };
    const [S, N, MX, MN] = [at("s"), at("n"), at("mx"), at("mn")];
    const role = kind.role;
    for (const range of plan) {
      for (const rows of planRows(cp, unitOf(kind, range))) {
        for (const r of rows) {
          let i = index.get(r[0] as string);
          // A contact customer's invoices and opportunities count for its parent account; touches do not.
          if (i === undefined && role.type !== "touch" && role.type !== "touchCount") {
            const parent = contactParents.get(r[0] as string);
            if (parent !== undefined) i = index.get(parent);
          }
          if (i === undefined) continue;
          const v = (k: number): number | null => (k > 0 ? (r[k] as number | null) : null);
          const s = v(S) ?? 0;
          const mn = v(MN);
          const mx = v(MX);
          switch (role.type) {
            case "invoiceBefore":
              if (mn !== null && mn < firstInvoice[i]) firstInvoice[i] = mn;
              break;
            case "invoice":
              if (mn !== null && mn < firstInvoice[i]) firstInvoice[i] = mn;
              if (role.inWindow) monetary[i] += s;
              if (role.quarter >= 0) quarters[i * q + role.quarter] += s;
              if (role.sign === "positive") {
                frequency[i] += v(N) ?? 0;
                if (mx !== null && mx > lastEvent[i]) lastEvent[i] = mx;
              }
              break;
            case "invoiceRows": {
              if (mn === null) break;
              if (mn < firstInvoice[i]) firstInvoice[i] = mn;
              if (mn >= window.start && mn < window.asOf) monetary[i] += s;
              const quarter = quarterIndex(window, mn);
              if (quarter >= 0) quarters[i * q + quarter] += s;
              break;
            }
            case "won":
              won[i] += s;
              if (mx !== null && mx > lastEvent[i]) lastEvent[i] = mx;
              break;
            case "pipeline": {
              const p = r[1] as number | null;
              pipeline[i] += (s * (p ?? 0)) / 100;
              break;
            }
            case "touch":
              if (mx !== null && mx > lastTouch[i]) lastTouch[i] = mx;
              break;
            case "touchCount":
              touchesSince.get(role.days)![i] += v(N) ?? 0;
              break;
          }
        }
      }
    }
  }
  for (let i = 0; i < n; i++) {
    monetary[i] = round2(monetary[i]);
    won[i] = round2(won[i]);
    pipeline[i] = round2(pipeline[i]);
  }
  for (let k = 0; k < quarters.length; k++) quarters[k] = round2(quarters[k]);
  return {
    window,
    accounts: population,
    monetary,
    frequency,
    lastEvent,
    won,
    pipeline,
    firstInvoice,
    lastTouch,
    ...(touchesSince.size ? { touchesSince } : {}),
    quarters,
    skipped: { invoices: 0, opportunities: 0, activities: 0 },
  };
}

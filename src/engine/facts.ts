import { ACTIVITY_CHANNELS, STATE } from "./choices";
import type { AccountRow, ActivityRow, EngineInput, InvoiceRow, OpportunityRow } from "./input-types";
import type { TierModel } from "./model";
import { round2 } from "./numbers";
import { quarterIndex, windowFor, type Window } from "./window";

/** One account's KPI facts (design.md §4): what the batch derives from rows and the plugin from FetchXML aggregates. */
export interface AccountFacts {
  accountid: string;
  monetary: number;
  frequency: number;
  /** Latest counted positive invoice or won opportunity in the window; null: none (worst recency). */
  lastEventOn: number | null;
  won: number;
  pipeline: number;
  /** Net revenue of Q0, Q-1 … Q-B (design.md §4 trend), each rounded to 2 decimals. */
  quarters: number[];
  firstInvoiceOn: number | null;
  lastTouchOn: number | null;
}

/** The population's facts, column by column: a million accounts stay a handful of typed arrays. */
export interface FactsTable {
  window: Window;
  accounts: AccountRow[]; // the active accounts, in input order
  monetary: Float64Array;
  frequency: Float64Array;
  lastEvent: Float64Array; // -Infinity: none
  won: Float64Array;
  pipeline: Float64Array;
  firstInvoice: Float64Array; // +Infinity: none
  lastTouch: Float64Array; // -Infinity: none
  quarters: Float64Array; // n × (baselineQuarters + 1), row-major
  /** Rows that named no active account of the population (unknown id, inactive account, contact). */
  skipped: { invoices: number; opportunities: number; activities: number };
}

const isTouch = (type: string): boolean => Object.prototype.hasOwnProperty.call(ACTIVITY_CHANNELS, type);

// One record per account while rows stream in: a row touches one or two cache lines instead of one per column.
const MONETARY = 0;
const FREQUENCY = 1;
const LAST_EVENT = 2;
const WON = 3;
const PIPELINE = 4;
const FIRST_INVOICE = 5;
const LAST_TOUCH = 6;
const QUARTERS = 7;

/** Accumulates facts row by row, so a caller can stream millions of rows without keeping them. */
export class FactsBuilder {
  private readonly index = new Map<string, number>();
  private readonly accounts: AccountRow[];
  private readonly window: Window;
  private readonly q: number;
  private readonly stride: number;
  private readonly rec: Float64Array;
  private readonly states: Set<number>;
  private readonly skipped = { invoices: 0, opportunities: 0, activities: 0 };
  private lastId = "";
  private lastIndex = -1;

  constructor(accounts: readonly AccountRow[], model: TierModel, asOf: number) {
    this.accounts = accounts.filter((a) => a.statecode === STATE.account.active);
    // Keyed by the lower-case id; a row's id is tried as it is first, since exports are consistent within a file.
    this.accounts.forEach((a, i) => this.index.set(a.accountid.toLowerCase(), i));
    this.window = windowFor(model, asOf);
    this.q = model.trend.baselineQuarters + 1;
    this.stride = QUARTERS + this.q;
    this.states = new Set(model.invoiceStates);
    this.rec = new Float64Array(this.accounts.length * this.stride);
    this.accounts.forEach((a, i) => {
      const o = i * this.stride;
      this.rec[o + LAST_EVENT] = -Infinity;
      this.rec[o + FIRST_INVOICE] = Infinity;
      this.rec[o + LAST_TOUCH] = a.ct_lasttouchon != null && a.ct_lasttouchon < asOf ? a.ct_lasttouchon : -Infinity;
    });
  }

  /** Row index of an account id (ids match case-insensitively, as Dataverse GUIDs do), or -1. */
  indexOf(id: string): number {
    // Exports often list an account's rows together: the last id is a cheap first guess.
    if (id === this.lastId) return this.lastIndex;
    const i = this.index.get(id) ?? this.index.get(id.toLowerCase()) ?? -1;
    this.lastId = id;
    this.lastIndex = i;
    return i;
  }

  addInvoice(r: InvoiceRow): void {
    const i = this.indexOf(r.customerid);
    if (i < 0) return void this.skipped.invoices++;
    const t = r.createdon;
    const w = this.window;
    if (!this.states.has(r.statecode) || !(t < w.asOf)) return;
    const rec = this.rec;
    const o = i * this.stride;
    if (t < rec[o + FIRST_INVOICE]) rec[o + FIRST_INVOICE] = t;
    const amount = r.totalamount_base;
    if (t >= w.start) {
      rec[o + MONETARY] += amount;
      if (amount > 0) {
        rec[o + FREQUENCY]++;
        if (t > rec[o + LAST_EVENT]) rec[o + LAST_EVENT] = t;
      }
    }
    const j = quarterIndex(w, t);
    if (j >= 0) rec[o + QUARTERS + j] += amount;
  }

  addOpportunity(r: OpportunityRow): void {
    const i = this.indexOf(r.customerid);
    if (i < 0) return void this.skipped.opportunities++;
    const rec = this.rec;
    const o = i * this.stride;
    const w = this.window;
    if (r.statecode === STATE.opportunity.won) {
      const d = r.actualclosedate;
      if (d != null && d >= w.start && d < w.asOf) {
        rec[o + WON] += r.actualvalue_base ?? 0;
        if (d > rec[o + LAST_EVENT]) rec[o + LAST_EVENT] = d;
      }
    } else if (r.statecode === STATE.opportunity.open) {
      rec[o + PIPELINE] += ((r.estimatedvalue_base ?? 0) * (r.closeprobability ?? 0)) / 100;
    }
  }

  addActivity(r: ActivityRow): void {
    const i = this.indexOf(r.regardingobjectid);
    if (i < 0) return void this.skipped.activities++;
    if (r.statecode !== STATE.activity.completed || r.actualend == null || !isTouch(r.activitytypecode)) return;
    const o = i * this.stride + LAST_TOUCH;
    if (r.actualend < this.window.asOf && r.actualend > this.rec[o]) this.rec[o] = r.actualend;
  }

  /** Rounds the money sums (design.md §4) into the column layout ranking reads. */
  build(): FactsTable {
    const n = this.accounts.length;
    const { rec, stride, q } = this;
    const column = (field: number, round: boolean): Float64Array => {
      const col = new Float64Array(n);
      for (let i = 0, o = field; i < n; i++, o += stride) col[i] = round ? round2(rec[o]) : rec[o];
      return col;
    };
    const quarters = new Float64Array(n * q);
    for (let i = 0; i < n; i++) for (let j = 0; j < q; j++) quarters[i * q + j] = round2(rec[i * stride + QUARTERS + j]);
    return {
      window: this.window,
      accounts: this.accounts,
      monetary: column(MONETARY, true),
      frequency: column(FREQUENCY, false),
      lastEvent: column(LAST_EVENT, false),
      won: column(WON, true),
      pipeline: column(PIPELINE, true),
      firstInvoice: column(FIRST_INVOICE, false),
      lastTouch: column(LAST_TOUCH, false),
      quarters,
      skipped: { ...this.skipped },
    };
  }
}

/** Facts for whole row arrays (tests, the sandbox, small runs); large runs stream into a FactsBuilder. */
export function computeFacts(input: EngineInput, model: TierModel, asOf: number): FactsTable {
  const b = new FactsBuilder(input.accounts, model, asOf);
  for (const r of input.invoices) b.addInvoice(r);
  for (const r of input.opportunities) b.addOpportunity(r);
  for (const r of input.activities) b.addActivity(r);
  return b.build();
}

export function factsAt(t: FactsTable, i: number): AccountFacts {
  const q = t.window.quarterStarts.length;
  const opt = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return {
    accountid: t.accounts[i].accountid,
    monetary: t.monetary[i],
    frequency: t.frequency[i],
    lastEventOn: opt(t.lastEvent[i]),
    won: t.won[i],
    pipeline: t.pipeline[i],
    quarters: Array.from(t.quarters.subarray(i * q, i * q + q)),
    firstInvoiceOn: opt(t.firstInvoice[i]),
    lastTouchOn: opt(t.lastTouch[i]),
  };
}

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

/** Accumulates facts row by row, so a caller can stream millions of rows without keeping them. */
export class FactsBuilder {
  private readonly index = new Map<string, number>();
  private readonly t: FactsTable;
  private readonly q: number;
  private readonly states: Set<number>;

  constructor(accounts: readonly AccountRow[], model: TierModel, asOf: number) {
    const active = accounts.filter((a) => a.statecode === STATE.account.active);
    const n = active.length;
    active.forEach((a, i) => {
      this.index.set(a.accountid, i);
      this.index.set(a.accountid.toLowerCase(), i);
    });
    this.q = model.trend.baselineQuarters + 1;
    this.states = new Set(model.invoiceStates);
    this.t = {
      window: windowFor(model, asOf),
      accounts: active,
      monetary: new Float64Array(n),
      frequency: new Float64Array(n),
      lastEvent: new Float64Array(n).fill(-Infinity),
      won: new Float64Array(n),
      pipeline: new Float64Array(n),
      firstInvoice: new Float64Array(n).fill(Infinity),
      lastTouch: new Float64Array(n).fill(-Infinity),
      quarters: new Float64Array(n * this.q),
      skipped: { invoices: 0, opportunities: 0, activities: 0 },
    };
    active.forEach((a, i) => {
      if (a.ct_lasttouchon != null && a.ct_lasttouchon < asOf) this.t.lastTouch[i] = a.ct_lasttouchon;
    });
  }

  indexOf(id: string): number {
    return this.index.get(id) ?? this.index.get(id.toLowerCase()) ?? -1;
  }

  addInvoice(r: InvoiceRow): void {
    const i = this.indexOf(r.customerid);
    if (i < 0) return void this.t.skipped.invoices++;
    const t = r.createdon;
    const w = this.t.window;
    if (!this.states.has(r.statecode) || !(t < w.asOf)) return;
    const f = this.t;
    if (t < f.firstInvoice[i]) f.firstInvoice[i] = t;
    const amount = r.totalamount_base;
    if (t >= w.start) {
      f.monetary[i] += amount;
      if (amount > 0) {
        f.frequency[i]++;
        if (t > f.lastEvent[i]) f.lastEvent[i] = t;
      }
    }
    const j = quarterIndex(w, t);
    if (j >= 0) f.quarters[i * this.q + j] += amount;
  }

  addOpportunity(r: OpportunityRow): void {
    const i = this.indexOf(r.customerid);
    if (i < 0) return void this.t.skipped.opportunities++;
    const f = this.t;
    const w = f.window;
    if (r.statecode === STATE.opportunity.won) {
      const d = r.actualclosedate;
      if (d != null && d >= w.start && d < w.asOf) {
        f.won[i] += r.actualvalue_base ?? 0;
        if (d > f.lastEvent[i]) f.lastEvent[i] = d;
      }
    } else if (r.statecode === STATE.opportunity.open) {
      f.pipeline[i] += ((r.estimatedvalue_base ?? 0) * (r.closeprobability ?? 0)) / 100;
    }
  }

  addActivity(r: ActivityRow): void {
    const i = this.indexOf(r.regardingobjectid);
    if (i < 0) return void this.t.skipped.activities++;
    if (r.statecode !== STATE.activity.completed || r.actualend == null || !isTouch(r.activitytypecode)) return;
    if (r.actualend < this.t.window.asOf && r.actualend > this.t.lastTouch[i]) this.t.lastTouch[i] = r.actualend;
  }

  /** Rounds the money sums (design.md §4) and hands over the table; the builder must not be used after. */
  build(): FactsTable {
    const f = this.t;
    for (const col of [f.monetary, f.won, f.pipeline, f.quarters]) {
      for (let i = 0; i < col.length; i++) col[i] = round2(col[i]);
    }
    return f;
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

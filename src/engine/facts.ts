import { STATE } from "./choices";
import {
  ACTIVITY_ROW,
  FIRST_INVOICE,
  FREQUENCY,
  initRecord,
  INVOICE_ROW,
  LAST_EVENT,
  LAST_TOUCH,
  TOUCH_1,
  mergeRecord,
  MONETARY,
  OPPORTUNITY_ROW,
  PIPELINE,
  QUARTERS,
  RowAccumulator,
  WON,
  type RowKind,
} from "./facts-record";
import type { AccountRow, EngineInput } from "./input-types";
import type { TierModel } from "./model";
import { round2 } from "./numbers";
import type { PartialFactsData } from "./partial-facts";
import type { Window } from "./window";

/** One account's KPI facts (docs/tier-model.md): what the batch derives from rows and the plugin from FetchXML aggregates. */
export interface AccountFacts {
  accountid: string;
  monetary: number;
  frequency: number;
  /** Latest counted positive invoice or won opportunity in the window; null: none (worst recency). */
  lastEventOn: number | null;
  won: number;
  pipeline: number;
  /** Net revenue of Q0, Q-1 … Q-B (docs/tier-model.md, trend), each rounded to 2 decimals. */
  quarters: number[];
  firstInvoiceOn: number | null;
  lastTouchOn: number | null;
  /** Third latest completed touch (activities), null with fewer; undefined: not counted (over-touching not judged). */
  thirdTouchOn?: number | null;
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
  /** The three latest completed touches among the activities, n × 3 latest first (-Infinity: none); absent: not counted. */
  recentTouches?: Float64Array;
  /**
   * Completed touches per account in [today − 2 × d days, as-of), by cadence d: the re-rank counts them with grouped
   * aggregates where it cannot read the touch dates; absent: not counted.
   */
  touchesSince?: ReadonlyMap<number, Float64Array>;
  quarters: Float64Array; // n × (baselineQuarters + 1), row-major
  /** Rows that named no active account of the population (unknown id, inactive account, contact). */
  skipped: { invoices: number; opportunities: number; activities: number };
}

/** How many accounts past the last one found an id is first looked for, before the hash lookup. */
const LOOK_AHEAD = 16;

/**
 * Accumulates facts row by row, so a caller can stream millions of rows without keeping them; or folds in the
 * PartialFacts of chunks that other threads read.
 */
export class FactsBuilder extends RowAccumulator {
  private readonly accounts: AccountRow[];
  private readonly skipped = { invoices: 0, opportunities: 0, activities: 0 };
  /** Every input account's id in input order, and its record index (-1: inactive, no record). */
  private readonly ids: string[];
  private readonly recordAt: Int32Array;
  /** Lower-case id → input position; built on the first id the cursor does not predict. */
  private index: Map<string, number> | null = null;
  private cursor = -1;
  private lastId = "";
  private lastIndex = -1;

  /**
   * `parents`: lower-case contact id → the id of the contact's parent account (contacts.csv's parentcustomerid). The
   * invoices and opportunities of a contact count for that account, as its own do; activities regarding a contact do
   * not (they are no touch of the account).
   */
  constructor(
    accounts: readonly AccountRow[],
    model: TierModel,
    asOf: number,
    private readonly parents: ReadonlyMap<string, string> | null = null,
  ) {
    const active = accounts.filter((a) => a.statecode === STATE.account.active);
    super(model, asOf, active.length);
    this.accounts = active;
    this.ids = accounts.map((a) => a.accountid);
    this.recordAt = new Int32Array(accounts.length);
    let n = 0;
    accounts.forEach((a, p) => {
      if (a.statecode !== STATE.account.active) return void (this.recordAt[p] = -1);
      this.recordAt[p] = n;
      initRecord(
        this.rec,
        n++ * this.stride,
        a.ct_lasttouchon != null && a.ct_lasttouchon < asOf ? a.ct_lasttouchon : -Infinity,
      );
    });
  }

  /** Record index of an account id (ids match case-insensitively, as Dataverse GUIDs do), or -1. */
  indexOf(id: string): number {
    // Exports list an account's rows together, and often in the accounts' order: the last id and the next account
    // are cheap first guesses; only other orders pay for a hash lookup.
    if (id === this.lastId) return this.lastIndex;
    let p = this.ahead(id, this.cursor);
    if (p < 0) p = this.ahead(id, -1); // the next file starts again with the first accounts
    if (p < 0) p = this.lookup(id);
    const i = p < 0 ? -1 : this.recordAt[p];
    if (p >= 0) this.cursor = p;
    this.lastId = id;
    this.lastIndex = i;
    return i;
  }

  /** The input position of `id` among the next few accounts after `from` (accounts without rows leave gaps), or -1. */
  private ahead(id: string, from: number): number {
    const end = Math.min(this.ids.length, from + 1 + LOOK_AHEAD);
    for (let p = from + 1; p < end; p++) if (this.ids[p] === id) return p;
    return -1;
  }

  private lookup(id: string): number {
    if (this.index === null) {
      this.index = new Map();
      for (let p = 0; p < this.ids.length; p++) this.index.set(this.ids[p].toLowerCase(), p);
    }
    return this.index.get(id) ?? this.index.get(id.toLowerCase()) ?? -1;
  }

  /** Record index of a contact's parent account, or -1 when `id` is no contact or its parent is not in the population. */
  private parentIndexOf(id: string): number {
    const parent = this.parents?.get(id.toLowerCase());
    return parent === undefined ? -1 : this.indexOf(parent);
  }

  protected slot(id: string, kind: RowKind): number {
    let i = this.indexOf(id);
    if (i < 0 && kind !== ACTIVITY_ROW && this.parents) i = this.parentIndexOf(id);
    if (i < 0) {
      if (kind === INVOICE_ROW) this.skipped.invoices++;
      else if (kind === OPPORTUNITY_ROW) this.skipped.opportunities++;
      else this.skipped.activities++;
    }
    return i;
  }

  /** Folds in a chunk's facts; their rows for accounts outside the population count as skipped. */
  merge(part: PartialFactsData): void {
    if (part.stride !== this.stride)
      throw new Error(`partial facts have ${part.stride} fields per account, expected ${this.stride} (another model?)`);
    const { ids, rec, rows } = part;
    for (let k = 0; k < ids.length; k++) {
      const i = this.indexOf(ids[k]);
      const p = i < 0 && this.parents ? this.parentIndexOf(ids[k]) : -1;
      if (i >= 0) mergeRecord(this.rec, i * this.stride, rec, k * this.stride, this.stride);
      else if (p >= 0) {
        // A contact's rows: its invoices and opportunities count for the parent, its activities are skipped.
        const o = p * this.stride;
        const touch = this.rec[o + LAST_TOUCH];
        mergeRecord(this.rec, o, rec, k * this.stride, this.stride);
        this.rec[o + LAST_TOUCH] = touch;
        this.skipped.activities += rows[k * 3 + ACTIVITY_ROW];
      } else {
        this.skipped.invoices += rows[k * 3 + INVOICE_ROW];
        this.skipped.opportunities += rows[k * 3 + OPPORTUNITY_ROW];
        this.skipped.activities += rows[k * 3 + ACTIVITY_ROW];
      }
    }
  }

  /** Rounds the money sums (docs/tier-model.md) into the column layout ranking reads. */
  build(): FactsTable {
    const n = this.accounts.length;
    const { rec, stride } = this;
    const q = stride - QUARTERS;
    const column = (field: number, round: boolean): Float64Array => {
      const col = new Float64Array(n);
      for (let i = 0, o = field; i < n; i++, o += stride) col[i] = round ? round2(rec[o]) : rec[o];
      return col;
    };
    const touches = (): Float64Array => {
      const out = new Float64Array(n * 3);
      for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) out[i * 3 + k] = rec[i * stride + TOUCH_1 + k];
      return out;
    };
    const quarters = new Float64Array(n * q);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < q; j++) quarters[i * q + j] = round2(rec[i * stride + QUARTERS + j]);
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
      recentTouches: touches(),
      quarters,
      skipped: { ...this.skipped },
    };
  }
}

/**
 * Facts for whole row arrays (tests, the sandbox, small runs); large runs stream into a FactsBuilder. `parents`:
 * contact id → parent account id, as FactsBuilder takes it.
 */
export function computeFacts(
  input: EngineInput,
  model: TierModel,
  asOf: number,
  parents: ReadonlyMap<string, string> | null = null,
): FactsTable {
  const b = new FactsBuilder(input.accounts, model, asOf, parents);
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
    thirdTouchOn: t.recentTouches ? opt(t.recentTouches[i * 3 + 2]) : undefined,
  };
}

import { ACTIVITY_CHANNELS, STATE } from "./choices";
import type { ActivityRow, InvoiceRow, OpportunityRow } from "./input-types";
import type { TierModel } from "./model";
import { quarterIndex, windowFor, type Window } from "./window";

// One record per account while rows stream in: a row touches one or two cache lines instead of one per column.
export const MONETARY = 0;
export const FREQUENCY = 1;
export const LAST_EVENT = 2;
export const WON = 3;
export const PIPELINE = 4;
export const FIRST_INVOICE = 5;
export const LAST_TOUCH = 6;
/** The three latest completed touches among the activities, latest first (over-touching needs the third). */
export const TOUCH_1 = 7;
export const TOUCH_2 = 8;
export const TOUCH_3 = 9;
export const QUARTERS = 10;

/** Which source table a row came from (for the rows of unknown accounts, counted as skipped). */
export const INVOICE_ROW = 0;
export const OPPORTUNITY_ROW = 1;
export const ACTIVITY_ROW = 2;
export type RowKind = typeof INVOICE_ROW | typeof OPPORTUNITY_ROW | typeof ACTIVITY_ROW;

const isTouch = (type: string): boolean => Object.prototype.hasOwnProperty.call(ACTIVITY_CHANNELS, type);

/** A record before any row: sums 0, no event, no invoice, the given last touch. */
export function initRecord(rec: Float64Array, o: number, lastTouch = -Infinity): void {
  rec[o + LAST_EVENT] = -Infinity;
  rec[o + FIRST_INVOICE] = Infinity;
  rec[o + LAST_TOUCH] = lastTouch;
  rec[o + TOUCH_1] = rec[o + TOUCH_2] = rec[o + TOUCH_3] = -Infinity;
}

/** Puts a touch instant into the latest-first triple at `rec[o + TOUCH_1…]`. */
function pushTouch(rec: Float64Array, o: number, t: number): void {
  if (t <= rec[o + TOUCH_3]) return;
  if (t > rec[o + TOUCH_1]) {
    rec[o + TOUCH_3] = rec[o + TOUCH_2];
    rec[o + TOUCH_2] = rec[o + TOUCH_1];
    rec[o + TOUCH_1] = t;
  } else if (t > rec[o + TOUCH_2]) {
    rec[o + TOUCH_3] = rec[o + TOUCH_2];
    rec[o + TOUCH_2] = t;
  } else rec[o + TOUCH_3] = t;
}

/** Folds record `src[so…]` into `dst[o…]`: sums add, latest and earliest instants stay extreme. */
export function mergeRecord(dst: Float64Array, o: number, src: Float64Array, so: number, stride: number): void {
  dst[o + MONETARY] += src[so + MONETARY];
  dst[o + FREQUENCY] += src[so + FREQUENCY];
  dst[o + LAST_EVENT] = Math.max(dst[o + LAST_EVENT], src[so + LAST_EVENT]);
  dst[o + WON] += src[so + WON];
  dst[o + PIPELINE] += src[so + PIPELINE];
  dst[o + FIRST_INVOICE] = Math.min(dst[o + FIRST_INVOICE], src[so + FIRST_INVOICE]);
  dst[o + LAST_TOUCH] = Math.max(dst[o + LAST_TOUCH], src[so + LAST_TOUCH]);
  for (let k = TOUCH_1; k <= TOUCH_3; k++) if (src[so + k] > -Infinity) pushTouch(dst, o, src[so + k]);
  for (let k = QUARTERS; k < stride; k++) dst[o + k] += src[so + k];
}

/**
 * Adds source rows to per-account records (docs/tier-model.md: what each row counts towards). Subclasses say which record
 * a row's account id owns: the population's (FactsBuilder) or one of a chunk's own (PartialFacts).
 */
export abstract class RowAccumulator {
  protected rec: Float64Array;
  readonly stride: number;
  protected readonly window: Window;
  private readonly states: Set<number>;

  constructor(model: TierModel, asOf: number, records: number) {
    this.window = windowFor(model, asOf);
    this.stride = QUARTERS + model.trend.baselineQuarters + 1;
    this.states = new Set(model.invoiceStates);
    this.rec = new Float64Array(records * this.stride);
  }

  /** The record index of an account id, or -1 when the row counts for nobody. */
  protected abstract slot(id: string, kind: RowKind): number;

  addInvoice(r: InvoiceRow): void {
    const i = this.slot(r.customerid, INVOICE_ROW);
    if (i < 0) return;
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
    const i = this.slot(r.customerid, OPPORTUNITY_ROW);
    if (i < 0) return;
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
    const i = this.slot(r.regardingobjectid, ACTIVITY_ROW);
    if (i < 0) return;
    if (r.statecode !== STATE.activity.completed || r.actualend == null || !isTouch(r.activitytypecode)) return;
    if (!(r.actualend < this.window.asOf)) return;
    const o = i * this.stride;
    if (r.actualend > this.rec[o + LAST_TOUCH]) this.rec[o + LAST_TOUCH] = r.actualend;
    pushTouch(this.rec, o, r.actualend);
  }
}

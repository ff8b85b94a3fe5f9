import { initRecord, RowAccumulator, type RowKind } from "./facts-record";
import type { TierModel } from "./model";

/** A chunk's facts, in plain arrays that cross a thread boundary (the Float64Arrays can be transferred). */
export interface PartialFactsData {
  /** Account ids as the rows spelled them, one per record. */
  ids: string[];
  rec: Float64Array;
  /** Rows per id and table (invoice, opportunity, activity): skipped counts, when the id is no active account. */
  rows: Float64Array;
  stride: number;
}

/**
 * The facts of one chunk of rows, keyed by the ids the rows name, without knowing the population: a worker reading
 * part of a file fills one, and FactsBuilder.merge folds it in. Adding rows here and merging gives the facts adding
 * the same rows to the FactsBuilder gives (money sums may differ in the last binary digit, not after rounding).
 */
export class PartialFacts extends RowAccumulator {
  private readonly ids: string[] = [];
  private rows = new Float64Array(0);
  private lastId = "";
  private lastSlot = -1;

  constructor(model: TierModel, asOf: number) {
    super(model, asOf, 0);
  }

  protected slot(id: string, kind: RowKind): number {
    let i = this.lastSlot;
    // Each run of rows of one id gets a slot of its own, with no look-up: an id that comes back later in the chunk
    // gets another, and merging adds both in (merging is the fold that adding the rows one by one is). Exports list an
    // account's rows together, so runs are long; a Map of the chunk's ids cost a third of the chunk's time (issue 15).
    if (id !== this.lastId) {
      i = this.open(id);
      this.lastId = id;
      this.lastSlot = i;
    }
    this.rows[i * 3 + kind]++;
    return i;
  }

  private open(id: string): number {
    const i = this.ids.push(id) - 1;
    if ((i + 1) * this.stride > this.rec.length) {
      const capacity = Math.max(1024, (i + 1) * 2);
      const rec = new Float64Array(capacity * this.stride);
      rec.set(this.rec);
      this.rec = rec;
      const rows = new Float64Array(capacity * 3);
      rows.set(this.rows);
      this.rows = rows;
    }
    initRecord(this.rec, i * this.stride);
    return i;
  }

  data(): PartialFactsData {
    const n = this.ids.length;
    return {
      ids: this.ids.slice(),
      rec: this.rec.slice(0, n * this.stride),
      rows: this.rows.slice(0, n * 3),
      stride: this.stride,
    };
  }
}

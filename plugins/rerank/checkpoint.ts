import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { IdRange } from "./id-ranges";

/** A unit's rows, compact: [account id, group values…, aggregate values…] (instants as epoch ms). */
export type UnitRow = (string | number | null)[];

/** How a unit over the aggregate limit was cut: by account id, by date, or read row by row (see facts-reader.ts). */
export type SplitBy = "id" | "time" | "rows";

export interface CheckpointHeader {
  v: 1;
  /** Environment the run reads and writes; a checkpoint never resumes against another. */
  server: string;
  asOf: number;
  runId: string;
  modelId: string | null;
  modelJson: string;
}

export interface AccountsPage {
  page: number;
  ids: string[];
  lastTouch: (number | null)[];
  cookie: string | null;
  more: boolean;
}

type Entry =
  | ({ t: "h" } & CheckpointHeader)
  | ({ t: "a" } & AccountsPage)
  | { t: "p"; kind: string; ranges: IdRange[] }
  | { t: "u"; key: string; rows: UnitRow[] }
  | { t: "s"; key: string; by: SplitBy }
  | { t: "m" }
  | { t: "g" }
  | ({ t: "w"; chunk: number } & ChunkStats)
  | ({ t: "c"; chunk: number } & CommittedSet);

/** One change set of a write chunk that committed: its accounts, the tier each came from, whether it added history. */
export interface CommittedSet {
  ids: string[];
  from: string[];
  history: boolean[];
}

/** What one write chunk did, kept so a resumed run's summary still counts the chunks written before. */
export interface ChunkStats {
  changed: number;
  written: number;
  historyRows: number;
  /** from tier (or "none") → to tier → accounts */
  matrix: Record<string, Record<string, number>>;
  /** The stored-tier changes written (for the tier programme after the writes). */
  tierChanges?: { accountId: string; from: string | null; to: string }[];
}

export class CheckpointError extends Error {
  override name = "CheckpointError";
}

/**
 * The run's progress as an append-only JSON-lines file: one line per finished page, query unit, split decision
 * and write chunk, appended synchronously the moment the work is done, so an interrupted run loses at most
 * the work in flight. A torn last line (the process died mid-write) is ignored on resume. `file` null keeps
 * everything in memory (dry runs).
 */
export class Checkpoint {
  readonly accountsPages: AccountsPage[] = [];
  readonly plans = new Map<string, IdRange[]>();
  readonly units = new Map<string, UnitRow[]>();
  readonly splits = new Map<string, SplitBy>();
  readonly written = new Map<number, ChunkStats>();
  /** Accounts of unfinished chunks already written, by chunk: a resumed chunk counts them, never writes them again. */
  readonly committed = new Map<number, Map<string, { from: string; history: boolean }>>();
  modelStored = false;
  /** The tier programme (service reps, tasks) ran for this run's tier changes. */
  programmeDone = false;

  private constructor(
    private readonly file: string | null,
    readonly header: CheckpointHeader,
  ) {}

  static fresh(file: string | null, header: CheckpointHeader): Checkpoint {
    const c = new Checkpoint(file, header);
    if (file) writeFileSync(file, JSON.stringify({ t: "h", ...header }) + "\n");
    return c;
  }

  /** The checkpoint in `file`, or null when there is none. */
  static load(file: string): Checkpoint | null {
    if (!existsSync(file)) return null;
    const text = readFileSync(file, "utf8");
    const lines = text.split("\n");
    const entries: Entry[] = [];
    let torn = false;
    lines.forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        entries.push(JSON.parse(line) as Entry);
      } catch {
        // Only the last line may be torn (the process died mid-append); anything else means the file is not ours.
        if (i < lines.length - 1) throw new CheckpointError(`${file}: line ${i + 1} is not JSON`);
        torn = true;
      }
    });
    // Cut the torn line off, so the lines this run appends start on a line of their own.
    if (torn) writeFileSync(file, text.slice(0, text.lastIndexOf("\n") + 1));
    const head = entries[0];
    if (!head || head.t !== "h" || head.v !== 1)
      throw new CheckpointError(`${file}: not a re-rank checkpoint (no header line)`);
    const { t: _t, ...header } = head;
    const c = new Checkpoint(file, header);
    for (const e of entries.slice(1)) c.apply(e);
    return c;
  }

  private apply(e: Entry): void {
    switch (e.t) {
      case "a": {
        const { t: _t, ...page } = e;
        this.accountsPages.push(page);
        break;
      }
      case "p":
        this.plans.set(e.kind, e.ranges);
        break;
      case "u":
        this.units.set(e.key, e.rows);
        break;
      case "s":
        this.splits.set(e.key, e.by);
        break;
      case "m":
        this.modelStored = true;
        break;
      case "g":
        this.programmeDone = true;
        break;
      case "w": {
        const { t: _t, chunk, ...stats } = e;
        this.written.set(chunk, stats);
        break;
      }
      case "c": {
        const m = this.committed.get(e.chunk) ?? new Map<string, { from: string; history: boolean }>();
        e.ids.forEach((id, i) => m.set(id, { from: e.from[i], history: e.history[i] }));
        this.committed.set(e.chunk, m);
        break;
      }
      case "h":
        throw new CheckpointError(`${this.file}: a second header line`);
    }
  }

  private record(e: Entry): void {
    this.apply(e);
    if (this.file) appendFileSync(this.file, JSON.stringify(e) + "\n");
  }

  addAccountsPage(p: AccountsPage): void {
    this.record({ t: "a", ...p });
  }
  addPlan(kind: string, ranges: IdRange[]): void {
    this.record({ t: "p", kind, ranges });
  }
  addUnit(key: string, rows: UnitRow[]): void {
    this.record({ t: "u", key, rows });
  }
  addSplit(key: string, by: SplitBy): void {
    this.record({ t: "s", key, by });
  }
  markProgrammeDone(): void {
    this.record({ t: "g" });
  }
  markModelStored(): void {
    this.record({ t: "m" });
  }
  addCommitted(chunk: number, set: CommittedSet): void {
    this.record({ t: "c", chunk, ...set });
  }
  markWritten(chunk: number, stats: ChunkStats): void {
    this.record({ t: "w", chunk, ...stats });
  }

  get accountsDone(): boolean {
    const last = this.accountsPages[this.accountsPages.length - 1];
    return last !== undefined && !last.more;
  }

  /** The run finished: nothing is left to resume. */
  remove(): void {
    if (this.file) rmSync(this.file, { force: true });
  }
}

import { createReadStream, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { FactsBuilder } from "../engine/facts";
import type { TierModel } from "../engine/model";
import { ChunkPool } from "./chunk-pool";
import type { ChunkMessage, RangeTask } from "./chunk-worker";
import { planChunks, quoteParityOk } from "./chunks";
import { InputError } from "./input-error";
import type { ByteRange, ReadOptions } from "./read-table";
import { readRowTable, ROW_TABLES, rowTableFile, rowTableSizes, type RowTable } from "./row-tables";

export interface ParallelOptions {
  /** Reader threads; 1 reads every file on the calling thread. Default: defaultReaderThreads. */
  workers?: number;
  /** About how many bytes one thread reads at a time. */
  chunkBytes?: number;
  /** Files smaller than this are read on the calling thread: starting a thread costs more. */
  minParallelBytes?: number;
}

export const DEFAULT_CHUNK_BYTES = 8 << 20;
export const DEFAULT_MIN_PARALLEL_BYTES = 1 << 20;

/**
 * Row-file bytes that one more reader thread needs before it pays for itself. A worker thread costs about half a
 * second of CPU before it reads anything (booting Node, compiling the reader again), and its partial facts are folded
 * in on the calling thread. Measured on 2 cores (docs/csv-reader.md): at 245 MB of row files (100k accounts) two
 * threads took about the wall time of one (0.94, spread 0.90–1.15) for 44 % more CPU; at 2.5 GB (1m) two ran about
 * a quarter faster than one.
 */
export const BYTES_PER_READER_THREAD = 320 << 20;

/** Threads for `rowBytes` of row files: one per BYTES_PER_READER_THREAD, at least one, at most one per core. */
export function defaultReaderThreads(rowBytes: number, cores: number = availableParallelism()): number {
  return Math.max(1, Math.min(cores, Math.floor(rowBytes / BYTES_PER_READER_THREAD)));
}

type Finished = Exclude<ChunkMessage, { kind: "bytes" }>;

/**
 * Reads the invoices, opportunities and activities of an export folder into facts. Files of a megabyte or more are
 * cut into chunks (src/export/chunks) that worker threads parse into PartialFacts as soon as `start` is called,
 * while the caller reads the accounts; `into` then folds the chunks in file order, so the sums do not depend on which
 * thread finished first. From a chunk with bad input, or one that was cut inside a quoted field, the file is read on
 * this thread: errors are those of the one-thread reader, with the same line numbers.
 */
export class RowTablesReader {
  private readonly pool: ChunkPool | null;
  private readonly plans: { table: RowTable; tasks: RangeTask[] | null }[];
  private readonly finished = new Map<number, Finished>();
  private waiting: { id: number; resolve: (m: Finished) => void } | null = null;
  private poolError: unknown = null;
  private readonly running: Promise<void>;

  private constructor(
    private readonly dir: string,
    private readonly options: ReadOptions & ParallelOptions,
    model: TierModel,
    asOf: number,
  ) {
    const sizes = rowTableSizes(dir);
    const threads = options.workers ?? defaultReaderThreads(sizes.reduce((a, b) => a + b, 0));
    const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    const minBytes = options.minParallelBytes ?? DEFAULT_MIN_PARALLEL_BYTES;
    let id = 0;
    this.plans = ROW_TABLES.map((table, k) => {
      const path = `${dir}/${rowTableFile(table)}`;
      const ranges = threads > 1 && sizes[k] > 0 && sizes[k] >= minBytes ? planChunks(path, chunkBytes) : null;
      return { table, tasks: ranges && ranges.map((range) => ({ id: id++, path, table, range, model, asOf })) };
    });
    const tasks = this.plans.flatMap((p) => p.tasks ?? []);
    // The calling thread is one of the `threads`: it reads chunks too.
    this.pool = tasks.length ? new ChunkPool(threads - 1, true) : null;
    this.running = this.pool
      ? this.pool.run(tasks, (m) => this.onMessage(m)).catch((e) => this.onPoolError(e))
      : Promise.resolve();
  }

  static start(
    dir: string,
    model: TierModel,
    asOf: number,
    options: ReadOptions & ParallelOptions = {},
  ): RowTablesReader {
    return new RowTablesReader(dir, options, model, asOf);
  }

  /** Folds every row into `builder`. Resolves to how many chunks each table was read in (0: on this thread). */
  async into(builder: FactsBuilder): Promise<Record<RowTable, number>> {
    const chunks = { invoices: 0, opportunities: 0, activities: 0 };
    try {
      for (const { table, tasks } of this.plans) {
        if (!tasks) await readRowTable(this.dir, table, builder, this.options);
        else chunks[table] = await this.fold(table, tasks, builder);
      }
      await this.running;
      if (this.poolError) throw this.poolError;
    } finally {
      await this.cancel();
    }
    return chunks;
  }

  /** Folds a file's chunks in order; resolves to how many were folded (the rest was read on this thread). */
  private async fold(table: RowTable, tasks: RangeTask[], builder: FactsBuilder): Promise<number> {
    let quotes = 0; // before the current chunk: even, so its start is a right cut
    for (const task of tasks) {
      const m = await this.result(task.id);
      if (m.kind === "crash") throw new Error(`reading ${task.path}: ${m.message}`);
      if (m.kind === "done" && quoteParityOk(quotes + m.quotes)) {
        builder.merge(m.data);
        quotes += m.quotes;
        continue;
      }
      // A bad cell, or a cut inside a quoted field: read on from this chunk's start here, as one piece. That finds
      // the first bad cell in file order, or reads what the wrong cut split.
      await this.readRest(table, task, builder);
      return task.id - tasks[0].id;
    }
    return tasks.length;
  }

  private async readRest(table: RowTable, task: RangeTask, builder: FactsBuilder): Promise<void> {
    const range = { ...task.range, end: statSync(task.path).size };
    try {
      await readRowTable(this.dir, table, builder, { range });
    } catch (e) {
      // The range names lines from its own start; the lines before it are counted now that an error needs them.
      if (!(e instanceof InputError) || e.line === null) throw e;
      throw new InputError(e.file, (await newlinesBefore(task.path, range)) + e.line, e.column, e.reason);
    }
  }

  /** Stops the threads (e.g. when the accounts file turned out bad). */
  async cancel(): Promise<void> {
    await this.pool?.terminate();
  }

  private onMessage(m: ChunkMessage): void {
    if (m.kind === "bytes") this.options.onBytes?.(m.bytes);
    else {
      this.finished.set(m.id, m);
      if (this.waiting?.id === m.id) this.waiting.resolve(m);
    }
  }

  private onPoolError(e: unknown): void {
    this.poolError = e;
    this.waiting?.resolve({ id: this.waiting.id, kind: "crash", message: e instanceof Error ? e.message : String(e) });
  }

  private result(id: number): Promise<Finished> {
    const m = this.finished.get(id);
    if (m) {
      this.finished.delete(id);
      return Promise.resolve(m);
    }
    if (this.poolError) return Promise.resolve({ id, kind: "crash", message: String(this.poolError) });
    return new Promise((resolve) => {
      this.waiting = {
        id,
        resolve: (r) => {
          this.waiting = null;
          this.finished.delete(id);
          resolve(r);
        },
      };
    });
  }
}

function newlinesBefore(path: string, range: ByteRange): Promise<number> {
  return new Promise((resolve, reject) => {
    let lines = 0;
    const s = createReadStream(path, { start: 0, end: range.start - 1 });
    s.on("data", (chunk) => {
      const buf = chunk as Buffer;
      for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) lines++;
    });
    s.on("error", reject);
    s.on("end", () => resolve(lines));
  });
}

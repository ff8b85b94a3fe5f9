import { createReadStream, existsSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { FactsBuilder } from "../engine/facts";
import type { TierModel } from "../engine/model";
import { ChunkPool } from "./chunk-pool";
import type { ChunkMessage, ChunkTask } from "./chunk-worker";
import { planChunks } from "./chunks";
import { InputError } from "./input-error";
import type { ByteRange, ReadOptions } from "./read-table";
import { readRowTable, ROW_TABLES, rowTableFile, type RowTable } from "./row-tables";

export interface ParallelOptions {
  /** Reader threads; 1 reads every file on the calling thread. Default: the machine's parallelism. */
  workers?: number;
  /** About how many bytes one thread reads at a time. */
  chunkBytes?: number;
  /** Files smaller than this are read on the calling thread: starting a thread costs more. */
  minParallelBytes?: number;
}

export const DEFAULT_CHUNK_BYTES = 8 << 20;
export const DEFAULT_MIN_PARALLEL_BYTES = 1 << 20;

type Finished = Exclude<ChunkMessage, { kind: "bytes" }>;

/**
 * Reads the invoices, opportunities and activities of an export folder into facts. Files of a megabyte or more are
 * cut into chunks (src/export/chunks) that worker threads parse into PartialFacts as soon as `start` is called,
 * while the caller reads the accounts; `into` then folds the chunks in file order, so the sums do not depend on which
 * thread finished first. Errors are those of the one-thread reader with the same line numbers: the first bad cell in
 * file order stops the read.
 */
export class RowTablesReader {
  private readonly pool: ChunkPool | null;
  private readonly plans: { table: RowTable; tasks: ChunkTask[] | null }[];
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
    const threads = options.workers ?? availableParallelism();
    const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    const minBytes = options.minParallelBytes ?? DEFAULT_MIN_PARALLEL_BYTES;
    let id = 0;
    this.plans = ROW_TABLES.map((table) => {
      const path = `${dir}/${rowTableFile(table)}`;
      const ranges = threads > 1 && existsSync(path) && statSync(path).size >= minBytes ? planChunks(path, chunkBytes) : null;
      return { table, tasks: ranges && ranges.map((range) => ({ id: id++, path, table, range, model, asOf })) };
    });
    const tasks = this.plans.flatMap((p) => p.tasks ?? []);
    this.pool = tasks.length ? new ChunkPool(threads) : null;
    this.running = this.pool ? this.pool.run(tasks, (m) => this.onMessage(m)).catch((e) => this.onPoolError(e)) : Promise.resolve();
  }

  static start(dir: string, model: TierModel, asOf: number, options: ReadOptions & ParallelOptions = {}): RowTablesReader {
    return new RowTablesReader(dir, options, model, asOf);
  }

  /** Folds every row into `builder`. Resolves to how many chunks each table was read in (0: on this thread). */
  async into(builder: FactsBuilder): Promise<Record<RowTable, number>> {
    const chunks = { invoices: 0, opportunities: 0, activities: 0 };
    try {
      for (const { table, tasks } of this.plans) {
        if (!tasks) {
          await readRowTable(this.dir, table, builder, this.options);
          continue;
        }
        for (const task of tasks) {
          const m = await this.result(task.id);
          if (m.kind === "done") builder.merge(m.data);
          else throw await this.errorOf(task, m);
        }
        chunks[table] = tasks.length;
      }
      await this.running;
      if (this.poolError) throw this.poolError;
    } finally {
      await this.cancel();
    }
    return chunks;
  }

  /** Stops the threads (e.g. when the accounts file turned out bad). */
  async cancel(): Promise<void> {
    await this.pool?.terminate();
  }

  private onMessage(m: ChunkMessage): boolean {
    if (m.kind === "bytes") {
      this.options.onBytes?.(m.bytes);
      return true;
    }
    this.finished.set(m.id, m);
    if (this.waiting?.id === m.id) this.waiting.resolve(m);
    // After a bad chunk, later chunks cannot matter: the first error in file order is reported.
    return m.kind === "done";
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

  private async errorOf(task: ChunkTask, m: Exclude<Finished, { kind: "done" }>): Promise<Error> {
    if (m.kind === "crash") return new Error(`reading ${task.path}: ${m.message}`);
    // A chunk names lines from its own start; the lines before it are counted only now that an error needs them.
    const before = m.line === null ? 0 : await newlinesBefore(task.path, task.range);
    return new InputError(m.file, m.line === null ? null : before + m.line, m.column, m.reason);
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

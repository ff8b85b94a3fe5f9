import { createReadStream, existsSync } from "node:fs";
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
  /** About how many bytes one thread reads at a time; files under two chunks are read on the calling thread. */
  chunkBytes?: number;
}

export const DEFAULT_CHUNK_BYTES = 16 << 20;

/**
 * Adds the invoices, opportunities and activities of an export folder to `builder`. Big files are cut into chunks
 * (src/export/chunks) that worker threads parse into PartialFacts; chunks are folded in file order, so the result
 * does not depend on which thread finished first. Errors are those of the sequential reader, with the same line
 * numbers: the first bad cell in file order stops the read. Resolves to how many chunks each table was read in
 * (0: on the calling thread).
 */
export async function addRowTables(dir: string, builder: FactsBuilder, model: TierModel, asOf: number, options: ReadOptions & ParallelOptions = {}): Promise<Record<RowTable, number>> {
  const threads = options.workers ?? availableParallelism();
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const pool = new ChunkPool(threads);
  const chunks = { invoices: 0, opportunities: 0, activities: 0 };
  try {
    for (const table of ROW_TABLES) {
      const path = `${dir}/${rowTableFile(table)}`;
      const ranges = threads > 1 && existsSync(path) ? planChunks(path, chunkBytes) : null;
      if (ranges) await readChunks(pool, ranges.map((range, id) => ({ id, path, table, range, model, asOf })), builder, options);
      else await readRowTable(dir, table, builder, options);
      chunks[table] = ranges?.length ?? 0;
    }
  } finally {
    await pool.terminate();
  }
  return chunks;
}

async function readChunks(pool: ChunkPool, tasks: ChunkTask[], builder: FactsBuilder, options: ReadOptions): Promise<void> {
  const finished = new Map<number, ChunkMessage>();
  let merged = 0;
  let failure: Extract<ChunkMessage, { kind: "bad-input" | "crash" }> | null = null;
  await pool.run(tasks, (m) => {
    if (m.kind === "bytes") {
      options.onBytes?.(m.bytes);
      return true;
    }
    finished.set(m.id, m);
    // Fold in file order: sums then add up in the same order on every run and machine.
    for (let done = finished.get(merged); done && !failure; done = finished.get(merged)) {
      finished.delete(merged);
      if (done.kind === "done") {
        builder.merge(done.data);
        merged++;
      } else if (done.kind !== "bytes") failure = done;
    }
    return failure === null;
  });
  if (failure === null) return;
  const f = failure as Extract<ChunkMessage, { kind: "bad-input" | "crash" }>;
  if (f.kind === "crash") throw new Error(`reading ${tasks[f.id].path}: ${f.message}`);
  // A chunk names lines from its own start; the lines before it are counted only now that an error needs them.
  const before = f.line === null ? 0 : await newlinesBefore(tasks[f.id].path, tasks[f.id].range);
  throw new InputError(f.file, f.line === null ? null : before + f.line, f.column, f.reason);
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

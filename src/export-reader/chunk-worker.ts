import { parentPort, workerData } from "node:worker_threads";
import { dirname } from "node:path";
import type { TierModel } from "../engine/model";
import { PartialFacts, type PartialFactsData } from "../engine/partial-facts";
import { InputError } from "./input-error";
import type { ByteRange } from "./read-table";
import { countQuotes } from "./chunks";
import { readRowTable, type RowTable } from "./row-tables";
import { readSynapseModel, readSynapseRowTable } from "./synapse";

/** One chunk to read: a byte range of one of the row tables, into the facts of `model` as of `asOf`. */
export interface RangeTask {
  kind?: "range";
  id: number;
  path: string;
  table: RowTable;
  range: ByteRange;
  model: TierModel;
  asOf: number;
}

/** A whole row table of a Synapse Link folder (src/export-reader/synapse-facts): its versions need all partitions. */
export interface SynapseTask {
  kind: "synapse";
  id: number;
  dir: string;
  table: RowTable;
  model: TierModel;
  asOf: number;
}

export type ChunkTask = RangeTask | SynapseTask;

export type ChunkMessage =
  | { id: number; kind: "bytes"; bytes: number }
  /** `quotes`: the `"` in the range, for the reader to check the cuts (src/export-reader/chunks). */
  | { id: number; kind: "done"; data: PartialFactsData; rows: number; quotes: number }
  /** Bad input in the range: the reader decides, by reading on from the range's start itself. */
  | { id: number; kind: "bad-input" }
  | { id: number; kind: "crash"; message: string };

/** Reads one chunk with the same reader and cell rules as a whole file; the rows never leave this thread. */
export async function readChunk(task: ChunkTask, post: (m: ChunkMessage) => void): Promise<void> {
  const part = new PartialFacts(task.model, task.asOf);
  let quotes = 0;
  const onData = (block: Buffer): void => {
    // Only a range's cuts are checked by its quotes (a Synapse table is read whole).
    if (task.kind !== "synapse") quotes += countQuotes(block);
    post({ id: task.id, kind: "bytes", bytes: block.length });
  };
  try {
    const rows =
      task.kind === "synapse"
        ? await readSynapseRowTable(task.dir, readSynapseModel(task.dir), task.table, part, { onData })
        : await readRowTable(dirname(task.path), task.table, part, { range: task.range, onData });
    post({ id: task.id, kind: "done", data: part.data(), rows, quotes });
  } catch (e) {
    if (e instanceof InputError) post({ id: task.id, kind: "bad-input" });
    else post({ id: task.id, kind: "crash", message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
}

/** Set in the worker's data by the pool, so importing this module elsewhere (tests) starts nothing. */
export const CHUNK_WORKER_FLAG = "tieringChunkWorker";

if (parentPort && (workerData as Record<string, unknown> | null)?.[CHUNK_WORKER_FLAG]) {
  const port = parentPort;
  port.on("message", (task: ChunkTask) => {
    void readChunk(task, (m) =>
      port.postMessage(
        m,
        m.kind === "done" ? [m.data.rec.buffer as ArrayBuffer, m.data.rows.buffer as ArrayBuffer] : [],
      ),
    );
  });
}

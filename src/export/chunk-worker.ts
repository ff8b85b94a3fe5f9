import { parentPort, workerData } from "node:worker_threads";
import { dirname } from "node:path";
import type { TierModel } from "../engine/model";
import { PartialFacts, type PartialFactsData } from "../engine/partial-facts";
import { InputError } from "./input-error";
import type { ByteRange } from "./read-table";
import { readRowTable, type RowTable } from "./row-tables";

/** One chunk to read: a byte range of one of the row tables, into the facts of `model` as of `asOf`. */
export interface ChunkTask {
  id: number;
  path: string;
  table: RowTable;
  range: ByteRange;
  model: TierModel;
  asOf: number;
}

export type ChunkMessage =
  | { id: number; kind: "bytes"; bytes: number }
  | { id: number; kind: "done"; data: PartialFactsData; rows: number }
  | { id: number; kind: "bad-input"; file: string; line: number | null; column: string | null; reason: string }
  | { id: number; kind: "crash"; message: string };

/** Reads one chunk with the same reader and cell rules as a whole file; the rows never leave this thread. */
export async function readChunk(task: ChunkTask, post: (m: ChunkMessage) => void): Promise<void> {
  const part = new PartialFacts(task.model, task.asOf);
  const onBytes = (bytes: number): void => post({ id: task.id, kind: "bytes", bytes });
  try {
    const rows = await readRowTable(dirname(task.path), task.table, part, { range: task.range, onBytes });
    post({ id: task.id, kind: "done", data: part.data(), rows });
  } catch (e) {
    if (e instanceof InputError) post({ id: task.id, kind: "bad-input", file: e.file, line: e.line, column: e.column, reason: e.reason });
    else post({ id: task.id, kind: "crash", message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
}

/** Set in the worker's data by the pool, so importing this module elsewhere (tests) starts nothing. */
export const CHUNK_WORKER_FLAG = "tieringChunkWorker";

if (parentPort && (workerData as Record<string, unknown> | null)?.[CHUNK_WORKER_FLAG]) {
  const port = parentPort;
  port.on("message", (task: ChunkTask) => {
    void readChunk(task, (m) => port.postMessage(m, m.kind === "done" ? [m.data.rec.buffer as ArrayBuffer, m.data.rows.buffer as ArrayBuffer] : []));
  });
}

import { FactsBuilder, type FactsTable } from "../engine/facts";
import type { AccountRow } from "../engine/input-types";
import type { TierModel } from "../engine/model";
import { ChunkPool } from "./chunk-pool";
import type { ChunkMessage, SynapseTask } from "./chunk-worker";
import { InputError } from "./input-error";
import { defaultReaderThreads, type ParallelOptions } from "./parallel-facts";
import type { ReadOptions } from "./read-table";
import { ROW_TABLES } from "./row-tables";
import {
  entityBytes,
  MODEL_JSON,
  readSynapseModel,
  readSynapseRowTable,
  readSynapseTable,
  SYNAPSE_TABLES,
  synapseBytes,
} from "./synapse";
import { ACCOUNTS, CONTACTS, type ContactRow } from "./tables";

/**
 * loadFacts for a Synapse Link folder: the same facts the CSV export of the same data gives. A row table's latest
 * versions are known only once all its partitions are read, so the unit of work is a whole table: with two threads or
 * more, worker threads and this one (between reading the accounts) each read row tables into partial facts, folded in
 * table order. A table with bad input is read again here, so its error is the one-thread reader's.
 */
export async function loadSynapseFacts(
  dir: string,
  model: TierModel,
  asOf: number,
  options: ReadOptions & ParallelOptions = {},
): Promise<FactsTable> {
  const entities = readSynapseModel(dir);
  const tableBytes = (name: string): number => {
    const e = entities.get(name);
    return e ? entityBytes(e) : 0;
  };
  const bytes = synapseBytes(entities);
  // A Synapse folder costs about 1.7× the CSV layout's CPU per byte (every version kept until the last partition is
  // read): counted double for the thread rule. Measured at 100k (586 MB): two threads 18 % faster than one.
  const threads = options.workers ?? defaultReaderThreads(2 * bytes);
  const tasks: SynapseTask[] =
    threads > 1
      ? dealOrder(
          ROW_TABLES.filter((t) => entities.has(SYNAPSE_TABLES[t])),
          (t) => tableBytes(SYNAPSE_TABLES[t]),
          threads - 1,
        ).map((table, id) => ({
          kind: "synapse",
          id,
          dir,
          table,
          model,
          asOf,
        }))
      : [];
  const results = new Map<number, ChunkMessage>();
  const pool = tasks.length ? new ChunkPool(threads - 1, true) : null;
  let poolError: unknown = null;
  const running = pool
    ? pool
        // One table at a time per thread: three large tasks, dealt as threads come free.
        .run(tasks, (m) => (m.kind === "bytes" ? options.onBytes?.(m.bytes) : void results.set(m.id, m)), 1)
        .catch((e) => void (poolError = e))
    : Promise.resolve();
  try {
    const accounts = await readSynapseTable<AccountRow>(dir, entities, SYNAPSE_TABLES.accounts, ACCOUNTS, options);
    if (!accounts)
      throw new InputError(MODEL_JSON, null, null, `no entity "${SYNAPSE_TABLES.accounts}" (the accounts to rank)`);
    const contacts = await readSynapseTable<ContactRow>(dir, entities, SYNAPSE_TABLES.contacts, CONTACTS, options);
    const parents =
      contacts &&
      new Map(contacts.filter((c) => c.parentcustomerid).map((c) => [c.contactid.toLowerCase(), c.parentcustomerid]));
    const b = new FactsBuilder(accounts, model, asOf, parents);
    await running;
    if (poolError) throw poolError;
    for (const table of ROW_TABLES) {
      const task = tasks.find((t) => t.table === table);
      const m = task && results.get(task.id);
      if (m?.kind === "crash") throw new Error(`reading the ${table} of ${dir}: ${m.message}`);
      if (m?.kind === "done") b.merge(m.data);
      else await readSynapseRowTable(dir, entities, table, b, options);
    }
    return b.build();
  } finally {
    await pool?.terminate();
  }
}

/**
 * The order tables are dealt in: the pool hands the first `workers` to the worker threads, the next to this thread,
 * then each to whichever thread comes free. This thread also reads the accounts, but it starts at once where a worker
 * first boots Node (about 0.3 s): with one worker it takes the largest table, the worker the second largest and then
 * the rest. At 100k (invoices 45 %, activities 35 %, opportunities 20 % of the bytes) that balances the two threads.
 */
export function dealOrder<T>(tables: readonly T[], size: (t: T) => number, workers: number): T[] {
  const bySize = [...tables].sort((a, b) => size(b) - size(a));
  if (workers < 1 || bySize.length <= workers) return bySize;
  // The largest moves to position `workers`, the first this thread takes.
  const [largest] = bySize.splice(0, 1);
  bySize.splice(workers, 0, largest);
  return bySize;
}

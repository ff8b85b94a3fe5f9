import { existsSync, statSync } from "node:fs";
import type { RowAccumulator } from "../engine/facts-record";
import { readTable, type ByteRange, type ReadOptions } from "./read-table";
import { ACTIVITIES, INVOICES, OPPORTUNITIES } from "./tables";

/** The three tables whose rows become facts, in the order they are read (and their errors reported). */
export const ROW_TABLES = ["invoices", "opportunities", "activities"] as const;
export type RowTable = (typeof ROW_TABLES)[number];

export const rowTableFile = (t: RowTable): string =>
  (t === "invoices" ? INVOICES : t === "opportunities" ? OPPORTUNITIES : ACTIVITIES).file;

/** The row files' sizes in ROW_TABLES order; 0 for a file the folder lacks. */
export function rowTableSizes(dir: string): number[] {
  return ROW_TABLES.map((t) => {
    const path = `${dir}/${rowTableFile(t)}`;
    return existsSync(path) ? statSync(path).size : 0;
  });
}

/** Reads one row table (or a range of it) into a FactsBuilder or a chunk's PartialFacts. Resolves to the row count. */
export function readRowTable(
  dir: string,
  table: RowTable,
  into: RowAccumulator,
  options: ReadOptions & { range?: ByteRange } = {},
): Promise<number> {
  if (table === "invoices") return readTable(dir, INVOICES, (r) => into.addInvoice(r), options);
  if (table === "opportunities") return readTable(dir, OPPORTUNITIES, (r) => into.addOpportunity(r), options);
  return readTable(dir, ACTIVITIES, (r) => into.addActivity(r), options);
}

import { existsSync, statSync } from "node:fs";
import type { RowAccumulator } from "../engine/facts-record";
import { readTable, type ByteRange, type ReadOptions, type TableSpec } from "./read-table";
import { ACTIVITIES, INVOICES, OPPORTUNITIES } from "./tables";

/** The three tables whose rows become facts, in the order they are read (and their errors reported). */
export const ROW_TABLES = ["invoices", "opportunities", "activities"] as const;
export type RowTable = (typeof ROW_TABLES)[number];

export const rowTableFile = (t: RowTable): string =>
  (t === "invoices" ? INVOICES : t === "opportunities" ? OPPORTUNITIES : ACTIVITIES).file;

/** How a layout reads a table: its rows, each handed to `add`; resolves to the row count. */
export type ReadRows = <R>(spec: TableSpec<R>, add: (row: R) => void) => Promise<number>;

/**
 * A row table's rows, read by `read`, added to `into` (a FactsBuilder, or a chunk's PartialFacts): the one place a row
 * table's spec and accumulator method are paired, for the CSV export and the Synapse layout alike.
 */
export function addRowTable(table: RowTable, into: RowAccumulator, read: ReadRows): Promise<number> {
  if (table === "invoices") return read(INVOICES, (r) => into.addInvoice(r));
  if (table === "opportunities") return read(OPPORTUNITIES, (r) => into.addOpportunity(r));
  return read(ACTIVITIES, (r) => into.addActivity(r));
}

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
  return addRowTable(table, into, (spec, add) => readTable(dir, spec, add, options));
}

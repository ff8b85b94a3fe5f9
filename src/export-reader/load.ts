import { statSync, existsSync } from "node:fs";
import { FactsBuilder, type FactsTable } from "../engine/facts";
import type { AccountRow, ActivityRow, InvoiceRow, OpportunityRow } from "../engine/input-types";
import type { TierModel } from "../engine/model";
import { RowTablesReader, type ParallelOptions } from "./parallel-facts";
import { FirstLines } from "./first-lines";
import { readTable, RowError, type ReadOptions } from "./read-table";
import { isSynapseFolder, readSynapseModel, synapseBytes } from "./synapse";
import { loadSynapseFacts } from "./synapse-facts";
import { ACCOUNTS, ACTIVITIES, CONTACTS, INVOICES, OPPORTUNITIES } from "./tables";

const FILES = [ACCOUNTS, CONTACTS, INVOICES, OPPORTUNITIES, ACTIVITIES].map((t) => t.file);

/** Total bytes of the export folder's files, for a progress bar. */
export function exportSize(dir: string): number {
  if (isSynapseFolder(dir)) return synapseBytes(readSynapseModel(dir));
  return FILES.reduce((sum, f) => sum + (existsSync(`${dir}/${f}`) ? statSync(`${dir}/${f}`).size : 0), 0);
}

export async function readAccounts(dir: string, options: ReadOptions = {}): Promise<AccountRow[]> {
  const accounts: AccountRow[] = [];
  const seen = new FirstLines();
  await readTable(
    dir,
    ACCOUNTS,
    (a, line) => {
      const first = seen.seen(a.accountid.toLowerCase(), line);
      if (first >= 0)
        throw new RowError("accountid", `duplicate accountid ${a.accountid}, first on line {line}`, first);
      accounts.push(a);
    },
    options,
  );
  return accounts;
}

/**
 * contacts.csv, when the folder has one: lower-case contact id → parent account id (contacts without a parent are
 * left out: their rows count for nobody). null without the file.
 */
export async function readContacts(dir: string, options: ReadOptions = {}): Promise<Map<string, string> | null> {
  if (!existsSync(`${dir}/${CONTACTS.file}`)) return null;
  const parents = new Map<string, string>();
  const seen = new FirstLines();
  await readTable(
    dir,
    CONTACTS,
    (c, line) => {
      const key = c.contactid.toLowerCase();
      const first = seen.seen(key, line);
      if (first >= 0)
        throw new RowError("contactid", `duplicate contactid ${c.contactid}, first on line {line}`, first);
      if (c.parentcustomerid) parents.set(key, c.parentcustomerid);
    },
    options,
  );
  return parents;
}

/**
 * Streams an export folder into the engine's facts: rows are aggregated as they are read, never all kept; big row
 * files are read by several threads (src/export/parallel-facts).
 */
export async function loadFacts(
  dir: string,
  model: TierModel,
  asOf: number,
  options: ReadOptions & ParallelOptions = {},
): Promise<FactsTable> {
  if (isSynapseFolder(dir)) return loadSynapseFacts(dir, model, asOf, options);
  // Threads parse the row files while this one reads the accounts.
  const rows = RowTablesReader.start(dir, model, asOf, options);
  let accounts: AccountRow[];
  let parents: Map<string, string> | null;
  try {
    accounts = await readAccounts(dir, options);
    parents = await readContacts(dir, options);
  } catch (e) {
    await rows.cancel();
    throw e;
  }
  const b = new FactsBuilder(accounts, model, asOf, parents);
  await rows.into(b);
  return b.build();
}

export interface ExportRows {
  accounts: AccountRow[];
  invoices: InvoiceRow[];
  opportunities: OpportunityRow[];
  activities: ActivityRow[];
}

/** Every row of a (small) export folder, for tests and the sandbox's seed. */
export async function readExportRows(dir: string): Promise<ExportRows> {
  const rows: ExportRows = { accounts: await readAccounts(dir), invoices: [], opportunities: [], activities: [] };
  await readTable(dir, INVOICES, (r) => rows.invoices.push(r));
  await readTable(dir, OPPORTUNITIES, (r) => rows.opportunities.push(r));
  await readTable(dir, ACTIVITIES, (r) => rows.activities.push(r));
  return rows;
}

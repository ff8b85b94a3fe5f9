/**
 * Data in and out of the store: an export folder of CSVs (docs/export-folder.md) and the state snapshot
 * (`--state FILE`), written as one JSON object per line so a million rows never make one huge string.
 */
import { createReadStream, createWriteStream, existsSync, readFileSync } from "node:fs";
import { rename } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parse } from "csv-parse/sync";
import { TIER_OPTIONS, TREND_OPTIONS, CHANNEL_OPTIONS } from "../src/engine/choices";
import { parseDate, isGuid, storedInstant } from "./codec";
import { isChoice, isLookup, type ColumnDef, type TableDef } from "./metadata";
import type { Row, Store, Value } from "./store";

const ACTIVITY_TABLES = new Set(["phonecall", "appointment", "email"]);
const CHOICE_CODES: Record<string, Record<string, number>> = {
  ct_tier: TIER_OPTIONS,
  ct_computedtier: TIER_OPTIONS,
  ct_previoustier: TIER_OPTIONS,
  ct_tieroverride: TIER_OPTIONS,
  ct_trend: TREND_OPTIONS,
  ct_touchchannel: CHANNEL_OPTIONS,
};

export interface LoadSummary {
  [table: string]: number;
}

class CsvError extends Error {
  override name = "CsvError";
}

/** One CSV cell → stored value for the column, or an error naming file, line and column. */
/** Ids of contacts.csv: a customer lookup holding one of them points at the contact, not an account. */
type ContactIds = ReadonlySet<string>;

function cell(def: TableDef, col: ColumnDef, text: string, where: string, contacts: ContactIds = new Set()): Value {
  const t = text.trim();
  if (t === "") return null;
  const fail = (what: string): never => {
    throw new CsvError(`${where}: column '${col.name}': '${text}' is not ${what}.`);
  };
  if (isLookup(col)) {
    if (!isGuid(t)) fail("a GUID");
    const id = t.toLowerCase();
    const target = col.targets?.includes("contact") && contacts.has(id) ? "contact" : (col.targets?.[0] ?? "account");
    return { id, table: target };
  }
  if (isChoice(col) && CHOICE_CODES[col.name] && t in CHOICE_CODES[col.name]) return CHOICE_CODES[col.name][t];
  switch (col.type) {
    case "Integer":
    case "Picklist":
    case "State":
    case "Status": {
      const n = Number(t);
      if (!Number.isInteger(n)) fail("a whole number");
      if (col.options && !(n in col.options))
        fail(`a valid ${col.name} of ${def.logicalName} (${Object.keys(col.options).join(", ")})`);
      return n;
    }
    case "Decimal":
    case "Money": {
      const n = Number(t);
      if (!Number.isFinite(n)) fail("a number");
      return n;
    }
    case "DateTime": {
      const ms = parseDate(t);
      if (ms === undefined) fail("an ISO 8601 date");
      return storedInstant(col, ms!);
    }
    case "Boolean":
      if (!/^(true|false|0|1)$/i.test(t)) fail("a boolean");
      return /^(true|1)$/i.test(t);
    case "Uniqueidentifier":
      if (!isGuid(t)) fail("a GUID");
      return t.toLowerCase();
    default:
      return text;
  }
}

function readCsv(file: string): { record: Record<string, string>; line: number }[] {
  const rows = parse(readFileSync(file), {
    columns: true,
    skip_empty_lines: true,
    bom: true,
    info: true,
    trim: false,
  }) as {
    record: Record<string, string>;
    info: { lines: number };
  }[];
  return rows.map((r) => ({ record: r.record, line: r.info.lines }));
}

/** A CSV column → the table column it fills; `<money>_base` fills the money column (base currency, rate 1). */
function columnFor(def: TableDef, header: string): ColumnDef | undefined {
  const col = def.columns.get(header);
  if (!col) return undefined;
  if (col.type === "Money" && col.readOnly && header.endsWith("_base")) return def.columns.get(header.slice(0, -5));
  return col;
}

function loadRows(
  store: Store,
  tableOf: (rec: Record<string, string>, where: string) => string,
  file: string,
  contacts?: ContactIds,
): number {
  let n = 0;
  for (const { record, line } of readCsv(file)) {
    const where = `${file}:${line}`;
    const table = tableOf(record, where);
    const def = store.def(table);
    const row: Row = {};
    for (const [header, text] of Object.entries(record)) {
      const col = columnFor(def, header);
      if (!col) continue; // extra columns are ignored (docs/export-folder.md)
      row[col.name] = cell(def, col, text ?? "", where, contacts);
    }
    if (typeof row[def.primaryId] !== "string") throw new CsvError(`${where}: column '${def.primaryId}' is required.`);
    store.load(table, row);
    n++;
  }
  return n;
}

/**
 * Loads a Dataverse export folder: accounts.csv (required), contacts.csv, invoices.csv, opportunities.csv and
 * activities.csv (activitytypecode phonecall | appointment | email, regardingobjectid an account).
 */
export function loadExportFolder(store: Store, dir: string): LoadSummary {
  const path = (f: string): string => join(dir, f);
  if (!existsSync(path("accounts.csv")))
    throw new CsvError(`${path("accounts.csv")}: file not found (an export folder needs accounts.csv).`);
  const summary: LoadSummary = {};
  summary.account = loadRows(store, () => "account", path("accounts.csv"));
  // contacts.csv (optional): contacts and their parent account; their invoices and opportunities name them.
  if (existsSync(path("contacts.csv"))) summary.contact = loadRows(store, () => "contact", path("contacts.csv"));
  const contacts = new Set([...store.rows("contact")].map((c) => String(c.contactid)));
  if (existsSync(path("invoices.csv")))
    summary.invoice = loadRows(store, () => "invoice", path("invoices.csv"), contacts);
  if (existsSync(path("opportunities.csv")))
    summary.opportunity = loadRows(store, () => "opportunity", path("opportunities.csv"), contacts);
  if (existsSync(path("activities.csv"))) {
    const counts: Record<string, number> = {};
    loadRows(
      store,
      (rec, where) => {
        const t = (rec.activitytypecode ?? "").trim();
        if (!ACTIVITY_TABLES.has(t))
          throw new CsvError(`${where}: column 'activitytypecode': '${t}' is not phonecall, appointment or email.`);
        counts[t] = (counts[t] ?? 0) + 1;
        return t;
      },
      path("activities.csv"),
    );
    Object.assign(summary, counts);
  }
  return summary;
}

const STATE_FORMAT = "ct-sandbox-state";

/** Writes every table as `{"t":table,"r":row}` lines after a header line; replaced atomically. */
export async function saveState(store: Store, file: string): Promise<number> {
  const tmp = `${file}.tmp-${process.pid}`;
  const out = createWriteStream(tmp, { encoding: "utf8" });
  const write = (line: string): Promise<void> | void => {
    if (!out.write(line + "\n")) return new Promise((r) => out.once("drain", () => r()));
  };
  let rows = 0;
  await write(JSON.stringify({ format: STATE_FORMAT, version: 1, savedAt: new Date(store.now()).toISOString() }));
  for (const table of store.tableNames()) {
    for (const r of store.rows(table)) {
      await write(JSON.stringify({ t: table, r }));
      rows++;
    }
  }
  await new Promise<void>((resolve, reject) => {
    out.on("error", reject);
    out.end(() => resolve());
  });
  await rename(tmp, file);
  return rows;
}

export async function loadState(store: Store, file: string): Promise<number> {
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let lineNo = 0;
  let rows = 0;
  for await (const line of lines) {
    lineNo++;
    if (!line.trim()) continue;
    let obj: { format?: string; version?: number; t?: string; r?: Row };
    try {
      obj = JSON.parse(line);
    } catch {
      throw new Error(`${file}:${lineNo}: not a JSON line of a sandbox state file.`);
    }
    if (lineNo === 1) {
      if (obj.format !== STATE_FORMAT || obj.version !== 1)
        throw new Error(`${file}:1: not a sandbox state file (format ${STATE_FORMAT} v1).`);
      continue;
    }
    if (!obj.t || !obj.r || !store.metadata.table(obj.t))
      throw new Error(`${file}:${lineNo}: unknown table '${obj.t}'.`);
    store.load(obj.t, obj.r);
    rows++;
  }
  return rows;
}

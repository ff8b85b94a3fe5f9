import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { RowAccumulator } from "../engine/facts-record";
import { optionalInstantBytes, optionalNumberBytes } from "./cell-bytes";
import { CellError, optionalInstant, optionalNumber } from "./cells";
import { IdKeys } from "./id-keys";
import { InputError } from "./input-error";
import { headerIndex, readTable, type ColumnSpec, type ReadOptions, type TableSpec } from "./read-table";
import { addRowTable, type RowTable } from "./row-tables";

/**
 * Azure Synapse Link for Dataverse folders (docs/export-folder.md, "Synapse layout"): `model.json` (CDM metadata:
 * each table's columns in file order, and its partitions), one folder per table of header-less CSV partitions named
 * by year (2024.csv) or month (2024-01.csv). In append-only mode every create, update and delete appends a row;
 * only the latest version of a row counts, and a latest version with IsDelete = True removes the row.
 * https://learn.microsoft.com/en-us/power-apps/maker/data-platform/azure-synapse-link-advanced-configuration
 * https://learn.microsoft.com/en-us/power-apps/maker/data-platform/azure-synapse-link-incremental (SinkModifiedOn)
 */

export const MODEL_JSON = "model.json";

export const isSynapseFolder = (dir: string): boolean => existsSync(join(dir, MODEL_JSON));

/** The Dataverse table each export-folder file comes from. */
export const SYNAPSE_TABLES = {
  accounts: "account",
  contacts: "contact",
  invoices: "invoice",
  opportunities: "opportunity",
  activities: "activitypointer",
} as const;

export interface Entity {
  name: string;
  columns: string[];
  /** Partition files relative to the folder, oldest first, with their sizes (read once, here). */
  partitions: { file: string; bytes: number }[];
}

/** All of an entity's partitions, in bytes. */
export const entityBytes = (e: Entity): number => e.partitions.reduce((sum, p) => sum + p.bytes, 0);

/** All partitions of every entity model.json lists, in bytes. */
export const synapseBytes = (entities: Map<string, Entity>): number =>
  [...entities.values()].reduce((sum, e) => sum + entityBytes(e), 0);

interface CdmModel {
  entities?: {
    name?: unknown;
    attributes?: { name?: unknown }[];
    partitions?: { name?: unknown; location?: unknown }[];
  }[];
}

/** The tables model.json lists, with their columns in model.json order. */
export function readSynapseModel(dir: string): Map<string, Entity> {
  let model: CdmModel;
  try {
    model = JSON.parse(readFileSync(join(dir, MODEL_JSON), "utf8")) as CdmModel;
  } catch (e) {
    throw new InputError(MODEL_JSON, null, null, `not CDM metadata: ${(e as Error).message}`);
  }
  if (!Array.isArray(model.entities)) throw new InputError(MODEL_JSON, null, null, `no "entities" array`);
  const entities = new Map<string, Entity>();
  for (const e of model.entities) {
    if (typeof e.name !== "string" || !Array.isArray(e.attributes))
      throw new InputError(MODEL_JSON, null, null, `an entity without a name or an "attributes" array`);
    const columns = e.attributes.map((a, k) => {
      if (typeof a.name !== "string")
        throw new InputError(MODEL_JSON, null, null, `entity ${e.name}: attribute ${k + 1} has no name`);
      return a.name;
    });
    entities.set(e.name.toLowerCase(), { name: e.name, columns, partitions: partitionFiles(dir, e.name) });
  }
  return entities;
}

/** The table folder's CSV partitions, by name: year and month names sort in time order. */
function partitionFiles(dir: string, table: string): Entity["partitions"] {
  const folder = join(dir, table);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => f.toLowerCase().endsWith(".csv"))
    .sort()
    .map((f) => ({ file: `${table}/${f}`, bytes: statSync(join(folder, f)).size }));
}

/** Synapse's own columns on every row: the row id, its version and whether this version deletes it. */
const versionColumns = (ids: IdKeys): readonly ColumnSpec[] => [
  // The id is read into its key (src/export-reader/id-keys), never decoded to a string on the common path.
  { name: "id", parse: (cell) => ids.ofString(cell), bytes: (buf, s, e) => ids.ofBytes(buf, s, e), required: true },
  { name: "versionnumber", parse: optionalNumber, bytes: optionalNumberBytes, required: false },
  { name: "sinkmodifiedon", parse: optionalInstant, bytes: optionalInstantBytes, required: false },
  { name: "isdelete", parse: isDelete, required: false },
];

function isDelete(cell: string): boolean {
  const v = cell.toLowerCase();
  if (v === "" || v === "false" || v === "0") return false;
  if (v === "true" || v === "1") return true;
  throw new CellError(`"${cell}" is not True or False`);
}

/**
 * Reads every partition of a table and keeps each row's latest version (the highest versionnumber, else the latest
 * SinkModifiedOn, else the last one appended); rows whose latest version is a delete are dropped.
 */
export async function readSynapseTable<R>(
  dir: string,
  entities: Map<string, Entity>,
  table: string,
  spec: TableSpec<R>,
  options: ReadOptions = {},
): Promise<R[] | null> {
  const entity = entities.get(table);
  if (!entity) return null;
  const header = entity.columns;
  const n = spec.columns.length;
  // Sized for about one id per 200 bytes of partitions (the sample's rows are 250–290 bytes), so it need not rehash.
  const ids = new IdKeys(Math.ceil(entityBytes(entity) / 200));
  const columns = [...spec.columns, ...versionColumns(ids)];
  // Checks model.json names every column the table needs before any partition is read.
  try {
    headerIndex(MODEL_JSON, header, columns);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(
      MODEL_JSON,
      null,
      `${entity.name}.${e.column}`,
      `no attribute "${e.column}" in entity ${entity.name}`,
    );
  }
  // Each id's key is its slot: keys are numbered in first-seen order, so a new key is the next slot. The slot's latest
  // version sits in flat arrays: a Map of per-row version objects spent more time in its look-ups and the garbage
  // collector than reading the files did (issue 15).
  const rows: R[] = [];
  const versions: number[] = [];
  const deleted: boolean[] = [];
  // The version columns of the row toRow last read, for onRow, which readTable calls right after it: kept here rather
  // than in an object per row (3 M of them at 100k, all garbage).
  let slot = 0;
  let version = 0;
  let isDeleted = false;
  for (const { file, bytes } of entity.partitions) {
    const versioned: TableSpec<R> = {
      file,
      columns,
      // spec.toRow reads the table's own columns, the first n; the version columns after them are left alone.
      toRow: (v) => {
        slot = v[n] as number;
        version = (v[n + 1] as number | null) ?? (v[n + 2] as number | null) ?? -Infinity;
        isDeleted = v[n + 3] as boolean;
        return spec.toRow(v);
      },
    };
    await readTable(
      dir,
      versioned,
      (row) => {
        if (slot === rows.length) {
          rows.push(row);
          versions.push(version);
          deleted.push(isDeleted);
        } else if (version >= versions[slot]) {
          rows[slot] = row;
          versions[slot] = version;
          deleted[slot] = isDeleted;
        }
      },
      { ...options, range: { start: 0, end: bytes, header } },
    );
  }
  return rows.filter((_, k) => !deleted[k]);
}

/**
 * One row table of a Synapse Link folder, latest versions only, added to `into` (a FactsBuilder, or a PartialFacts on a
 * reader thread). Resolves to the rows added; a folder without that entity adds none.
 */
export async function readSynapseRowTable(
  dir: string,
  entities: Map<string, Entity>,
  table: RowTable,
  into: RowAccumulator,
  options: ReadOptions = {},
): Promise<number> {
  return addRowTable(table, into, async (spec, add) => {
    const rows = (await readSynapseTable(dir, entities, SYNAPSE_TABLES[table], spec, options)) ?? [];
    for (const r of rows) add(r);
    return rows.length;
  });
}

import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ByteCsvScanner } from "../export-reader/byte-csv";
import { SYNAPSE_TABLES } from "../export-reader/synapse";
import { SAMPLE_FILES, type SampleFile } from "./columns";

/**
 * Rewrites a sample export folder as an Azure Synapse Link for Dataverse folder in append-only mode
 * (docs/export-folder.md): model.json with each table's columns in file order, a folder per table of header-less
 * partitions by year (2025.csv) or month (2025-03.csv). So the versions are exercised, every 7th row is first
 * written in an older version (other values) and updated at the end of its partition, and every 11th row is
 * followed by a row that is created and then deleted (IsDelete = True): the latest versions are the CSV sample's
 * rows, so both folders rank alike.
 */
export type Partitioning = "year" | "month";

/** Where a table's partition key is (Synapse partitions by createdon; the sample's tables without it use a date). */
const PARTITION_DATE: Record<SampleFile, readonly string[]> = {
  accounts: [],
  invoices: ["createdon"],
  opportunities: ["actualclosedate", "estimatedclosedate"],
  activities: ["actualend"],
};

/** Synapse's own columns around the table's, as the export writes them. */
const LEAD = ["Id", "SinkCreatedOn", "SinkModifiedOn"];
const TRAIL = ["versionnumber", "IsDelete"];

const SINK_TIME = "2026-07-01T00:00:00Z";

export function writeSynapseLayout(csvDir: string, out: string, partitioning: Partitioning, asOf: string): void {
  const entities: unknown[] = [];
  for (const key of Object.keys(SAMPLE_FILES) as SampleFile[]) {
    const { file, header } = SAMPLE_FILES[key];
    const table = SYNAPSE_TABLES[key];
    const columns = [...LEAD, ...header, ...TRAIL];
    rmSync(join(out, table), { recursive: true, force: true });
    mkdirSync(join(out, table), { recursive: true });
    const partitions = writeTable(
      join(csvDir, file),
      join(out, table),
      header,
      PARTITION_DATE[key],
      partitioning,
      asOf,
    );
    entities.push({
      $type: "LocalEntity",
      name: table,
      attributes: columns.map((name) => ({ name, dataType: dataType(name) })),
      partitions: partitions.map((p) => ({ name: p.replace(/\.csv$/, ""), location: `${table}/${p}` })),
    });
  }
  writeFileSync(join(out, "model.json"), JSON.stringify({ name: "cdm", version: "1.0", entities }, null, 2) + "\n");
}

const dataType = (name: string): string =>
  /^(Id|.*id)$/.test(name)
    ? "guid"
    : /on$|date$|end$/.test(name)
      ? "dateTime"
      : name === "IsDelete"
        ? "boolean"
        : /_base$|probability|versionnumber/.test(name)
          ? "decimal"
          : name === "statecode"
            ? "int64"
            : "string";

/** Writes one table's partitions; resolves to their file names. */
function writeTable(
  src: string,
  dir: string,
  header: readonly string[],
  dateColumns: readonly string[],
  partitioning: Partitioning,
  asOf: string,
): string[] {
  const files = new Map<string, { fd: number; parts: string[]; size: number; updates: string[] }>();
  const partitionOf = (date: string): string => {
    const p = /^\d{4}-\d{2}/.test(date) ? date : asOf;
    return (partitioning === "year" ? p.slice(0, 4) : p.slice(0, 7)) + ".csv";
  };
  const open = (name: string) => {
    let f = files.get(name);
    if (!f) files.set(name, (f = { fd: openSync(join(dir, name), "w"), parts: [], size: 0, updates: [] }));
    return f;
  };
  const write = (f: { fd: number; parts: string[]; size: number }, line: string): void => {
    f.parts.push(line);
    f.size += line.length;
    if (f.size > 1 << 20) {
      writeSync(f.fd, f.parts.join(""));
      f.parts = [];
      f.size = 0;
    }
  };
  const buf = readFileSync(src);
  const scanner = new ByteCsvScanner();
  const at = dateColumns.map((c) => header.indexOf(c));
  let n = 0;
  let version = 1000;
  scanner.scan(buf, buf[0] === 0xef ? 3 : 0, buf.length, true, () => {
    if (n++ === 0) return; // the header
    const f = scanner.fields;
    const cells: string[] = [];
    for (let k = 0; k < f.count; k++) cells.push(csvCell(f.text(k)));
    const date = at.map((k) => f.text(k)).find((d) => d !== "") ?? "";
    const p = open(partitionOf(date));
    const id = cells[0];
    const row = (v: number, values: string[], deleted: boolean): string =>
      [id, SINK_TIME, SINK_TIME, ...values, String(v), deleted ? "True" : "False"].join(",") + "\r\n";
    if (n % 7 === 0) {
      // An older version with other values, updated at the end of the partition.
      const older = cells.map((c, k) =>
        /_base$/.test(header[k]) ? "1" : header[k] === "name" ? "Old name" : header[k] === "actualend" ? "" : c,
      );
      write(p, row(version++, older, false));
      p.updates.push(row(version++, cells, false));
    } else write(p, row(version++, cells, false));
    if (n % 11 === 0) {
      // A row created, then deleted: it must not count.
      const ghostId = `${id.slice(0, -4)}dead`;
      const ghost = (v: number, deleted: boolean): string =>
        [ghostId, SINK_TIME, SINK_TIME, ghostId, ...cells.slice(1), String(v), deleted ? "True" : "False"].join(",") +
        "\r\n";
      write(p, ghost(version++, false));
      p.updates.push(ghost(version++, true));
    }
  });
  for (const f of files.values()) {
    for (const u of f.updates) write(f, u);
    writeSync(f.fd, f.parts.join(""));
    closeSync(f.fd);
  }
  return [...files.keys()].sort();
}

const csvCell = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

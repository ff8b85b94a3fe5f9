import { parse } from "csv-parse";
import { createReadStream } from "node:fs";
import type { TableSpec } from "../../src/export-reader/read-table";
import { readTable } from "../../src/export-reader/read-table";
import { ACCOUNTS, ACTIVITIES, INVOICES, OPPORTUNITIES } from "../../src/export-reader/tables";
import { childMain, type SuiteOptions } from "../lib/child";
import { ensureSample } from "../lib/data";
import type { Figure } from "../lib/report";
import { repetitions } from "../lib/sizes";
import { median, msSince } from "../lib/stats";

/** csv-parse alone over a file, no cell validation: the floor under the export reader. */
function rawParse(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let rows = 0;
    const parser = parse({ bom: true, skip_empty_lines: true });
    parser.on("readable", () => {
      while (parser.read() !== null) rows++;
    });
    parser.on("error", reject);
    parser.on("end", () => resolve(rows - 1));
    createReadStream(path).on("error", reject).pipe(parser);
  });
}

/** CSV ingest (issue 7): rows/s of src/export-reader's reader (csv-parse + per-cell validation), per table and in total. */
export async function ingestSuite(o: SuiteOptions): Promise<Figure[]> {
  const { dir } = await ensureSample(o.size, o.log);
  const tables: TableSpec<unknown>[] = [ACCOUNTS, INVOICES, OPPORTUNITIES, ACTIVITIES];
  const reps = Math.max(1, repetitions(o.size, o.quick) - (o.size === "1m" ? 2 : 0));
  const perTable = new Map<string, { rows: number; ms: number[] }>();
  for (let rep = 0; rep < reps; rep++) {
    for (const t of tables) {
      const t0 = process.hrtime.bigint();
      let sink = 0;
      const rows = await readTable(dir, t, () => void sink++);
      const e = perTable.get(t.file) ?? { rows, ms: [] };
      e.ms.push(msSince(t0));
      perTable.set(t.file, e);
    }
  }
  const rawMs: number[] = [];
  let rawRows = 0;
  for (let rep = 0; rep < reps; rep++) {
    const t0 = process.hrtime.bigint();
    rawRows = await rawParse(`${dir}/${INVOICES.file}`);
    rawMs.push(msSince(t0));
  }
  const p = `ingest.${o.size}`;
  const figures: Figure[] = [];
  let rows = 0;
  let ms = 0;
  for (const [file, e] of perTable) {
    const m = median(e.ms);
    rows += e.rows;
    ms += m;
    figures.push({ name: `${p}.${file.replace(".csv", "")}`, value: e.rows / (m / 1000), unit: "rows/s" });
  }
  const reader = (perTable.get(INVOICES.file)!.rows / median(perTable.get(INVOICES.file)!.ms)) * 1000;
  const raw = rawRows / (median(rawMs) / 1000);
  figures.unshift({ name: `${p}.all_tables`, value: rows / (ms / 1000), unit: "rows/s" });
  // The reader against csv-parse alone: how much of the ingest time is cell validation and row building.
  figures.push({
    name: `${p}.invoices_vs_parse_only`,
    value: reader,
    unit: "rows/s",
    peer: "csv-parse",
    peerValue: raw,
    ratio: reader / raw,
  });
  return figures;
}

if (require.main === module) childMain(ingestSuite);

import { parse, CsvError } from "csv-parse";
import { createReadStream, existsSync } from "node:fs";
import { CellError } from "./cells";
import { InputError } from "./input-error";

export interface ColumnSpec {
  name: string;
  parse: (cell: string) => unknown;
  /** Must the header name it? Optional columns that are absent parse as empty cells. */
  required: boolean;
}

export interface TableSpec<R> {
  file: string; // e.g. "invoices.csv"
  columns: readonly ColumnSpec[];
  toRow: (values: unknown[]) => R;
}

export interface ReadOptions {
  /** Called with the number of bytes read since the last call, for a progress bar. */
  onBytes?: (bytes: number) => void;
}

/**
 * Streams one export-folder CSV (design.md §5) through csv-parse, validating every cell; the first bad cell stops the
 * read with an InputError naming file, line and column. Column names are matched case-insensitively; extra columns
 * are ignored. Resolves to the number of data rows.
 */
export function readTable<R>(dir: string, spec: TableSpec<R>, onRow: (row: R, line: number) => void, options: ReadOptions = {}): Promise<number> {
  const path = `${dir}/${spec.file}`;
  const label = spec.file;
  if (!existsSync(path)) {
    return Promise.reject(new InputError(label, null, null, `file not found in ${dir} (expected a header row with ${spec.columns.filter((c) => c.required).map((c) => c.name).join(", ")})`));
  }
  return new Promise<number>((resolve, reject) => {
    const source = createReadStream(path);
    const parser = parse({ bom: true, info: true, skip_empty_lines: true, relax_quotes: false });
    let index: number[] | null = null;
    let rows = 0;
    let failed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      source.destroy();
      parser.destroy();
      if (err instanceof InputError) reject(err);
      else if (err instanceof CsvError) reject(new InputError(label, (err as CsvError & { lines?: number }).lines ?? null, null, csvReason(err)));
      else if ((err as NodeJS.ErrnoException)?.code) reject(new InputError(label, null, null, (err as Error).message));
      else reject(err);
    };
    source.on("error", fail);
    if (options.onBytes) source.on("data", (chunk) => options.onBytes!(chunk.length));
    parser.on("error", fail);
    parser.on("readable", () => {
      let item: { record: string[]; info: { lines: number } } | null;
      try {
        while (!failed && (item = parser.read()) !== null) {
          const { record, info } = item;
          if (index === null) {
            index = headerIndex(label, record, spec.columns);
            continue;
          }
          const values = new Array<unknown>(spec.columns.length);
          for (let c = 0; c < spec.columns.length; c++) {
            const at = index[c];
            const cell = at < 0 ? "" : record[at] ?? "";
            try {
              values[c] = spec.columns[c].parse(cell);
            } catch (e) {
              if (!(e instanceof CellError)) throw e;
              throw new InputError(label, info.lines, `${at + 1} (${spec.columns[c].name})`, e.message);
            }
          }
          onRow(spec.toRow(values), info.lines);
          rows++;
        }
      } catch (e) {
        fail(e);
      }
    });
    parser.on("end", () => {
      if (failed) return;
      if (index === null) fail(new InputError(label, 1, null, "the file is empty; expected a header row"));
      else resolve(rows);
    });
    source.pipe(parser);
  });
}

/** csv-parse's messages, in words that say what to fix. */
function csvReason(err: CsvError): string {
  const count = /expect (\d+), got (\d+)/.exec(err.message);
  if (err.code === "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH" && count) return `the row has ${count[2]} fields; the header has ${count[1]}`;
  return err.message.replace(/^Invalid Record Length: /, "");
}

function headerIndex(file: string, header: string[], columns: readonly ColumnSpec[]): number[] {
  const positions = new Map(header.map((h, i) => [h.trim().toLowerCase(), i] as const));
  return columns.map((c) => {
    const at = positions.get(c.name);
    if (at === undefined && c.required) throw new InputError(file, 1, c.name, `missing column "${c.name}" in the header (${header.join(",")})`);
    return at ?? -1;
  });
}


import { parse, CsvError } from "csv-parse";
import { createReadStream, existsSync } from "node:fs";
import { CellError } from "./cells";
import { InputError } from "./input-error";
import { headerIndex, RowError, type ByteRange, type ReadOptions, type TableSpec } from "./read-table";

/**
 * The reference reader: the export reader as it was before the byte reader (src/export-reader/read-table.ts), on
 * csv-parse. Kept for the property test that proves the two equivalent and for the bench's parser comparison
 * (docs/csv-reader.md); production reads with readTable.
 */

interface PendingError {
  record: number;
  column: string | null;
  reason: string;
  relatedRecord?: number;
}

/**
 * Streams one export-folder CSV (docs/export-folder.md) through csv-parse, validating every cell; the first bad cell stops the
 * read with an InputError naming file, line and column. Column names are matched case-insensitively; extra columns
 * are ignored. `onRow` gets each row with its record number (1 = the first after the header). Resolves to the number
 * of data rows.
 */
export function readTableWithCsvParse<R>(
  dir: string,
  spec: TableSpec<R>,
  onRow: (row: R, record: number) => void,
  options: ReadOptions & { range?: ByteRange } = {},
): Promise<number> {
  const path = `${dir}/${spec.file}`;
  const label = spec.file;
  if (!existsSync(path)) {
    return Promise.reject(
      new InputError(
        label,
        null,
        null,
        `file not found in ${dir} (expected a header row with ${spec.columns
          .filter((c) => c.required)
          .map((c) => c.name)
          .join(", ")})`,
      ),
    );
  }
  return new Promise<number>((resolve, reject) => {
    const { range } = options;
    let index: number[] | null = range ? headerIndex(label, range.header, spec.columns) : null;
    const source = createReadStream(path, {
      highWaterMark: 1 << 20,
      ...(range && { start: range.start, end: range.end - 1 }),
    });
    // No `info` option: it costs more than the parsing itself. Line numbers are found again when an error needs one.
    const parser = parse(CSV_OPTIONS);
    let record = range ? 0 : -1;
    let failed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      source.destroy();
      parser.destroy();
      if (err instanceof InputError) reject(err);
      else if (err instanceof CsvError)
        reject(new InputError(label, (err as CsvError & { lines?: number }).lines ?? null, null, csvReason(err)));
      else if ((err as NodeJS.ErrnoException)?.code) reject(new InputError(label, null, null, (err as Error).message));
      else reject(err);
    };
    const failAt = (e: PendingError): void => {
      if (failed) return;
      failed = true;
      source.destroy();
      parser.destroy();
      linesOf(path, [e.record, e.relatedRecord ?? e.record], range).then(
        (lines) =>
          reject(
            new InputError(
              label,
              lines.get(e.record) ?? null,
              e.column,
              e.reason.replace("{line}", String(lines.get(e.relatedRecord ?? e.record) ?? "?")),
            ),
          ),
        reject,
      );
    };
    source.on("error", fail);
    if (options.onBytes) source.on("data", (block) => options.onBytes!(block.length));
    if (options.onData) source.on("data", (block) => options.onData!(block as Buffer));
    parser.on("error", fail);
    parser.on("readable", () => {
      let cells: string[] | null;
      try {
        while (!failed && (cells = parser.read()) !== null) {
          record++;
          if (index === null) {
            index = headerIndex(label, cells, spec.columns);
            continue;
          }
          const values = new Array<unknown>(spec.columns.length);
          for (let c = 0; c < spec.columns.length; c++) {
            const at = index[c];
            const cell = at < 0 ? "" : (cells[at] ?? "");
            try {
              values[c] = spec.columns[c].parse(cell);
            } catch (e) {
              if (!(e instanceof CellError)) throw e;
              return failAt({ record, column: `${at + 1} (${spec.columns[c].name})`, reason: e.message });
            }
          }
          try {
            onRow(spec.toRow(values), record);
          } catch (e) {
            if (!(e instanceof RowError)) throw e;
            return failAt({ record, column: e.column, reason: e.reason, relatedRecord: e.related });
          }
        }
      } catch (e) {
        fail(e);
      }
    });
    parser.on("end", () => {
      if (failed) return;
      if (index === null) fail(new InputError(label, 1, null, "the file is empty; expected a header row"));
      else resolve(record);
    });
    source.pipe(parser);
  });
}

/** The line each record number ends on (0 = the header), by reading the file (or range) again: only errors need it. */
async function linesOf(path: string, records: number[], range?: ByteRange): Promise<Map<number, number>> {
  const wanted = new Set(records);
  const found = new Map<number, number>();
  const source = createReadStream(path, range && { start: range.start, end: range.end - 1 });
  const parser = source.pipe(parse({ ...CSV_OPTIONS, info: true, relax_column_count: true }));
  let record = range ? 0 : -1;
  try {
    for await (const item of parser as AsyncIterable<{ info: { lines: number } }>) {
      record++;
      if (wanted.has(record)) found.set(record, item.info.lines);
      if (found.size === wanted.size) break;
    }
  } catch {
    // A later syntax error does not matter: the records asked for come before it.
  }
  parser.destroy();
  return found;
}

const CSV_OPTIONS = { bom: true, skip_empty_lines: true, relax_quotes: false } as const;

/** csv-parse's messages, in words that say what to fix. */
function csvReason(err: CsvError): string {
  const count = /expect (\d+), got (\d+)/.exec(err.message);
  if (err.code === "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH" && count)
    return `the row has ${count[2]} fields; the header has ${count[1]}`;
  return err.message.replace(/^Invalid Record Length: /, "");
}

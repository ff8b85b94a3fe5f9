import { existsSync } from "node:fs";
import { open } from "node:fs/promises";
import { ByteCsvScanner, CsvSyntaxError, hasBom, type Fields } from "./byte-csv";
import { FALLBACK, type BytesParser } from "./cell-bytes";
import { CellError } from "./cells";
import { InputError } from "./input-error";
import { LastCell } from "./last-cell";

export interface ColumnSpec {
  name: string;
  parse: (cell: string) => unknown;
  /** A fast path over the cell's bytes that gives what `parse` gives, or FALLBACK (src/export-reader/cell-bytes). */
  bytes?: BytesParser;
  /** Must the header name it? Optional columns that are absent parse as empty cells. */
  required: boolean;
  /** Cells mostly equal the previous row's (customerid): compared as bytes first (src/export-reader/last-cell). */
  repeats?: boolean;
}

export interface TableSpec<R> {
  file: string; // e.g. "invoices.csv"
  columns: readonly ColumnSpec[];
  toRow: (values: unknown[]) => R;
}

export interface ReadOptions {
  /** Called with the number of bytes read since the last call, for a progress bar. */
  onBytes?: (bytes: number) => void;
  /** Sees every block of raw bytes read (a chunk reader counts its quotes). */
  onData?: (block: Buffer) => void;
}

/**
 * Part of a file that starts at a record boundary: bytes [start, end), read with the file's header cells. Errors name
 * lines counted from 1 at `start` (the caller knows the lines before).
 */
export interface ByteRange {
  start: number;
  end: number;
  header: string[];
}

/**
 * A row the table's consumer rejects (e.g. a duplicate id). `{line}` in the reason stands for `related`: the second
 * argument `onRow` got for another row of the same file.
 */
export class RowError extends Error {
  constructor(
    readonly column: string,
    readonly reason: string,
    readonly related?: number,
  ) {
    super(reason);
  }
}

const BLOCK = 1 << 20;

/**
 * Reads one export-folder CSV (docs/export-folder.md) with the byte reader (src/export-reader/byte-csv), validating
 * every cell of the columns the table names; the first bad cell stops the read with an InputError naming file, line
 * and column. Only the columns the table uses are decoded. Column names match case-insensitively; extra columns are
 * ignored. `onRow` gets each row with the line it ends on. Resolves to the number of data rows.
 */
export async function readTable<R>(
  dir: string,
  spec: TableSpec<R>,
  onRow: (row: R, line: number) => void,
  options: ReadOptions & { range?: ByteRange; blockBytes?: number } = {},
): Promise<number> {
  const path = `${dir}/${spec.file}`;
  const label = spec.file;
  if (!existsSync(path)) {
    throw new InputError(
      label,
      null,
      null,
      `file not found in ${dir} (expected a header row with ${spec.columns
        .filter((c) => c.required)
        .map((c) => c.name)
        .join(", ")})`,
    );
  }
  const { range } = options;
  const columns = spec.columns;
  let index: number[] | null = range ? headerIndex(label, range.header, columns) : null;
  let width = range ? range.header.length : -1;
  const values = new Array<unknown>(columns.length);
  const lasts = columns.map((c) => (c.repeats ? new LastCell() : null));
  // A column the header lacks reads as an empty cell on every row: parsed once, on the first row (its errors then
  // name that row, as before).
  const ABSENT = Symbol("not parsed yet");
  const absent: unknown[] = columns.map(() => ABSENT);
  let rows = 0;
  const scanner = new ByteCsvScanner();
  const onRecord = (line: number): void => {
    const f = scanner.fields;
    if (index === null) {
      const header: string[] = [];
      for (let k = 0; k < f.count; k++) header.push(f.text(k));
      index = headerIndex(label, header, columns);
      width = f.count;
      return;
    }
    if (f.count !== width)
      throw new InputError(label, line, null, `the row has ${f.count} fields; the header has ${width}`);
    for (let c = 0; c < columns.length; c++) {
      const at = index[c];
      try {
        const last = lasts[c];
        if (at < 0) values[c] = absent[c] === ABSENT ? (absent[c] = cell(columns[c], f, at)) : absent[c];
        else if (last === null || f.kind[at] === 2) values[c] = cell(columns[c], f, at);
        else if (last.same(f.buf, f.start[at], f.end[at])) values[c] = last.value;
        else last.set(f.buf, f.start[at], f.end[at], (values[c] = cell(columns[c], f, at)));
      } catch (e) {
        if (!(e instanceof CellError)) throw e;
        throw new InputError(label, line, `${at + 1} (${columns[c].name})`, e.message);
      }
    }
    rows++;
    try {
      onRow(spec.toRow(values), line);
    } catch (e) {
      if (!(e instanceof RowError)) throw e;
      throw new InputError(label, line, e.column, e.reason.replace("{line}", String(e.related ?? "?")));
    }
  };

  let fh;
  try {
    fh = await open(path, "r");
  } catch (e) {
    throw new InputError(label, null, null, (e as Error).message);
  }
  try {
    const end = range ? range.end : (await fh.stat()).size;
    let pos = range ? range.start : 0;
    let buf = Buffer.allocUnsafe(Math.min(options.blockBytes ?? BLOCK, Math.max(1, end - pos)));
    let kept = 0; // bytes of an unfinished record carried over at the buffer's start
    let first = !range;
    while (pos < end || kept > 0) {
      if (kept > buf.length >> 1) {
        // A record longer than half the buffer (or an unclosed quote): grow, so the rescans stay linear overall.
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, kept);
        buf = bigger;
      }
      const want = Math.min(buf.length - kept, end - pos);
      const { bytesRead } = want > 0 ? await fh.read(buf, kept, want, pos) : { bytesRead: 0 };
      if (bytesRead > 0) {
        const block = buf.subarray(kept, kept + bytesRead);
        options.onData?.(block);
        options.onBytes?.(bytesRead);
      }
      pos += bytesRead;
      const filled = kept + bytesRead;
      const final = pos >= end || bytesRead === 0;
      let from = 0;
      if (first && filled > 0) {
        if (hasBom(buf, 0, filled)) from = 3;
        first = false;
      }
      let rest: number;
      try {
        rest = scanner.scan(buf, from, filled, final, onRecord);
      } catch (e) {
        if (e instanceof CsvSyntaxError) throw new InputError(label, e.line, null, e.reason);
        throw e;
      }
      if (final) break;
      kept = filled - rest;
      buf.copy(buf, 0, rest, filled);
    }
  } finally {
    await fh.close();
  }
  if (index === null) throw new InputError(label, 1, null, "the file is empty; expected a header row");
  return rows;
}

/** One cell by the column's rule: from the bytes when the fast path can, else decoded. */
function cell(column: ColumnSpec, f: Fields, at: number): unknown {
  if (at < 0) return column.parse("");
  if (column.bytes && f.kind[at] !== 2) {
    const v = column.bytes(f.buf, f.start[at], f.end[at]);
    if (v !== FALLBACK) return v;
  }
  return column.parse(f.text(at));
}

export function headerIndex(file: string, header: string[], columns: readonly ColumnSpec[]): number[] {
  const positions = new Map(header.map((h, i) => [h.trim().toLowerCase(), i] as const));
  return columns.map((c) => {
    const at = positions.get(c.name);
    if (at === undefined && c.required)
      throw new InputError(file, 1, c.name, `missing column "${c.name}" in the header (${header.join(",")})`);
    return at ?? -1;
  });
}

/**
 * RFC 4180 records straight from bytes (docs/csv-reader.md): the tokenizer finds field boundaries in a Buffer and
 * hands them over as offsets; nothing is decoded here. It reads what csv-parse reads with the options the export
 * reader used (`bom`, `skip_empty_lines`, strict quotes, records ended by LF or CRLF), and the same errors on the
 * same lines; test/export-reader/byte-csv.test.ts proves that against csv-parse on generated files.
 */

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

export type CsvSyntaxCode = "quote-not-closed" | "invalid-closing-quote" | "invalid-opening-quote";

/** A syntax error: `line` counts from 1 at the start of what was read; `field` is the 1-based field. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly code: CsvSyntaxCode,
    readonly line: number,
    readonly field: number,
    readonly reason: string,
  ) {
    super(`line ${line} field ${field}: ${reason}`);
  }
}

/** The fields of the current record: offsets into `buf`, content only (quotes excluded). */
export class Fields {
  buf: Buffer = Buffer.alloc(0);
  count = 0;
  start = new Int32Array(64);
  end = new Int32Array(64);
  /** 1: quoted; 2: quoted and holds doubled quotes (decode, then undouble). */
  kind = new Uint8Array(64);

  push(s: number, e: number, kind: number): void {
    const n = this.count;
    if (n === this.start.length) this.grow();
    this.start[n] = s;
    this.end[n] = e;
    this.kind[n] = kind;
    this.count = n + 1;
  }

  /** Field `k` as a string (UTF-8); "" when the record has fewer fields. */
  text(k: number): string {
    if (k >= this.count) return "";
    const s = this.buf.toString("utf8", this.start[k], this.end[k]);
    return this.kind[k] === 2 ? s.replace(DOUBLED, '"') : s;
  }

  private grow(): void {
    const size = this.start.length * 2;
    const start = new Int32Array(size);
    start.set(this.start);
    const end = new Int32Array(size);
    end.set(this.end);
    const kind = new Uint8Array(size);
    kind.set(this.kind);
    this.start = start;
    this.end = end;
    this.kind = kind;
  }
}

const DOUBLED = /""/g;

/**
 * Splits bytes into records, block by block: `scan` takes a buffer and says where the first unfinished record
 * starts, so the caller carries those bytes into the next block. Line numbers run on across blocks.
 */
export class ByteCsvScanner {
  readonly fields = new Fields();
  /** Newlines before the next record (so its first line is `linesBefore + 1`). */
  private linesBefore = 0;

  /**
   * Calls `onRecord(line)` for each complete record in buf[from, to) (`line`: the line its last byte is on, as
   * csv-parse counts); the fields are in `this.fields` during the call. Empty lines are skipped. With `final`, the
   * end of the buffer ends the last record; otherwise returns the offset of the unfinished record (or `to`).
   */
  scan(buf: Buffer, from: number, to: number, final: boolean, onRecord: (line: number) => void): number {
    const f = this.fields;
    f.buf = buf;
    let i = from;
    while (i < to) {
      const recStart = i;
      let lines = 0; // newlines inside this record so far
      f.count = 0;
      for (;;) {
        if (i < to && buf[i] === QUOTE) {
          const openLine = this.linesBefore + lines + 1;
          const s = ++i;
          let kind = 1;
          for (;;) {
            if (i >= to) {
              if (!final) return recStart;
              throw new CsvSyntaxError(
                "quote-not-closed",
                openLine,
                f.count + 1,
                "a quoted field opened on this line is never closed",
              );
            }
            const c = buf[i];
            if (c === QUOTE) {
              if (i + 1 >= to && !final) return recStart;
              if (i + 1 < to && buf[i + 1] === QUOTE) {
                kind = 2;
                i += 2;
                continue;
              }
              break;
            }
            if (c === LF) lines++;
            i++;
          }
          f.push(s, i, kind);
          i++; // the closing quote
          if (i >= to) {
            if (!final) return recStart;
            break;
          }
          const c = buf[i];
          if (c === COMMA) {
            i++;
            continue;
          }
          if (c === LF) {
            i++;
            lines++;
            break;
          }
          if (c === CR) {
            if (i + 1 >= to && !final) return recStart;
            if (i + 1 < to && buf[i + 1] === LF) {
              i += 2;
              lines++;
              break;
            }
          }
          throw new CsvSyntaxError(
            "invalid-closing-quote",
            this.linesBefore + lines + 1,
            f.count,
            `a closing quote is followed by ${JSON.stringify(String.fromCharCode(c))} instead of a comma or the end of the line`,
          );
        }
        const s = i;
        let c = 0;
        while (i < to) {
          c = buf[i];
          if (c === COMMA || c === LF) break;
          if (c === QUOTE)
            throw new CsvSyntaxError(
              "invalid-opening-quote",
              this.linesBefore + lines + 1,
              f.count + 1,
              "a quote inside an unquoted field (quote the whole field and double the quotes in it)",
            );
          i++;
        }
        if (i >= to) {
          if (!final) return recStart;
          f.push(s, i, 0);
          break;
        }
        if (c === COMMA) {
          f.push(s, i, 0);
          i++;
          continue;
        }
        f.push(s, i > s && buf[i - 1] === CR ? i - 1 : i, 0);
        i++;
        lines++;
        break;
      }
      // The line the record ends on: a newline ending it is not counted, one inside a quoted field is.
      const ended = i > recStart && buf[i - 1] === LF ? 1 : 0;
      const line = this.linesBefore + lines - ended + 1;
      this.linesBefore += lines;
      if (f.count === 1 && f.kind[0] === 0 && f.end[0] === f.start[0]) continue; // an empty line
      onRecord(line);
    }
    return to;
  }
}

/** A UTF-8 byte-order mark at `at`? */
export const hasBom = (buf: Buffer, at: number, to: number): boolean =>
  to - at >= 3 && buf[at] === 0xef && buf[at + 1] === 0xbb && buf[at + 2] === 0xbf;

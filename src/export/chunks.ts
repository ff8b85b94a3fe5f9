import { parse } from "csv-parse/sync";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { ByteRange } from "./read-table";

const QUOTE = 0x22;
const NEWLINE = 0x0a;
const SCAN_BYTES = 8 << 20;

/**
 * Cuts a CSV file into byte ranges of about `chunkBytes` that start on record boundaries, so several threads can
 * parse one file. A boundary is a newline outside quotes: an even number of `"` before it (RFC 4180 doubles a quote
 * inside a quoted field, so the count's parity says whether a field is open). One pass over the bytes, which also
 * brings the file into the page cache for the readers. null: no header line to cut after (the one-thread reader
 * then reports whatever is wrong).
 */
export function planChunks(path: string, chunkBytes: number): ByteRange[] | null {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const bounds = boundaries(fd, size, chunkBytes);
    if (bounds.length === 0) return null;
    const header = headerCells(fd, bounds[0]);
    if (!header) return null;
    const ends = [...bounds.slice(1), size];
    return bounds.map((start, k) => ({ start, end: ends[k], header })).filter((r) => r.end > r.start);
  } finally {
    closeSync(fd);
  }
}

/** The header's end, then the first record boundary at or after every `chunkBytes` past the previous one. */
function boundaries(fd: number, size: number, chunkBytes: number): number[] {
  const buf = Buffer.allocUnsafe(Math.min(SCAN_BYTES, size));
  const bounds: number[] = [];
  let odd = false; // inside a quoted field
  let next = 0; // where the next boundary may start (0: the header's end is the first)
  for (let base = 0; base < size; ) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, size - base), base);
    if (n <= 0) break;
    const view = buf.subarray(0, n);
    let i = 0;
    while (i < n) {
      if (base + i < next) {
        const to = Math.min(n, next - base);
        if (countQuotes(view, i, to) % 2 === 1) odd = !odd;
        i = to;
        continue;
      }
      const nl = view.indexOf(NEWLINE, i);
      const to = nl < 0 ? n : nl;
      if (countQuotes(view, i, to) % 2 === 1) odd = !odd;
      i = to + 1;
      if (nl < 0 || odd) continue;
      bounds.push(base + i);
      next = base + i + chunkBytes;
    }
    base += n;
  }
  return bounds;
}

function countQuotes(buf: Buffer, from: number, to: number): number {
  const part = buf.subarray(from, to);
  let count = 0;
  for (let i = part.indexOf(QUOTE); i !== -1; i = part.indexOf(QUOTE, i + 1)) count++;
  return count;
}

function headerCells(fd: number, bytes: number): string[] | null {
  const buf = Buffer.alloc(bytes);
  readSync(fd, buf, 0, bytes, 0);
  try {
    const records = parse(buf, { bom: true }) as string[][];
    return records.length === 1 ? records[0] : null;
  } catch {
    return null;
  }
}

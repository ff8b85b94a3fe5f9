import { parse } from "csv-parse/sync";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { ByteRange } from "./read-table";

const QUOTE = 0x22;
const NEWLINE = 0x0a;
const PROBE_BYTES = 64 << 10;

/**
 * Cuts a CSV file into byte ranges of about `chunkBytes`, each starting just after a newline, so several threads
 * can parse one file without reading it first. A newline inside a quoted field would be a wrong cut; whoever reads
 * the ranges checks that with `quoteParityOk` from the quote counts the readers report, and reads on from a wrong
 * cut in one piece. null: no header line (the one-thread reader then reports whatever is wrong).
 */
export function planChunks(path: string, chunkBytes: number): ByteRange[] | null {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const headerEnd = nextBoundary(fd, 0, size, true);
    if (headerEnd < 0) return null;
    const header = headerCells(fd, headerEnd);
    if (!header) return null;
    const starts = [headerEnd];
    for (
      let b = nextBoundary(fd, headerEnd + chunkBytes, size, false);
      b > 0 && b < size;
      b = nextBoundary(fd, b + chunkBytes, size, false)
    )
      starts.push(b);
    return starts.map((start, k) => ({ start, end: starts[k + 1] ?? size, header })).filter((r) => r.end > r.start);
  } finally {
    closeSync(fd);
  }
}

/**
 * RFC 4180 doubles a quote inside a quoted field, so an even number of `"` before a cut means no field was open
 * there. `quotesBefore` = quotes from the file start to the range's start.
 */
export const quoteParityOk = (quotesBefore: number): boolean => quotesBefore % 2 === 0;

/** Quotes in a buffer (what a reader adds up for its range). */
export function countQuotes(buf: Uint8Array): number {
  let count = 0;
  for (let i = buf.indexOf(QUOTE); i !== -1; i = buf.indexOf(QUOTE, i + 1)) count++;
  return count;
}

/**
 * The offset just after the first newline at or after `from` (outside quotes counted from `from` when `balanced`,
 * for the header), or -1 when there is none before the end.
 */
function nextBoundary(fd: number, from: number, size: number, balanced: boolean): number {
  const buf = Buffer.allocUnsafe(PROBE_BYTES);
  let quotes = 0;
  for (let at = from; at < size;) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, size - at), at);
    if (n <= 0) return -1;
    const view = buf.subarray(0, n);
    for (let i = view.indexOf(NEWLINE); i !== -1; i = view.indexOf(NEWLINE, i + 1)) {
      if (!balanced) return at + i + 1;
      quotes += countQuotes(view.subarray(i === 0 ? 0 : view.lastIndexOf(NEWLINE, i - 1) + 1, i));
      if (quoteParityOk(quotes)) return at + i + 1;
    }
    if (balanced) quotes += countQuotes(view.subarray(view.lastIndexOf(NEWLINE) + 1));
    at += n;
  }
  return -1;
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

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_MODEL, FactsBuilder, type FactsTable } from "../../src/engine";
import { planChunks } from "../../src/export-reader/chunks";
import { readAccounts } from "../../src/export-reader/load";
import {
  BYTES_PER_READER_THREAD,
  defaultReaderThreads,
  RowTablesReader,
  type ParallelOptions,
} from "../../src/export-reader/parallel-facts";
import { generateSample } from "../../src/sample";

/** Reading big files in chunks on worker threads gives exactly what the one-thread reader gives, errors included. */

const AS_OF = Date.UTC(2025, 0, 1);
const EOL = "\r\n"; // as the sample generator writes
const CHUNK = 24_000; // bytes: dozens of chunks per file of the small sample
let root: string;
let sample: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "parallel-facts-"));
  sample = join(root, "sample");
  await generateSample({ accounts: 800, seed: 7, asOf: AS_OF, months: 36, out: sample });
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function load(
  dir: string,
  options: ParallelOptions,
): Promise<{ facts: FactsTable; chunks: Record<string, number> }> {
  const reader = RowTablesReader.start(dir, DEFAULT_MODEL, AS_OF, { minParallelBytes: 0, ...options });
  const b = new FactsBuilder(await readAccounts(dir), DEFAULT_MODEL, AS_OF);
  const chunks = await reader.into(b);
  return { facts: b.build(), chunks };
}

const plain = (t: FactsTable): unknown => ({
  columns: [t.monetary, t.frequency, t.lastEvent, t.won, t.pipeline, t.firstInvoice, t.lastTouch, t.quarters].map((c) =>
    Array.from(c),
  ),
  skipped: t.skipped,
});

/** A copy of the sample with one file replaced by `edit` of its text. */
function variant(name: string, file: string, edit: (text: string) => string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const f of ["accounts.csv", "invoices.csv", "opportunities.csv", "activities.csv"]) {
    const text = readFileSync(join(sample, f), "utf8");
    writeFileSync(join(dir, f), f === file ? edit(text) : text, { flag: "w" });
  }
  return dir;
}

describe("row tables read in chunks on worker threads", () => {
  it("by default, a thread per BYTES_PER_READER_THREAD of row files, at least one, at most one per core", () => {
    const mb = 1 << 20;
    expect(BYTES_PER_READER_THREAD).toBe(320 * mb);
    // 100k accounts (245 MB): one thread; 1m accounts (2.5 GB) on 2 cores: two; on 8 cores: seven.
    expect(defaultReaderThreads(245 * mb, 2)).toBe(1);
    expect(defaultReaderThreads(0, 4)).toBe(1);
    expect(defaultReaderThreads(2 * BYTES_PER_READER_THREAD, 4)).toBe(2);
    expect(defaultReaderThreads(2500 * mb, 2)).toBe(2);
    expect(defaultReaderThreads(2500 * mb, 8)).toBe(7);
  });

  it("a small folder read without a threads option stays on the calling thread", async () => {
    expect((await load(sample, {})).chunks).toEqual({ invoices: 0, opportunities: 0, activities: 0 });
  });

  it("give the facts of the one-thread reader, with 2 and 3 threads", async () => {
    const one = await load(sample, { workers: 1 });
    expect(one.chunks).toEqual({ invoices: 0, opportunities: 0, activities: 0 });
    for (const workers of [2, 3]) {
      const many = await load(sample, { workers, chunkBytes: CHUNK });
      expect(many.chunks.invoices).toBeGreaterThan(10);
      expect(many.chunks.activities).toBeGreaterThan(5);
      expect(plain(many.facts)).toEqual(plain(one.facts));
    }
    expect(one.facts.monetary.some((m) => m > 0)).toBe(true);
  });

  /** The sample's invoices with an extra column (ignored by the reader) of quoted text on most rows. */
  const withNotes = (name: string, note: (i: number) => string): string =>
    variant(name, "invoices.csv", (text) =>
      text
        .split(EOL)
        .map((line, i) =>
          line === "" ? line : i === 0 ? `${line},note` : `${line},${i % 4 === 0 ? "plain" : note(i)}`,
        )
        .join(EOL),
    );
  const quotesBefore = (text: Buffer, at: number): number => text.subarray(0, at).filter((c) => c === 0x22).length;

  it("read on in one piece from a cut inside a quoted field that holds newlines", async () => {
    const dir = withNotes("quoted-multiline", (i) => `"line one, of ""${i}""\nline two\r\n\nline four"`);
    const text = readFileSync(join(dir, "invoices.csv"));
    const ranges = planChunks(join(dir, "invoices.csv"), CHUNK)!;
    expect(ranges.length).toBeGreaterThan(10);
    for (const r of ranges) expect(text[r.start - 1]).toBe(0x0a);
    expect(ranges.map((r) => r.end).slice(0, -1)).toEqual(ranges.map((r) => r.start).slice(1));
    expect(ranges[ranges.length - 1].end).toBe(text.length);
    // The planner cuts at the first newline without reading the file, so some cut lands inside a note.
    const wrong = ranges.findIndex((r) => quotesBefore(text, r.start) % 2 === 1);
    expect(wrong).toBeGreaterThan(0);

    const many = await load(dir, { workers: 2, chunkBytes: CHUNK });
    // Chunks before the first wrong cut were folded; the rest of the file was read on the calling thread.
    expect(many.chunks.invoices).toBe(wrong - 1);
    expect(plain(many.facts)).toEqual(plain((await load(sample, { workers: 1 })).facts));
  });

  it("fold every chunk of a quoted file whose cuts are all right", async () => {
    const dir = withNotes("quoted-one-line", (i) => `"note, ""${i}"""`);
    const ranges = planChunks(join(dir, "invoices.csv"), CHUNK)!;
    const many = await load(dir, { workers: 2, chunkBytes: CHUNK });
    expect(many.chunks.invoices).toBe(ranges.length);
    expect(plain(many.facts)).toEqual(plain((await load(sample, { workers: 1 })).facts));
  });

  it("report the first bad cell in file order with the one-thread reader's file, line and column", async () => {
    const lines = readFileSync(join(sample, "invoices.csv"), "utf8").split(EOL);
    const late = Math.floor(lines.length * 0.8);
    const early = Math.floor(lines.length * 0.3);
    const breakAmount = (line: string): string =>
      line
        .split(",")
        .map((c, k) => (k === 2 ? "12;50" : c))
        .join(",");
    const one = variant("bad-late", "invoices.csv", (t) =>
      t
        .split(EOL)
        .map((l, i) => (i === late ? breakAmount(l) : l))
        .join(EOL),
    );
    const expected = `invoices.csv:${late + 1} column 3 (totalamount_base): "12;50" is not a number`;
    await expect(load(one, { workers: 1 })).rejects.toThrow(expected);
    await expect(load(one, { workers: 2, chunkBytes: CHUNK })).rejects.toThrow(expected);

    const two = variant("bad-two", "invoices.csv", (t) =>
      t
        .split(EOL)
        .map((l, i) => (i === late || i === early ? breakAmount(l) : l))
        .join(EOL),
    );
    await expect(load(two, { workers: 2, chunkBytes: CHUNK })).rejects.toThrow(`invoices.csv:${early + 1} column 3`);
  });

  it("report a row with the wrong number of fields in a later chunk at its line", async () => {
    const lines = readFileSync(join(sample, "activities.csv"), "utf8").split(EOL);
    const at = Math.floor(lines.length * 0.7);
    const dir = variant("bad-fields", "activities.csv", (t) =>
      t
        .split(EOL)
        .map((l, i) => (i === at ? `${l},surplus` : l))
        .join(EOL),
    );
    const sequential = await load(dir, { workers: 1 }).then(
      () => "no error",
      (e: Error) => e.message,
    );
    expect(sequential).toMatch(new RegExp(`^activities\\.csv:${at + 1}: the row has 6 fields; the header has 5`));
    await expect(load(dir, { workers: 2, chunkBytes: CHUNK })).rejects.toThrow(sequential);
  });
});

describe("an unterminated quote", () => {
  it("is reported on the line it opens on, with any thread count", async () => {
    const at = 1000; // 0-based index of line 1,001
    const dir = variant("unterminated", "invoices.csv", (t) =>
      t
        .split(EOL)
        .map((l, i) => (i === at ? l.replace(",", ',"') : l))
        .join(EOL),
    );
    expect(readFileSync(join(dir, "invoices.csv"), "utf8").split(EOL).length).toBeGreaterThan(3 * at);
    const expected = new RegExp(`^invoices\\.csv:${at + 1}: a quoted field opened on this line is never closed$`);
    for (const workers of [1, 2, 3]) await expect(load(dir, { workers, chunkBytes: CHUNK })).rejects.toThrow(expected);
  });
});

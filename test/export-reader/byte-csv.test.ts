import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  amount,
  instant,
  optionalInstant,
  optionalNumber,
  optionalPercent,
  required,
  state,
  text,
} from "../../src/export-reader/cells";
import {
  amountBytes,
  FALLBACK,
  instantBytes,
  knownTextBytes,
  optionalInstantBytes,
  optionalNumberBytes,
  optionalPercentBytes,
  requiredTextBytes,
  stateBytes,
  textBytes,
  type BytesParser,
} from "../../src/export-reader/cell-bytes";
import { readTableWithCsvParse } from "../../src/export-reader/csv-parse-reader";
import { InputError } from "../../src/export-reader/input-error";
import { readTable, type TableSpec } from "../../src/export-reader/read-table";

/**
 * The byte reader against csv-parse, the reference (src/export-reader/csv-parse-reader): generated RFC 4180 files
 * with quotes, CRLF or LF, a BOM, non-ASCII text, empty cells and empty lines give the same values; broken files give
 * the same error on the same line. One deliberate difference: an unclosed quote is reported on the line it opens on
 * (csv-parse names the last line of the file).
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
let root: string;
beforeAll(() => (root = mkdtempSync(join(tmpdir(), "byte-csv-"))));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Fault =
  | { kind: "unclosed"; row: number; col: number }
  | { kind: "stray-quote"; row: number; col: number }
  | { kind: "after-closing-quote"; row: number; col: number }
  | { kind: "width"; row: number; extra: boolean };

interface Doc {
  header: string[];
  rows: string[][];
  quoted: boolean[][];
  eol: "\n" | "\r\n";
  bom: boolean;
  trailingEol: boolean;
  emptyLineAfter: number[];
  fault: Fault | null;
}

const cell = fc.oneof(
  fc.constantFrom("", "a", "12.50", "2024-02-29", "Zoë", "東京", "x y"),
  fc.string({ unit: fc.constantFrom("a", "Z", "1", ",", '"', "\n", "\r\n", "é", "😀", " "), maxLength: 7 }),
);

const doc: fc.Arbitrary<Doc> = fc.integer({ min: 1, max: 4 }).chain((width) =>
  fc.record({
    header: fc.constant(Array.from({ length: width }, (_, k) => `c${k}`)),
    rows: fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 12 }),
    quoted: fc.array(fc.array(fc.boolean(), { minLength: width, maxLength: width }), {
      minLength: 12,
      maxLength: 12,
    }),
    eol: fc.constantFrom("\n" as const, "\r\n" as const),
    bom: fc.boolean(),
    trailingEol: fc.boolean(),
    emptyLineAfter: fc.array(fc.nat(12), { maxLength: 2 }),
    fault: fc.option(
      fc.record({
        kind: fc.constantFrom("unclosed", "stray-quote", "after-closing-quote", "width"),
        row: fc.nat(11),
        col: fc.nat(width - 1),
        extra: fc.boolean(),
      }) as fc.Arbitrary<Fault>,
      { freq: 2 },
    ),
  }),
);

const needsQuotes = (s: string): boolean => /[",\r\n]/.test(s);
const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/**
 * The file's text; the line an unclosed quote opens on (when the fault is one); and how many CRs inside quoted fields
 * come before the fault. csv-parse counts each of those as a line break of its own (a CRLF inside quotes as two); the
 * byte reader counts lines as editors do, so the reference's line is that much higher.
 */
function render(d: Doc): { text: string; openLine: number | null; quotedCRs: number } {
  let text = d.header.join(",");
  let openLine: number | null = null;
  let quotedCRs = 0;
  const crs = (cells: string[]): number => cells.reduce((n, c) => n + c.split("\r").length - 1, 0);
  const fault = d.fault && d.fault.row < d.rows.length ? d.fault : null;
  d.rows.forEach((row, r) => {
    if (openLine !== null) return; // the file ends in the unclosed field
    text += d.eol;
    if (d.emptyLineAfter.includes(r)) text += d.eol;
    let cells = row.map((c, k) => (needsQuotes(c) || d.quoted[r][k] ? quote(c) : c));
    if (!fault || r < fault.row) quotedCRs += crs(row);
    if (fault?.row === r) {
      const k = "col" in fault ? Math.min(fault.col, cells.length - 1) : 0;
      quotedCRs += crs(fault.kind !== "width" ? row.slice(0, k) : fault.extra ? row : row.slice(1));
      if (fault.kind === "width") cells = fault.extra ? [...cells, "x"] : cells.length > 1 ? cells.slice(1) : [];
      else if (fault.kind === "stray-quote") cells[k] = `a"b`;
      else if (fault.kind === "after-closing-quote") cells[k] = `"a"b`;
      else {
        const before = cells.slice(0, k).join(",") + (k > 0 ? "," : "");
        openLine = (text + before).split("\n").length;
        cells = [...cells.slice(0, k), `"open, with text, ""quotes"" and${d.eol}a line break`];
      }
    }
    text += cells.join(",");
  });
  if (d.trailingEol && openLine === null) text += d.eol;
  return { text: (d.bom ? "\uFEFF" : "") + text, openLine, quotedCRs };
}

let files = 0;
const spec = (file: string, header: string[]): TableSpec<string[]> => ({
  file,
  // Every other column as the row tables' account ids are read: from bytes, repeats compared as bytes (LastCell).
  columns: header.map((name, k) => ({
    name,
    parse: text,
    required: true,
    ...(k % 2 === 0 && { bytes: textBytes, repeats: true }),
  })),
  toRow: (v) => (v as string[]).slice(),
});

async function outcome(
  read: (onRow: (r: string[]) => void) => Promise<number>,
): Promise<{ rows: string[][] } | { error: { line: number | null; column: string | null; reason: string } }> {
  const rows: string[][] = [];
  try {
    await read((r) => rows.push(r));
    return { rows };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { error: { line: e.line, column: e.column, reason: e.reason } };
  }
}

describe("the byte reader reads what csv-parse reads", () => {
  it("values and error lines of generated files, read in blocks of any size", async () => {
    await fc.assert(
      fc.asyncProperty(doc, fc.integer({ min: 1, max: 64 }), async (d, blockBytes) => {
        const { text: body, openLine, quotedCRs } = render(d);
        const file = `t${files++}.csv`;
        writeFileSync(join(root, file), body);
        const s = spec(file, d.header);
        const ours = await outcome((onRow) => readTable(root, s, onRow, { blockBytes }));
        const ref = await outcome((onRow) => readTableWithCsvParse(root, s, onRow));
        if ("rows" in ref) return void expect(ours).toEqual(ref);
        expect("error" in ours).toBe(true);
        if (!("error" in ours)) return;
        if (/Quote Not Closed/.test(ref.error.reason)) expect(ours.error.line).toBe(openLine);
        else if (/fields; the header has/.test(ref.error.reason))
          expect(ours.error).toEqual({ ...ref.error, line: ref.error.line! - quotedCRs });
        else expect(ours.error.line).toBe(ref.error.line! - quotedCRs);
      }),
      { numRuns: RUNS },
    );
  });
});

/** Cell texts near the shapes the fast paths read, and past them. */
const cellText = fc.oneof(
  fc.string({ unit: fc.constantFrom("0", "1", "5", "9", ".", "-", "+", "e", " "), maxLength: 20 }),
  fc.tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.nat(99)).map(([a, b]) => `${a}.${b}`),
  fc.date({ min: new Date(Date.UTC(1, 0, 1)), max: new Date(Date.UTC(9999, 0, 1)), noInvalidDate: true }).map((t) => {
    const iso = t.toISOString().replace(/^\+0*/, "");
    return iso.length === 24 ? iso.slice(0, 19) + "Z" : iso.slice(0, 10);
  }),
  fc.constantFrom("email", "emaik", "emails", "phonecall", "appointment", "task", "é"),
  fc.constantFrom("2023-02-29", "2024-02-29", "2024-13-01", "2024-01-01T24:00:00Z", "0050-01-01", "1", "3", "12"),
);

const pairs: [string, (s: string) => unknown, BytesParser][] = [
  ["amount", amount, amountBytes],
  ["optionalNumber", optionalNumber, optionalNumberBytes],
  ["optionalPercent", optionalPercent, optionalPercentBytes],
  ["instant", instant, instantBytes],
  ["optionalInstant", optionalInstant, optionalInstantBytes],
  ["state", state({ a: 0, b: 1, c: 2, d: 3 }), stateBytes({ a: 0, b: 1, c: 2, d: 3 })],
  ["text", text, textBytes],
  ["required", required, requiredTextBytes],
  ["activitytypecode", required, knownTextBytes(["email", "phonecall", "appointment"])],
];

describe("the byte fast paths give what the string rules give", () => {
  it.each(pairs)("%s: the same value, or FALLBACK (then the string rule decides)", (_name, rule, bytes) => {
    fc.assert(
      fc.property(cellText, (s) => {
        const buf = Buffer.from(`,${s},`);
        const fast = bytes(buf, 1, buf.length - 1);
        if (fast === FALLBACK) return;
        expect(Object.is(fast, rule(s)) || fast === rule(s)).toBe(true);
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

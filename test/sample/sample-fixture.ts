import { parse } from "csv-parse/sync";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { CliIo } from "../../cli/command";
import { SAMPLE_FILES, type SampleFile } from "../../src/sample";

export type Row = Record<string, string>;
export type Folder = Record<SampleFile, Row[]>;

export const tempDirs: string[] = [];
export function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tiering-sample-test-"));
  tempDirs.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Parses every file with csv-parse (RFC 4180, strict column counts) and checks its header is exactly the contract's. */
export function readFolder(dir: string): Folder {
  const folder = {} as Folder;
  for (const key of Object.keys(SAMPLE_FILES) as SampleFile[]) {
    const text = readFileSync(path.join(dir, SAMPLE_FILES[key].file), "utf8");
    const records = parse(text, { relax_column_count: false, bom: false }) as string[][];
    const [header, ...body] = records;
    expect(header).toEqual([...SAMPLE_FILES[key].header]);
    folder[key] = body.map((fields) => Object.fromEntries(header.map((h, i) => [h, fields[i]])));
  }
  return folder;
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
export const MONEY = /^-?\d+\.\d{2}$/;

/**
 * Everything the export-folder contract promises, for any sample: the checks the property test repeats.
 * Collects problems (file, data line, column) and asserts once, so a large sample stays fast to check.
 */
export function expectConsistent(f: Folder, accounts: number, asOf: number, start: number): void {
  const problems: string[] = [];
  const fail = (file: string, line: number, what: string): void => {
    if (problems.length < 20) problems.push(`${file} data line ${line + 1}: ${what}`);
  };
  const ids = new Set(f.accounts.map((a) => a.accountid));
  if (f.accounts.length !== accounts) problems.push(`accounts.csv has ${f.accounts.length} rows, expected ${accounts}`);
  if (ids.size !== f.accounts.length) problems.push("accounts.csv has duplicate accountid values");
  const seen = new Set<string>(ids);
  const check = (file: string, line: number, column: string, value: string, ok: boolean): void => {
    if (!ok) fail(file, line, `${column} = ${JSON.stringify(value)}`);
  };
  const guid = (file: string, line: number, column: string, value: string): void => {
    check(file, line, column, value, GUID.test(value) && !seen.has(value));
    seen.add(value);
  };
  const inPeriod = (v: string): boolean => INSTANT.test(v) && Date.parse(v) < asOf && Date.parse(v) >= start;
  const money = (v: string, sign: 1 | -1 | 0): boolean =>
    MONEY.test(v) && (sign === 0 ? Number(v) !== 0 : Math.sign(Number(v)) === sign);

  f.accounts.forEach((a, i) => {
    check("accounts.csv", i, "accountid", a.accountid, GUID.test(a.accountid));
    check("accounts.csv", i, "name", a.name, a.name.trim().length > 0);
    check("accounts.csv", i, "statecode", a.statecode, a.statecode === "0" || a.statecode === "1");
  });
  f.invoices.forEach((r, i) => {
    const file = "invoices.csv";
    guid(file, i, "invoiceid", r.invoiceid);
    check(file, i, "customerid", r.customerid, ids.has(r.customerid));
    check(file, i, "totalamount_base", r.totalamount_base, money(r.totalamount_base, 0));
    check(file, i, "statecode", r.statecode, ["0", "2", "3"].includes(r.statecode));
    check(file, i, "createdon", r.createdon, inPeriod(r.createdon));
  });
  f.opportunities.forEach((r, i) => {
    const file = "opportunities.csv";
    guid(file, i, "opportunityid", r.opportunityid);
    check(file, i, "customerid", r.customerid, ids.has(r.customerid));
    check(file, i, "estimatedvalue_base", r.estimatedvalue_base, money(r.estimatedvalue_base, 1));
    check(
      file,
      i,
      "estimatedclosedate",
      r.estimatedclosedate,
      /^\d{4}-\d{2}-\d{2}T00:00:00Z$/.test(r.estimatedclosedate),
    );
    if (r.statecode === "0") {
      const p = r.closeprobability;
      check(file, i, "closeprobability", p, /^\d{1,3}$/.test(p) && Number(p) <= 100);
      check(file, i, "actualclosedate", r.actualclosedate, r.actualclosedate === "");
      check(file, i, "actualvalue_base", r.actualvalue_base, r.actualvalue_base === "");
      // An open deal expects to close after the as-of date.
      check(file, i, "estimatedclosedate", r.estimatedclosedate, Date.parse(r.estimatedclosedate) >= asOf);
    } else {
      check(file, i, "statecode", r.statecode, r.statecode === "1" || r.statecode === "2");
      check(file, i, "closeprobability", r.closeprobability, r.closeprobability === "");
      check(
        file,
        i,
        "actualclosedate",
        r.actualclosedate,
        inPeriod(r.actualclosedate) && r.actualclosedate.endsWith("T00:00:00Z"),
      );
      const won = r.statecode === "1";
      check(
        file,
        i,
        "actualvalue_base",
        r.actualvalue_base,
        won ? money(r.actualvalue_base, 1) : r.actualvalue_base === "",
      );
    }
  });
  f.activities.forEach((r, i) => {
    const file = "activities.csv";
    guid(file, i, "activityid", r.activityid);
    check(file, i, "regardingobjectid", r.regardingobjectid, ids.has(r.regardingobjectid));
    check(
      file,
      i,
      "activitytypecode",
      r.activitytypecode,
      ["phonecall", "appointment", "email"].includes(r.activitytypecode),
    );
    check(file, i, "statecode", r.statecode, r.statecode === "0" || r.statecode === "1");
    check(file, i, "actualend", r.actualend, r.statecode === "1" ? inPeriod(r.actualend) : r.actualend === "");
  });
  expect(problems).toEqual([]);
}

/** A CliIo whose output is kept in memory. */
export function memoryIo(cwd: string): CliIo & { out(): string; err(): string } {
  const chunks = { out: [] as string[], err: [] as string[] };
  const sink = (into: string[]): Writable =>
    new Writable({
      write(chunk: Buffer | string, _enc, done) {
        into.push(chunk.toString());
        done();
      },
    });
  return {
    stdout: sink(chunks.out),
    stderr: sink(chunks.err),
    cwd,
    out: () => chunks.out.join(""),
    err: () => chunks.err.join(""),
  };
}

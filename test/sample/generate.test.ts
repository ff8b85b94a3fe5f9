import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SAMPLE_FILES, generateSample, periodStart } from "../../src/sample";
import { expectConsistent, readFolder, removeTempDirs, tempDir, type Folder } from "./sample-fixture";

const AS_OF = Date.UTC(2026, 6, 1);
const MONTHS = 27;
const START = periodStart(AS_OF, MONTHS);
const DAY = 86_400_000;

afterAll(removeTempDirs);

async function sample(accounts: number, seed: number, out = tempDir()): Promise<string> {
  await generateSample({ accounts, seed, asOf: AS_OF, months: MONTHS, out });
  return out;
}

const fileBytes = (dir: string): Buffer[] =>
  Object.values(SAMPLE_FILES).map((f) => readFileSync(path.join(dir, f.file)));

describe("determinism", () => {
  it("gives byte-identical files for the same seed and arguments", async () => {
    const a = fileBytes(await sample(400, 7));
    const b = fileBytes(await sample(400, 7));
    a.forEach((bytes, i) => expect(bytes.equals(b[i])).toBe(true));
  });

  it("gives different files for a different seed", async () => {
    const a = fileBytes(await sample(400, 7));
    const b = fileBytes(await sample(400, 8));
    a.forEach((bytes, i) => expect(bytes.equals(b[i])).toBe(false));
  });

  it("writes exactly what csv-stringify writes for the same records (RFC 4180, CRLF)", async () => {
    const dir = await sample(400, 7);
    for (const f of Object.values(SAMPLE_FILES)) {
      const text = readFileSync(path.join(dir, f.file), "utf8");
      expect(stringify(parse(text) as string[][], { record_delimiter: "windows" })).toBe(text);
    }
  });

  it("writes RFC 4180 CSV with CRLF record ends and quoted names", async () => {
    const text = readFileSync(path.join(await sample(400, 7), "accounts.csv"), "utf8");
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text.split("\r\n").every((line) => !line.includes("\n"))).toBe(true);
    expect(text).toMatch(/,"[^"\r\n]*, [^"\r\n]*",[01]\r\n/); // a name with a comma, quoted
    expect(text).toMatch(/,"""[^"]+"" [^\r\n]*",[01]\r\n/); // a name with quotes, doubled
  });
});

describe("a sample of 3,000 accounts", () => {
  let f: Folder;
  beforeAll(async () => {
    f = readFolder(await sample(3000, 42));
  });

  it("keeps the export-folder contract: headers, ids, references, value domains, dates before as-of", () => {
    expectConsistent(f, 3000, AS_OF, START);
  });

  it("has names with commas, quotes and non-ASCII letters that survive parsing", () => {
    const names = f.accounts.map((a) => a.name);
    expect(names.some((n) => n.includes(","))).toBe(true);
    expect(names.some((n) => n.includes('"'))).toBe(true);
    expect(names.some((n) => /[^\x20-\x7e]/.test(n))).toBe(true);
  });

  it("has active and inactive accounts", () => {
    const inactive = f.accounts.filter((a) => a.statecode === "1").length;
    expect(inactive).toBeGreaterThan(0);
    expect(inactive / f.accounts.length).toBeLessThan(0.15);
  });

  it("puts roughly half the trailing-12-month revenue on the top 10 % of active accounts", () => {
    const windowStart = Date.UTC(2025, 6, 1);
    const revenue = new Map<string, number>();
    for (const inv of f.invoices) {
      const t = Date.parse(inv.createdon);
      if ((inv.statecode === "0" || inv.statecode === "2") && t >= windowStart && t < AS_OF) {
        revenue.set(inv.customerid, (revenue.get(inv.customerid) ?? 0) + Number(inv.totalamount_base));
      }
    }
    const active = f.accounts.filter((a) => a.statecode === "0").map((a) => revenue.get(a.accountid) ?? 0);
    active.sort((x, y) => y - x);
    const total = active.reduce((s, v) => s + v, 0);
    const top = active.slice(0, Math.ceil(active.length / 10)).reduce((s, v) => s + v, 0);
    expect(top / total).toBeGreaterThan(0.35);
    expect(top / total).toBeLessThan(0.65);
    // ...and a share of active accounts bought nothing in those 12 months.
    const silent = active.filter((v) => v === 0).length / active.length;
    expect(silent).toBeGreaterThan(0.05);
    expect(silent).toBeLessThan(0.35);
  });

  it("has paid, open and canceled invoices and credit notes", () => {
    const states = new Set(f.invoices.map((i) => i.statecode));
    expect([...states].sort()).toEqual(["0", "2", "3"]);
    const paid = f.invoices.filter((i) => i.statecode === "2").length;
    expect(paid / f.invoices.length).toBeGreaterThan(0.7);
    const credits = f.invoices.filter((i) => Number(i.totalamount_base) < 0);
    expect(credits.length).toBeGreaterThan(0);
    expect(credits.length / f.invoices.length).toBeLessThan(0.1);
  });

  it("invoices on weekdays only, with more in December than in August", () => {
    const days = f.invoices.map((i) => new Date(i.createdon));
    expect(days.every((d) => d.getUTCDay() >= 1 && d.getUTCDay() <= 5)).toBe(true);
    const inMonth = (m: number): number => days.filter((d) => d.getUTCMonth() === m).length;
    // The period holds two Decembers and two Augusts; demand is seasonal (1.22 vs 0.70).
    expect(inMonth(11)).toBeGreaterThan(1.3 * inMonth(7));
  });

  it("has open, won and lost opportunities and completed and open activities of every type", () => {
    expect(new Set(f.opportunities.map((o) => o.statecode))).toEqual(new Set(["0", "1", "2"]));
    const completed = f.activities.filter((a) => a.statecode === "1");
    expect(completed.length / f.activities.length).toBeGreaterThan(0.8);
    expect(f.activities.some((a) => a.statecode === "0")).toBe(true);
    expect(new Set(completed.map((a) => a.activitytypecode))).toEqual(new Set(["phonecall", "appointment", "email"]));
  });

  it("has declining, growing and newly started accounts by the trend rule of docs/tier-model.md", () => {
    // Quarters as year*4 + quarter; Q0 is the quarter before the one holding as-of, baseline the 4 before Q0.
    const quarter = (t: number): number => new Date(t).getUTCFullYear() * 4 + Math.floor(new Date(t).getUTCMonth() / 3);
    const q0 = quarter(AS_OF) - 1;
    const baselineStart = Date.UTC(2025, 3, 1);
    const byAccount = new Map<string, { first: number; q: Map<number, number> }>();
    for (const inv of f.invoices) {
      if (inv.statecode === "3") continue;
      const t = Date.parse(inv.createdon);
      const acc = byAccount.get(inv.customerid) ?? { first: Infinity, q: new Map<number, number>() };
      acc.first = Math.min(acc.first, t);
      acc.q.set(quarter(t), (acc.q.get(quarter(t)) ?? 0) + Number(inv.totalamount_base));
      byAccount.set(inv.customerid, acc);
    }
    const counts = { declining: 0, growing: 0, insufficient: 0, stable: 0 };
    for (const a of f.accounts.filter((x) => x.statecode === "0")) {
      const acc = byAccount.get(a.accountid);
      if (!acc || acc.first > baselineStart) {
        counts.insufficient++;
        continue;
      }
      const base = [1, 2, 3, 4].map((k) => acc.q.get(q0 - k) ?? 0).sort((x, y) => x - y);
      const baseline = (base[1] + base[2]) / 2;
      const now = acc.q.get(q0) ?? 0;
      if (baseline > 0 && now <= 0.7 * baseline && baseline - now >= 1000) counts.declining++;
      else if (now >= 1.3 * baseline && now - baseline >= 1000) counts.growing++;
      else counts.stable++;
    }
    // Stable is the largest group; the lifecycles put about a tenth each on declining and growing, counting
    // noise of once-a-quarter buyers adds to both.
    const n = counts.declining + counts.growing + counts.insufficient + counts.stable;
    expect(counts.stable / n).toBeGreaterThan(0.35);
    for (const kind of ["declining", "growing", "insufficient"] as const) {
      expect(counts[kind] / n).toBeGreaterThan(0.07);
      expect(counts[kind] / n).toBeLessThan(counts.stable / n);
    }
  });
});

describe("writing", () => {
  it("replaces the files of an earlier run and leaves no temporary files", async () => {
    const dir = await sample(300, 1);
    await sample(50, 2, dir);
    expect(readdirSync(dir).sort()).toEqual(["accounts.csv", "activities.csv", "invoices.csv", "opportunities.csv"]);
    expect(readFolder(dir).accounts).toHaveLength(50);
  });

  it("leaves no file behind when aborted midway", async () => {
    const dir = tempDir();
    const abort = new AbortController();
    let progressCalls = 0;
    const run = generateSample({
      accounts: 20_000,
      seed: 3,
      asOf: AS_OF,
      months: MONTHS,
      out: dir,
      signal: abort.signal,
      onProgress: () => {
        progressCalls++;
        abort.abort();
      },
    });
    await expect(run).rejects.toThrow();
    expect(progressCalls).toBe(1); // it had started writing
    expect(readdirSync(dir)).toEqual([]);
  });

  it("refuses an --out that is a file, creating nothing", async () => {
    const dir = tempDir();
    const file = path.join(dir, "not-a-folder");
    writeFileSync(file, "x");
    await expect(generateSample({ accounts: 5, seed: 1, asOf: AS_OF, months: MONTHS, out: file })).rejects.toThrow(
      /not a folder/,
    );
    expect(readdirSync(dir)).toEqual(["not-a-folder"]);
  });

  it("streams a larger sample through backpressure to complete files", async () => {
    const dir = await sample(20_000, 11);
    const text = readFileSync(path.join(dir, "invoices.csv"), "utf8");
    const lines = text.split("\r\n");
    expect(lines[lines.length - 1]).toBe("");
    expect(lines.length).toBeGreaterThan(20_000 * 5);
    expect(lines.slice(1, -1).every((l) => l.split(",").length === 5)).toBe(true);
    expect(readFolder(dir).accounts).toHaveLength(20_000);
  });

  it("validates its options", async () => {
    const base = { accounts: 1, seed: 1, asOf: AS_OF, months: 1, out: tempDir() };
    await expect(generateSample({ ...base, accounts: 0 })).rejects.toThrow(/accounts/);
    await expect(generateSample({ ...base, seed: -1 })).rejects.toThrow(/seed/);
    await expect(generateSample({ ...base, seed: 2 ** 32 })).rejects.toThrow(/seed/);
    await expect(generateSample({ ...base, months: 0 })).rejects.toThrow(/months/);
  });
});

it("covers the requested period: a short one ends before as-of and starts at as-of minus months", async () => {
  const asOf = Date.UTC(2025, 0, 1);
  const out = tempDir();
  await generateSample({ accounts: 300, seed: 5, asOf, months: 6, out });
  const f = readFolder(out);
  const start = Date.UTC(2024, 6, 1);
  expectConsistent(f, 300, asOf, start);
  const times = f.invoices.map((i) => Date.parse(i.createdon));
  expect(Math.min(...times)).toBeLessThan(start + 30 * DAY);
  expect(Math.max(...times)).toBeGreaterThan(asOf - 30 * DAY);
});

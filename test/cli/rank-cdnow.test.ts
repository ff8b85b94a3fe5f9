import { parse } from "csv-parse/sync";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseInstant, parseModel, type TierModel } from "../../src/engine";
import { readExportRows } from "../../src/export-reader/load";
import { referenceRank } from "../engine/reference";
import { CDNOW, tempDir, tiering } from "./run-cli";

/**
 * The real CDNOW sample (2,357 customers who first bought in Q1 1997, followed to June 1998) ranked end to end
 * through the built CLI. Expectations come from the data itself and from the independent reference implementation.
 */
type Row = Record<string, string>;
const AS_OF = "1998-07-01";

function rank(modelJson?: object): { rows: Row[]; stdout: string } {
  const dir = tempDir();
  const out = join(dir, "tiers.csv");
  const args = ["rank", "--data", CDNOW, "--as-of", AS_OF, "--out", out];
  if (modelJson) {
    writeFileSync(join(dir, "model.json"), JSON.stringify(modelJson));
    args.push("--model", join(dir, "model.json"));
  }
  const r = tiering(args);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return { rows: parse(readFileSync(out, "utf8"), { columns: true }) as Row[], stdout: r.stdout };
}

const invoices = parse(readFileSync(join(CDNOW, "invoices.csv"), "utf8"), { columns: true }) as Row[];

describe("tiering rank on the CDNOW sample", () => {
  const { rows, stdout } = rank();

  it("writes one row per customer with the docs/export-folder.md columns", () => {
    expect(rows).toHaveLength(2357);
    expect(new Set(rows.map((r) => r.accountid)).size).toBe(2357);
    expect(Object.keys(rows[0]).slice(0, 4)).toEqual(["accountid", "name", "tier", "score"]);
    expect(Object.keys(rows[0])).toContain("trend");
    for (const r of rows) expect(r.score).toMatch(/^\d{1,3}\.\d{6}$/);
  });

  it("puts exactly the customers who bought in the 12 months before July 1998 in the window", () => {
    const start = parseInstant("1997-07-01");
    const end = parseInstant(AS_OF);
    const buyers = new Set(
      invoices
        .filter(
          (i) =>
            parseInstant(i.createdon) >= start && parseInstant(i.createdon) < end && Number(i.totalamount_base) > 0,
        )
        .map((i) => i.customerid),
    );
    const active = rows.filter((r) => r.activeinwindow === "1");
    expect(new Set(active.map((r) => r.accountid))).toEqual(buyers);
    // everyone else has nothing in the window and gets the last tier
    expect(rows.filter((r) => r.activeinwindow === "0").every((r) => r.tier === "C")).toBe(true);
  });

  it("fills AAA/A/B to 10/20/30 % of the active customers, ties at a cut going up", () => {
    const n = rows.filter((r) => r.activeinwindow === "1").length;
    const count = (t: string): number => rows.filter((r) => r.tier === t).length;
    expect(count("AAA")).toBeGreaterThanOrEqual(Math.ceil(0.1 * n));
    expect(count("AAA") + count("A")).toBeGreaterThanOrEqual(Math.ceil(0.3 * n));
    expect(count("AAA") + count("A") + count("B")).toBeGreaterThanOrEqual(Math.ceil(0.6 * n));
    // every AAA customer outscores every A customer
    const minAAA = Math.min(...rows.filter((r) => r.tier === "AAA").map((r) => Number(r.score)));
    const maxA = Math.max(...rows.filter((r) => r.tier === "A").map((r) => Number(r.score)));
    expect(minAAA).toBeGreaterThan(maxA);
  });

  it("finds the super customers: the AAA tier holds far more than its share of revenue", () => {
    const revenue = (t?: string): number =>
      rows.filter((r) => !t || r.tier === t).reduce((s, r) => s + Number(r.monetary), 0);
    expect(revenue("AAA") / revenue()).toBeGreaterThan(0.3);
    // The printed share is over the accounts active in the window, the population the cut is taken over.
    const aaa = /^AAA\s+(\d+)\s+(\d+)\s+([\d.]+) %\s+([\d.]+) %$/m.exec(stdout);
    const total = /^total\s+(\d+)\s+(\d+)\s/m.exec(stdout);
    expect(aaa && total).toBeTruthy();
    expect(Number(aaa![3])).toBeCloseTo((100 * Number(aaa![2])) / Number(total![2]), 1);
    expect(stdout).toContain(`over the ${total![2]} accounts active in the window`);
  });

  it("calls every customer stable by default: no customer's Q2 1998 moved $1,000 from its baseline median", () => {
    const quarterly = new Map<string, number>();
    for (const i of invoices) {
      const d = new Date(parseInstant(i.createdon));
      const key = `${i.customerid}/${d.getUTCFullYear() * 4 + Math.floor(d.getUTCMonth() / 3)}`;
      quarterly.set(key, (quarterly.get(key) ?? 0) + Number(i.totalamount_base));
    }
    const q0 = 1998 * 4 + 1; // Q2 1998, the quarter before the one holding 1998-07-01
    const biggestMove = Math.max(
      ...rows.map((r) => {
        const q = (k: number): number => quarterly.get(`${r.accountid}/${k}`) ?? 0;
        const base = [q(q0 - 1), q(q0 - 2), q(q0 - 3), q(q0 - 4)].sort((a, b) => a - b);
        return Math.abs(q(q0) - (base[1] + base[2]) / 2);
      }),
    );
    expect(biggestMove).toBeLessThan(1000);
    expect(new Set(rows.map((r) => r.trend))).toEqual(new Set(["stable"]));
  });

  it("has enough history for a trend on every customer (all first bought in Q1 1997, before the baseline starts)", () => {
    const sensitive = rank({ trend: { minAbsoluteChange: 20 } }).rows;
    expect(sensitive.filter((r) => r.trend === "insufficient")).toHaveLength(0);
    expect(new Set(sensitive.map((r) => r.trend))).toEqual(new Set(["stable", "declining", "growing"]));
    // most of the Q1 1997 cohort stopped buying: far more decline than grow
    const count = (t: string): number => sensitive.filter((r) => r.trend === t).length;
    expect(count("declining")).toBeGreaterThan(count("growing"));
  });

  it.each<[string, object | undefined]>([
    ["the default model", undefined],
    ["pareto", { method: "pareto" }],
    ["a trend sensitive to $20", { trend: { minAbsoluteChange: 20, baselineQuarters: 3 } }],
    [
      "thresholds, other weights and a 6-month window",
      {
        method: "thresholds",
        windowMonths: 6,
        weights: { monetary: 1, frequency: 1, recency: 1, pipeline: 0, won: 0 },
      },
    ],
  ])("agrees row by row with the independent reference implementation (%s)", async (_, json) => {
    const model: TierModel = parseModel(json ?? {});
    const data = await readExportRows(CDNOW);
    const ref = new Map(
      referenceRank(model, parseInstant(AS_OF), data.accounts, data.invoices, data.opportunities, data.activities).map(
        (r) => [r.accountid, r],
      ),
    );
    const ours = json ? rank(json).rows : rows;
    for (const r of ours) {
      const x = ref.get(r.accountid)!;
      expect([r.accountid, r.tier, r.trend]).toEqual([x.accountid, x.tier, x.trend]);
      expect(Math.abs(Number(r.score) - x.score)).toBeLessThanOrEqual(1e-6);
    }
  });

  it("gives the same output twice", () => {
    expect(rank().rows).toEqual(rows);
    expect(existsSync(CDNOW)).toBe(true);
  });
});

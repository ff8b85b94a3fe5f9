import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_MODEL, outcomeAt, parseModel, type AccountOutcome, type RankResult } from "../../src/engine";
import { rankFacts } from "../../src/engine/rank";
import { loadFacts } from "../../src/export-reader/load";
import { tierDistribution } from "../../src/engine";
import { writeAtomically } from "../../cli/atomic-file";
import { writeTiersCsv } from "../../cli/tiers-csv";
import {
  buildReport,
  readPreviousTiers,
  renderReportHtml,
  GONE_LABEL,
  NEW_LABEL,
  type ReportData,
} from "../../src/report";
import { tiering } from "../cli/run-cli";
import { cdnowWithStoredTiers } from "./fixture";

/**
 * The report's numbers against the engine's own output for the same export folder: per-account outcomes
 * (outcomeAt) and the CLI's tier summary, recomputed here independently of src/report.
 */
const AS_OF = Date.UTC(1998, 6, 1);
// CDNOW customers all start in Q1 1997 and spend tens of dollars: a two-quarter baseline and a small absolute
// change give them trends by mid-1998.
const MODEL = parseModel({ trend: { baselineQuarters: 2, minAbsoluteChange: 20 } });
const PREVIOUS_AS_OF = Date.UTC(1998, 0, 1);
let dir: string;
let ranked: RankResult;
let outcomes: AccountOutcome[];
let previousFile: string;
let previous: Map<string, string>;
let previousStored: Map<string, string>;
let before: AccountOutcome[];
let report: ReportData;

beforeAll(async () => {
  dir = cdnowWithStoredTiers();
  ranked = rankFacts(await loadFacts(dir, MODEL, AS_OF), MODEL);
  outcomes = ranked.facts.accounts.map((_, i) => outcomeAt(ranked, i));
  const earlier = rankFacts(await loadFacts(dir, MODEL, PREVIOUS_AS_OF), MODEL);
  before = earlier.facts.accounts.map((_, i) => outcomeAt(earlier, i));
  previousFile = join(dir, "previous-tiers.csv");
  await writeAtomically(previousFile, (out) => writeTiersCsv(earlier, out));
  previous = await readPreviousTiers(previousFile, ["AAA", "A", "B", "C"]);
  // One account of the previous run that is no longer in the population, one new in this run.
  previous.set("gone-account-1", "A");
  previous.delete(ranked.facts.accounts[5].accountid.toLowerCase());
  previousStored = await readPreviousTiers(previousFile, ["AAA", "A", "B", "C"], "storedtier");
  previousStored.set("gone-account-1", "A");
  previousStored.delete(ranked.facts.accounts[5].accountid.toLowerCase());
  report = buildReport(ranked, { previous, previousStored, previousSource: previousFile, listLimit: 1000 });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const monetary = (o: AccountOutcome): number => o.kpis.find((k) => k.kpi === "monetary")!.value!;

describe("quarterly report numbers", () => {
  it("tier distribution equals the CLI summary and the per-account computed tiers", () => {
    const summary = tierDistribution(ranked);
    expect(report.distribution.map((r) => [r.tier, r.accounts])).toEqual(summary.map((r) => [r.tier, r.accounts]));
    report.distribution.forEach((row, i) => {
      expect(row.accountShare).toBeCloseTo(summary[i].accountShare, 12);
      expect(row.revenueShare!).toBeCloseTo(summary[i].revenueShare!, 12);
      const mine = outcomes.filter((o) => o.computedTier === row.tier);
      expect(row.accounts).toBe(mine.length);
      expect(row.revenue).toBeCloseTo(
        mine.reduce((s, o) => s + monetary(o), 0),
        4,
      );
    });
    expect(report.population).toBe(outcomes.length);
    expect(report.activeInWindow).toBe(outcomes.filter((o) => o.activeInWindow).length);
  });

  it("Pareto cuts: accounts in a tier or above, and the revenue the largest that many hold", () => {
    const active = outcomes.filter((o) => o.activeInWindow);
    const revenue = active.map((o) => Math.max(0, monetary(o))).sort((a, b) => b - a);
    const total = revenue.reduce((s, v) => s + v, 0);
    expect(report.pareto.activeAccounts).toBe(active.length);
    expect(report.pareto.positiveRevenue).toBeCloseTo(total, 4);
    const codes = DEFAULT_MODEL.tiers.map((t) => t.code);
    report.pareto.cuts.forEach((cut, i) => {
      const k = active.filter((o) => codes.indexOf(o.computedTier) <= i).length;
      expect(cut.accounts).toBe(k);
      expect(cut.curveShare).toBeCloseTo(revenue.slice(0, k).reduce((s, v) => s + v, 0) / total, 10);
    });
    // The 80/20 shape of CDNOW: the top-tier cut holds far more than its share of accounts.
    expect(report.pareto.cuts[0].curveShare).toBeGreaterThan(report.pareto.cuts[0].rankShare * 3);
    const ys = report.pareto.points.map((p) => p[1]);
    expect(ys.every((y, i) => i === 0 || y >= ys[i - 1])).toBe(true);
    expect(report.pareto.points.at(-1)).toEqual([1, 1]);
  });

  it.each([
    ["stored tiers (the main view)", "movement", (o: AccountOutcome) => o.stored.tier],
    ["computed tiers (the second view)", "movementComputed", (o: AccountOutcome) => o.computedTier],
  ] as const)(
    "movement matrix over %s: each account's previous tier (from the tiers CSV) against its tier now",
    (_, key, tierOf) => {
      const m = report[key]!;
      const was = new Map(before.map((o) => [o.accountid.toLowerCase(), tierOf(o)]));
      was.delete(ranked.facts.accounts[5].accountid.toLowerCase());
      const expected = m.from.map(() => m.to.map(() => 0));
      const codes = DEFAULT_MODEL.tiers.map((t) => t.code);
      for (const o of outcomes) {
        const b = was.get(o.accountid.toLowerCase());
        expected[b === undefined ? codes.length : codes.indexOf(b)][codes.indexOf(tierOf(o))]++;
      }
      expected[codes.indexOf("A")][codes.length]++; // gone-account-1
      expect(m.counts).toEqual(expected);
      expect(m.from.at(-1)).toBe(NEW_LABEL);
      expect(m.to.at(-1)).toBe(GONE_LABEL);
      expect(m.entered).toBe(1);
      expect(m.left).toBe(1);
      expect(m.unchanged + m.promoted + m.demoted + m.entered).toBe(outcomes.length);
      expect(m.promoted).toBeGreaterThan(0);
      expect(m.demoted).toBeGreaterThan(0);
    },
  );

  it("the stored view moves no more accounts than the computed one (hysteresis holds demotions back)", () => {
    const moved = (m: NonNullable<ReportData["movement"]>) => m.promoted + m.demoted;
    expect(moved(report.movement!)).toBeLessThanOrEqual(moved(report.movementComputed!));
  });

  it("shares of accounts are over the accounts active in the window, the population the cut is taken over", () => {
    const active = outcomes.filter((o) => o.activeInWindow);
    for (const row of report.distribution) {
      const mine = active.filter((o) => o.computedTier === row.tier).length;
      expect(row.activeAccounts).toBe(mine);
      expect(row.accountShare).toBeCloseTo(mine / active.length, 12);
    }
    // The model's 10 % for AAA, within the rounding of ceil(0.1 × n).
    expect(Math.abs(report.distribution[0].accountShare - 0.1)).toBeLessThan(1 / active.length + 1e-9);
    expect(renderReportHtml(report)).toContain("over the ");
  });

  it("the touch rhythm section compares the real touch intervals of growing and declining accounts per tier", () => {
    expect(report.touchRhythm.map((r) => [r.tier, r.cadenceDays])).toEqual([
      ["AAA", 14],
      ["A", 30],
      ["B", 60],
      ["C", 90],
    ]);
    const html = renderReportHtml(report);
    expect(html).toContain('<table id="touch-rhythm">');
    for (const r of report.touchRhythm)
      for (const side of [r.growing, r.declining]) {
        expect(side.accounts).toBeGreaterThanOrEqual(0);
        if (side.accounts === 0) expect(side.medianDays).toBeNull();
        else expect(side.medianDays).toBeGreaterThanOrEqual(0);
      }
  });

  it("dates are formatted for people, not raw ISO", () => {
    const html = renderReportHtml(report);
    expect(html).toContain("<h1>Quarterly tier review as of 1 July 1998</h1>");
    expect(html).toContain("window up to the end of 30 June 1998");
    expect(html).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
  });

  it("declining top accounts and overdue top-tier touches are exactly the engine's", () => {
    const declining = outcomes.filter((o) => o.trend.code === "declining" && o.computedTier !== "C");
    expect(declining.length).toBeGreaterThan(0);
    expect(report.decliningTotal).toBe(declining.length);
    expect(new Set(report.declining.map((r) => r.accountid))).toEqual(new Set(declining.map((o) => o.accountid)));
    for (const r of report.declining)
      expect(r.delta).toBe(outcomes.find((o) => o.accountid === r.accountid)!.trend.delta);
    const overdue = outcomes.filter((o) => o.stored.tier === "AAA" && o.cadence.overdueDays > 0);
    expect(overdue.length).toBeGreaterThan(0);
    expect(report.overdueTotal).toBe(overdue.length);
    for (const r of report.overdue)
      expect(r.overdueDays).toBe(overdue.find((o) => o.accountid === r.accountid)!.cadence.overdueDays);
    expect(report.overdue.map((r) => r.overdueDays)).toEqual(
      [...report.overdue.map((r) => r.overdueDays)].sort((a, b) => b - a),
    );
  });

  it("the HTML shows those numbers and references nothing outside itself", () => {
    const html = renderReportHtml(report);
    for (const row of report.distribution) expect(html).toContain(`${(row.accountShare * 100).toFixed(1)} %`);
    expect(html).toMatch(/<svg id="dist-chart"[^>]*role="img"/);
    expect(html).toMatch(/<svg id="pareto-chart"[^>]*role="img"/);
    expect(html).not.toMatch(/<script|<link|<img|\ssrc=|\shref=|url\((?!#)|@import/i);
    // Account names are text, never markup.
    const evil = renderReportHtml({
      ...report,
      declining: [{ accountid: "x", tier: "A", monetary: 1, q0: 0, baseline: 5000, delta: -5000, name: "<b>x</b>&" }],
      decliningTotal: 1,
    });
    expect(evil).toContain("&#60;b&#62;x&#60;/b&#62;&#38;");
  });
});

describe("tiering report (CLI)", () => {
  it("writes the report; movement against --previous", () => {
    const out = join(dir, "report.html");
    const r = tiering(["report", "--data", dir, "--as-of", "1998-07-01", "--previous", previousFile, "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html).toContain('<table id="movement">');
    expect(html).toContain(`${report.distribution[0].accounts}`);
  });

  it("a bad previous file is an input error naming its line", () => {
    const bad = join(dir, "bad-previous.csv");
    writeFileSync(bad, "accountid,tier\nabc,AAA\ndef,Z\n");
    const r = tiering([
      "report",
      "--data",
      dir,
      "--as-of",
      "1998-07-01",
      "--previous",
      bad,
      "--out",
      join(dir, "x.html"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:3 column tier: "Z" is not a tier`);
  });

  it("--out is required", () => {
    const r = tiering(["report", "--data", dir, "--as-of", "1998-07-01"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--out is required");
  });
});

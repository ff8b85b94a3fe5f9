/**
 * The quarterly report as a manager opens it: a local file in Debian's Chromium (playwright-core), with every
 * network request recorded and refused. Checks the charts drew, axe finds no violation, and takes a screenshot:
 * test-output/report/report.png.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";
import { chromiumOptions } from "../browser/chromium";
import { parseModel } from "../../src/engine";
import { rankFacts } from "../../src/engine/rank";
import { loadFacts } from "../../src/export-reader/load";
import { buildReport, renderReportHtml, type ReportData } from "../../src/report";
import { cdnowWithStoredTiers } from "./fixture";

const ROOT = path.resolve(__dirname, "../..");
const SHOTS = path.join(ROOT, "test-output", "report");
const MODEL = parseModel({ trend: { baselineQuarters: 2, minAbsoluteChange: 20 } });

let dir: string;
let profile: string;
let context: BrowserContext;
let data: ReportData;
const requests: string[] = [];

beforeAll(async () => {
  dir = cdnowWithStoredTiers();
  const ranked = rankFacts(await loadFacts(dir, MODEL, Date.UTC(1998, 6, 1)), MODEL);
  const before = rankFacts(await loadFacts(dir, MODEL, Date.UTC(1998, 0, 1)), MODEL);
  const previous = new Map(before.facts.accounts.map((a, i) => [a.accountid, MODEL.tiers[before.tier[i]].code]));
  data = buildReport(ranked, { previous, previousStored: previous, previousSource: "tiers-1998-01-01.csv" });
  fs.writeFileSync(path.join(dir, "report.html"), renderReportHtml(data));
  profile = fs.mkdtempSync(path.join(os.tmpdir(), "report-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    ...chromiumOptions(),
    // axe is injected as a script; the report's own CSP forbids scripts, which is the point of it.
    bypassCSP: true,
    viewport: { width: 1100, height: 900 },
  });
  await context.route(/^(?!file:)/, (route) => {
    requests.push(route.request().url());
    return route.abort();
  });
  fs.mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await context?.close();
  fs.rmSync(profile, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
});

it("renders offline: charts drawn, tables filled, no request, axe clean; screenshot", async () => {
  const page = await context.newPage();
  await page.goto(pathToFileURL(path.join(dir, "report.html")).href);
  await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toContain(
    "Quarterly tier review as of 1 July 1998",
  );

  // Bars as wide as the shares they show (plot width 640 - 56 - 16 = 568).
  const bars = await page
    .locator("#dist-chart rect:not(pattern rect)")
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute("width"))));
  expect(bars).toHaveLength(data.distribution.length * 2);
  data.distribution.forEach((row, i) => {
    expect(bars[2 * i]).toBeCloseTo(row.accountShare * 568, 0);
    expect(bars[2 * i + 1]).toBeCloseTo((row.revenueShare ?? 0) * 568, 0);
  });
  const curve = await page.locator("#pareto-chart path").boundingBox();
  expect(curve!.width).toBeGreaterThan(500);
  await expect(page.locator("#pareto-chart line[stroke-dasharray]").count()).resolves.toBe(data.pareto.cuts.length);
  await expect(page.getByRole("img", { name: /Pareto curve/ }).count()).resolves.toBe(1);

  const movement = await page
    .locator("#movement tbody tr")
    .evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll("td")].map((td) => Number(td.textContent!.replace(/,/g, "")))),
    );
  expect(movement).toEqual(data.movement!.counts);
  await expect(page.locator("#declining tbody tr").count()).resolves.toBe(data.declining.length);
  await expect(page.locator("#overdue tbody tr").count()).resolves.toBe(data.overdue.length);

  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: Document) => Promise<{ violations: { id: string; nodes: unknown[] }[] }> };
      }
    ).axe;
    return (await axe.run(document)).violations.map((v) => `${v.id} (${v.nodes.length})`);
  });
  expect(violations).toEqual([]);

  await page.screenshot({ path: path.join(SHOTS, "report.png"), fullPage: true });
  expect(requests).toEqual([]);
}, 60_000);

/**
 * The demo page's Dashboard (issue 19) in Debian's Chromium: the local Dataverse with the sample ranked twice by the
 * real re-rank (four months apart, so the tier history has movements) serves the page; each tile runs its chart's or
 * view's own FetchXML from solution/src through the Web API. Checks what the pictures say against the engine, runs
 * axe, and takes screenshots: test-output/e2e/dashboard.png and dashboard-no-tier-profile.png.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import pino from "pino";
import { chromium, type Browser, type Page } from "playwright-core";
import { chromiumOptions } from "../browser/chromium";
import { createDemoHandler } from "../../demo/handler";
import { startSandbox, userTokens, type Sandbox } from "../../local-dataverse/server";
import { sampleSeed } from "../../local-dataverse/seed";
import { runRerank, type RerankSummary } from "../../plugins/rerank";

const ROOT = path.resolve(__dirname, "../..");
const SHOTS = path.join(ROOT, "test-output", "e2e");
const DAY = 86_400_000;

let sb: Sandbox;
let browser: Browser;
let summary: RerankSummary;
const checkpoints = fs.mkdtempSync(path.join(os.tmpdir(), "ct-dashboard-rerank-"));

beforeAll(async () => {
  const now = new Date();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  sb = await startSandbox({
    port: 0,
    steps: [],
    log: () => undefined,
    fallback: createDemoHandler({ tokens: userTokens(undefined) }),
    seed: async (store) => void (await sampleSeed(store, { accounts: 300, seed: 3, asOf: today })),
  });
  for (const [n, asOf] of [today - 120 * DAY, today].entries()) {
    summary = await runRerank({
      url: sb.origin,
      token: "t",
      asOf,
      checkpointFile: path.join(checkpoints, `${n}.json`),
      log: pino({ level: "silent" }),
    });
  }
  browser = await chromium.launch(chromiumOptions());
  fs.mkdirSync(SHOTS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await sb?.close();
  fs.rmSync(checkpoints, { recursive: true, force: true });
});

/** The dashboard as one of the demo's people (the page's user switcher keeps the choice in sessionStorage). */
async function openDashboard(user: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  await context.addInitScript((key) => window.sessionStorage.setItem("ct-demo-user", key), user);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${sb.origin}/dashboard`);
  await page.locator('#tiles[data-ready="true"]').waitFor({ timeout: 30_000 });
  return { page, errors };
}

async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: Document) => Promise<{ violations: { id: string; nodes: unknown[] }[] }> };
      }
    ).axe;
    return (await axe.run(document)).violations.map((v) => `${v.id} (${v.nodes.length})`);
  });
}

test("every tile draws from its own FetchXML; the pyramid says what the engine ranked; axe clean; screenshot", async () => {
  const { page, errors } = await openDashboard("manager");
  const states = await page.locator(".tile").evaluateAll((els) => els.map((e) => [e.id, e.getAttribute("data-state")]));
  expect(states).toEqual([
    ["chart_accounts_per_tier", "done"],
    ["chart_revenue_per_tier", "done"],
    ["chart_overdue_per_tier", "done"],
    ["chart_declining_per_tier", "done"],
    ["chart_movements_per_month", "done"],
    ["list_touch_overdue", "done"],
    ["list_declining_top", "done"],
  ]);
  // The pyramid's description in words: "AAA: 27 accounts, 9.0 %; A: …", the counts the re-rank put in each tier.
  const engine: Record<string, number> = {};
  for (const to of Object.values(summary.matrix))
    for (const [t, n] of Object.entries(to)) engine[t] = (engine[t] ?? 0) + n;
  const desc = await page.locator("#chart_accounts_per_tier-svg desc").textContent();
  const drawn = Object.fromEntries(
    [...(desc ?? "").matchAll(/(\w+): (\d+) accounts/g)].map((m) => [m[1], Number(m[2])]),
  );
  expect(drawn).toEqual(engine);
  expect(Object.keys(drawn)).toEqual(["AAA", "A", "B", "C"]);
  await expect(page.locator("#chart_movements_per_month svg").count()).resolves.toBe(1);
  await expect(page.locator("#list_touch_overdue table tbody tr").count()).resolves.toBeGreaterThan(0);
  expect(await axeViolations(page)).toEqual([]);
  await page.screenshot({ path: path.join(SHOTS, "dashboard.png"), fullPage: true });
  expect(errors).toEqual([]);
  await page.context().close();
}, 120_000);

test("a user without the tier profile gets empty charts: no error, no tier, no count", async () => {
  // The local Dataverse applies the solution's field security: for this user the secured tier columns read null.
  // https://learn.microsoft.com/power-platform/admin/field-level-security
  const { page, errors } = await openDashboard("salesperson-restricted");
  await expect(page.locator("#demo-user").inputValue()).resolves.toBe("salesperson-restricted");
  for (const id of [
    "chart_accounts_per_tier",
    "chart_revenue_per_tier",
    "chart_overdue_per_tier",
    "chart_declining_per_tier",
    "chart_movements_per_month",
  ]) {
    const tile = page.locator(`#${id}`);
    await expect(tile.getAttribute("data-state")).resolves.toBe("done");
    await expect(tile.locator("svg").count()).resolves.toBe(0);
    await expect(tile.locator(".tile__body").innerText()).resolves.toMatch(/^No (accounts|tier movements) to show\.$/);
  }
  expect(await axeViolations(page)).toEqual([]);
  await page.screenshot({ path: path.join(SHOTS, "dashboard-no-tier-profile.png"), fullPage: true });
  expect(errors).toEqual([]);
  await page.context().close();
}, 120_000);

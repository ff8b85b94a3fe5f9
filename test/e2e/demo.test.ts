/**
 * The demo page end to end (issue 5): the stack `npm start` starts (sandbox with its sample, plugin with a generated
 * key, first re-rank), in-process on free ports, with the control freshly built by pcf-scripts; Debian's Chromium
 * drives the page. A C-tier account gets a large paid invoice on the page; the invoice goes through the Web API, the
 * webhook and the plugin, and the badge then shows a higher tier. Screenshots: test-output/e2e/.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { chromiumOptions } from "../browser/chromium";
import { startStack, type Stack } from "../../demo/stack";
import { userTokens } from "../../local-dataverse";
import { readDefaults } from "../../solution/scripts/defaults";
import { CHANNEL_OPTIONS, TIER_OPTIONS } from "../../src/engine/choices";

const ROOT = path.resolve(__dirname, "../..");
const SHOTS = path.join(ROOT, "test-output", "e2e");
const CONTROL_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "ct-e2e-control-"));
const WAIT_FOR_TIER_MS = 15_000;

let stack: Stack | undefined;
let browser: Browser | undefined;
/** Requests the pages tried to send anywhere but the sandbox: the demo must work without a network. */
const offMachine: string[] = [];

beforeAll(async () => {
  // `npm start` builds the control with `npm run build` (development mode); the same build, into our own folder.
  await promisify(execFile)(
    process.execPath,
    [require.resolve("pcf-scripts/bin/pcf-scripts.js"), "build", "--outDir", CONTROL_DIR],
    {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    },
  ).catch((e: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`pcf-scripts build failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  });
  stack = await startStack({
    sandboxPort: 0,
    pluginPort: 0,
    controlDir: path.join(CONTROL_DIR, "control"),
    logLevel: "silent",
    sandboxLog: () => undefined,
  });
  browser = await chromium.launch(chromiumOptions());
  fs.mkdirSync(SHOTS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  fs.rmSync(CONTROL_DIR, { recursive: true, force: true });
});

/** Uncaught errors of each page, checked before its context closes. */
const pageErrors = new Map<Page, string[]>();

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  if (!browser || !stack) throw new Error("not started");
  const origin = new URL(stack.demoUrl).origin;
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: "en-US",
    timezoneId: "UTC",
  });
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith("data:")) return route.continue();
    offMachine.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on("pageerror", (e) => errors.push(e.message));
  return { context, page };
}

/** The Web API as a test client (not the page): to check what the plugin wrote. */
async function get<T>(query: string): Promise<T> {
  const res = await fetch(`${stack!.webApiUrl}${query}`, {
    // As the administrator: the test reads what no demo user may (service endpoints, every System Job).
    headers: {
      Accept: "application/json",
      Prefer: 'odata.include-annotations="*"',
      Authorization: `Bearer ${userTokens(undefined).admin}`,
    },
  });
  if (!res.ok) throw new Error(`GET ${query}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A PATCH through the Web API as the administrator, as a form save would send it. */
const patchAsAdmin = (entity: string, body: Record<string, unknown>): Promise<Response> =>
  fetch(`${stack!.webApiUrl}${entity}`, {
    method: "PATCH",
    headers: {
      "Content-Type": "application/json",
      "If-Match": "*",
      Authorization: `Bearer ${userTokens(undefined).admin}`,
    },
    body: JSON.stringify(body),
  });

const AXE_SOURCE = require.resolve("axe-core/axe.min.js", { paths: [path.dirname(require.resolve("jest-axe"))] });
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE_SOURCE });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: unknown) => Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> };
      }
    ).axe;
    const result = await axe.run({ include: [["main"]] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")}`);
  });
}

const pill = (page: Page) => page.getByTestId("tier-pill");
/** The tier's service privileges, which the control reads through context.webAPI from the policy rows npm start creates. */
const privileges = (tier: string) => readDefaults().policies.find((p) => p.tier === tier)!.servicePrivileges;

describe("demo page on the npm start stack", () => {
  test("issue 14: the account list is usable at 375 px: no horizontal overflow, every value labelled", async () => {
    const { context, page } = await newPage();
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(stack!.demoUrl);
    await page.locator("body[data-loaded]").waitFor();
    await expect(page.locator("#accounts tbody tr").count()).resolves.toBeGreaterThan(0);
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
      widest: Math.max(...[...document.querySelectorAll("main *")].map((e) => e.getBoundingClientRect().right)),
    }));
    expect(widths.client).toBe(375);
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    expect(widths.widest).toBeLessThanOrEqual(widths.client);
    // Stacked rows name each value, as the column headers do on a wide screen.
    await expect(
      page.locator("#accounts tbody tr").first().locator("td").nth(2).getAttribute("data-label"),
    ).resolves.toBe("Score");
    await expect(axeViolations(page)).resolves.toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, "list-375.png"), fullPage: false });
    expect(pageErrors.get(page)).toEqual([]);
    await context.close();
  });

  test("the first re-rank left every active account with a tier", async () => {
    const unranked = await get<{ value: unknown[] }>(
      `accounts?$select=accountid&$filter=${encodeURIComponent("statecode eq 0 and ct_tier eq null")}`,
    );
    expect(stack!.rerank.accounts).toBeGreaterThan(0);
    expect(unranked.value).toEqual([]);
  });

  test("a C-tier account gets a large paid invoice and its badge shows a higher tier", async () => {
    const { context, page } = await newPage();
    // The managers' view of one tier: every badge in it is C.
    await page.goto(`${stack!.demoUrl}?tier=${TIER_OPTIONS.C}`);
    await page.locator("body[data-loaded]").waitFor();
    const badges = await page.locator("#accounts tbody .tier").allInnerTexts();
    expect(badges.length).toBeGreaterThan(0);
    expect(new Set(badges)).toEqual(new Set(["C"]));
    await page.screenshot({ path: path.join(SHOTS, "list-tier-c.png") });

    const row = page.locator("#accounts tbody tr").first();
    const accountId = await row.getAttribute("data-accountid");
    const name = await row.getByRole("link").innerText();
    await row.getByRole("link").click();
    await page.locator("body[data-loaded]").waitFor();
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe(name);
    await expect(pill(page).innerText()).resolves.toBe("C");
    await page.locator(".ct-badge", { hasText: privileges("C") }).waitFor();
    await expect(axeViolations(page)).resolves.toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, "account-before.png"), fullPage: true });

    await page.getByLabel("Amount (USD)").fill("1000000");
    await page.getByLabel("Status").selectOption({ label: "Paid" });
    await page.getByRole("button", { name: "Add invoice" }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="tier-pill"]')?.textContent !== "C", null, {
      timeout: WAIT_FOR_TIER_MS,
    });
    const after = await pill(page).innerText();
    expect(["AAA", "A", "B"]).toContain(after);
    await page.locator(".ct-badge", { hasText: privileges(after) }).waitFor();
    await page
      .getByRole("status")
      .filter({ hasText: `Add invoice: done. Tier C → ${after}, score ` })
      .waitFor();
    await page.screenshot({ path: path.join(SHOTS, "account-after-invoice.png"), fullPage: true });

    // It went the whole way: the invoice is paid in the sandbox, and the plugin (source "save") wrote the tier.
    const invoices = await get<{ value: { totalamount: number; statecode: number }[] }>(
      `invoices?$select=totalamount,statecode&$filter=${encodeURIComponent(`_customerid_value eq ${accountId} and totalamount eq 1000000`)}`,
    );
    expect(invoices.value).toEqual([expect.objectContaining({ totalamount: 1000000, statecode: 2 })]);
    const account = await get<Record<string, unknown>>(`accounts(${accountId})?$select=ct_tier,ct_previoustier`);
    expect(account["ct_tier@OData.Community.Display.V1.FormattedValue"]).toBe(after);
    expect(account.ct_previoustier).toBe(TIER_OPTIONS.C);
    const history = await get<{ value: Record<string, unknown>[] }>(
      `ct_tierhistories?$select=ct_fromtier,ct_totier,ct_source&$filter=${encodeURIComponent(`_ct_accountid_value eq ${accountId}`)}&$orderby=ct_changedon desc&$top=1`,
    );
    expect(history.value[0]).toMatchObject({
      ct_fromtier: TIER_OPTIONS.C,
      ct_totier: account.ct_tier,
      // The label of the solution's ct_tierchangesource option set, as Dataverse formats it.
      "ct_source@OData.Community.Display.V1.FormattedValue": "Save",
    });
    await expect(page.locator("#history tbody tr").first().innerText()).resolves.toMatch(
      new RegExp(`C\\s+${after}\\s+.*Save`),
    );

    // Back in the list: the account has left the C view.
    await page.getByRole("link", { name: "← All accounts" }).click();
    await page.goto(`${stack!.demoUrl}?tier=${TIER_OPTIONS.C}&name=${encodeURIComponent(name)}`);
    await page.locator("body[data-loaded]").waitFor();
    await expect(page.locator(`#accounts tbody tr[data-accountid="${accountId}"]`).count()).resolves.toBe(0);
    expect(pageErrors.get(page)).toEqual([]);
    await context.close();
    expect(offMachine).toEqual([]);
  });

  test("a webhook that cannot be delivered: the page names the failed System Job instead of waiting forever", async () => {
    const endpoints = await get<{ value: { serviceendpointid: string; url: string }[] }>(
      "serviceendpoints?$select=serviceendpointid,url",
    );
    const endpoint = endpoints.value.find((e) => e.url === stack!.webhookUrl)!;
    const patch = (url: string) =>
      fetch(`${stack!.webApiUrl}serviceendpoints(${endpoint.serviceendpointid})`, {
        method: "PATCH",
        headers: {
          "Content-Type": "application/json",
          "If-Match": "*",
          Authorization: `Bearer ${userTokens(undefined).admin}`,
        },
        body: JSON.stringify({ url }),
      });
    // Port 9 (discard) on loopback: nothing listens there, so the delivery is refused.
    expect((await patch("http://127.0.0.1:9/api/webhook")).status).toBe(204);
    try {
      const { context, page } = await newPage();
      await page.goto(`${stack!.demoUrl}?tier=${TIER_OPTIONS.B}`);
      await page.locator("body[data-loaded]").waitFor();
      await page.locator("#accounts tbody a").first().click();
      await page.locator("body[data-loaded]").waitFor();
      await page.getByRole("button", { name: "Win opportunity" }).click();
      await page
        .getByRole("status")
        .filter({ hasText: "Win opportunity failed: the webhook call failed (System Job:" })
        .waitFor({ timeout: WAIT_FOR_TIER_MS });
      await page.screenshot({ path: path.join(SHOTS, "account-webhook-failed.png"), fullPage: true });
      expect(pageErrors.get(page)).toEqual([]);
      await context.close();
    } finally {
      expect((await patch(stack!.webhookUrl)).status).toBe(204);
    }
  });

  test("sales ops edit the AAA policy on the page (every 7 days by call, no grace): every AAA badge follows, no account saved", async () => {
    // The first re-rank is every account's first tier change, so the 7 days' grace keeps the overdue view empty.
    const overdue = `statecode eq 0 and ct_nexttouchdue lt ${new Date().toISOString().slice(0, 10)}`;
    await expect(
      get<{ value: unknown[] }>(`accounts?$select=accountid&$filter=${encodeURIComponent(overdue)}`),
    ).resolves.toEqual(expect.objectContaining({ value: [] }));
    const policies = await get<{ value: { ct_tierpolicyid: string }[] }>(
      `ct_tierpolicies?$select=ct_tierpolicyid&$filter=${encodeURIComponent(`statecode eq 0 and ct_tier eq ${TIER_OPTIONS.AAA}`)}`,
    );
    expect(policies.value).toHaveLength(1);
    // A programme running for two months: the AAA tiers were given 60 days ago (as the administrator).
    const aaa = await get<{ value: { accountid: string }[] }>(
      `accounts?$select=accountid&$filter=${encodeURIComponent(`statecode eq 0 and ct_tier eq ${TIER_OPTIONS.AAA}`)}`,
    );
    const sixtyDaysAgo = new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 19) + "Z";
    for (const a of aaa.value)
      expect((await patchAsAdmin(`accounts(${a.accountid})`, { ct_tierchangedon: sixtyDaysAgo })).status).toBe(204);
    // Sales ops (the page's default user) edit the AAA policy on the Tier policies page: a PATCH of the row, which
    // the solution's step sends to the service.
    const { context, page } = await newPage();
    await page.goto(`${stack!.demoUrl}policies`);
    await page.locator("body[data-loaded]").waitFor();
    await expect(page.locator("#policies tbody tr").count()).resolves.toBe(4);
    await page.getByLabel("AAA: every how many days").fill("7");
    await page.getByLabel("AAA: channel").selectOption({ label: "Phone call" });
    await page.getByLabel("AAA: grace days after a tier change").fill("0");
    await page.getByRole("button", { name: "Save AAA policy" }).click();
    await page.getByRole("status").filter({ hasText: "AAA policy saved." }).waitFor();
    await expect(axeViolations(page)).resolves.toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, "policies-saved.png"), fullPage: true });
    // No account is saved: the service rewrites every active AAA account's pattern and due date.
    const stale = `statecode eq 0 and ct_tier eq ${TIER_OPTIONS.AAA} and (ct_cadencedays ne 7 or ct_touchchannel ne ${CHANNEL_OPTIONS.call})`;
    const deadline = Date.now() + WAIT_FOR_TIER_MS;
    while (
      (await get<{ value: unknown[] }>(`accounts?$select=accountid&$filter=${encodeURIComponent(stale)}`)).value.length
    ) {
      if (Date.now() > deadline) throw new Error("the AAA accounts did not take the saved policy");
      await new Promise((r) => setTimeout(r, 200));
    }
    const late = await get<{ value: { ct_tier: number }[] }>(
      `accounts?$select=ct_tier&$filter=${encodeURIComponent(overdue)}`,
    );
    expect(late.value.length).toBeGreaterThan(0);
    expect(new Set(late.value.map((a) => a.ct_tier))).toEqual(new Set([TIER_OPTIONS.AAA]));

    await page.goto(`${stack!.demoUrl}?tier=${TIER_OPTIONS.AAA}`);
    await page.locator("body[data-loaded]").waitFor();
    await page.locator("#accounts tbody a").first().click();
    await page.locator("body[data-loaded]").waitFor();
    await expect(pill(page).innerText()).resolves.toBe("AAA");
    await page.locator(".ct-badge", { hasText: "Every 7 days · Call" }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, "account-after-policy.png"), fullPage: true });
    expect(pageErrors.get(page)).toEqual([]);
    await context.close();
  });

  test("log a touch from the keyboard: the badge shows today's last touch", async () => {
    const { context, page } = await newPage();
    await page.goto(`${stack!.demoUrl}?overdue=1`);
    await page.locator("body[data-loaded]").waitFor();
    await expect(page.getByRole("link", { name: "Touch overdue" }).getAttribute("aria-current")).resolves.toBe("page");
    const dues = await page.locator("#accounts tbody td.overdue").count();
    expect(dues).toBeGreaterThan(0);
    await expect(page.locator("#accounts tbody tr").count()).resolves.toBe(dues);
    await expect(axeViolations(page)).resolves.toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, "list-touch-overdue.png") });

    await page.locator("#accounts tbody a").first().focus();
    await page.keyboard.press("Enter");
    await page.locator("body[data-loaded]").waitFor();
    await page.locator(".ct-badge").waitFor();
    const today = new Date().toLocaleDateString("en-US", { timeZone: "UTC" });
    await expect(page.locator(".ct-badge").innerText()).resolves.not.toContain(`Last touch ${today}`);
    await page.getByLabel("Channel").selectOption({ label: "Phone call" });
    await page.getByLabel("Subject").focus();
    await page.keyboard.press("Enter"); // submits the "Log a touch" form
    await page.waitForFunction(
      (t) => document.querySelector(".ct-badge")?.textContent?.includes(`Last touch ${t}`),
      today,
      { timeout: WAIT_FOR_TIER_MS },
    );
    await expect(page.locator(".ct-badge").innerText()).resolves.not.toContain("overdue");
    await page
      .getByRole("status")
      .filter({ hasText: /^Log touch: done\. Tier stays / })
      .waitFor();
    await page.screenshot({ path: path.join(SHOTS, "account-after-touch.png"), fullPage: true });

    // The same touch again: the plugin recalculates and finds nothing to write; the page says so without waiting out.
    await page.getByLabel("Subject").focus();
    await page.keyboard.press("Enter");
    await page
      .getByRole("status")
      .filter({ hasText: "Log touch: done. The plugin found nothing to change on the account." })
      .waitFor({ timeout: WAIT_FOR_TIER_MS });
    expect(pageErrors.get(page)).toEqual([]);
    await context.close();
    expect(offMachine).toEqual([]);
  });
});

/**
 * The TierBadge control in the real pcf-start harness, in Debian's Chromium through playwright-core.
 * Builds the production bundle into a temporary folder, serves it with node_modules/pcf-start, sets property values in the
 * harness's own inputs and reads the control as a person would. Screenshots: test-output/control/<state>.png.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { chromiumOptions } from "./chromium";
import { CHANNEL_OPTIONS, TIER_OPTIONS, TREND_OPTIONS } from "../../src/engine/choices";
import { buildPreviewSample, computeFacts, parseInstant, parseModel, rankFacts } from "../../src/engine";
import { EXPLANATION as FIXTURE_EXPLANATION } from "../control/fixtures";
import { account, input, invoice, open } from "../engine/builders";

const ROOT = path.resolve(__dirname, "../..");
/**
 * Our own build output, so a developer's out/controls (and `npm run start:harness`) is left alone. pcf-scripts
 * writes each control folder of the project into a folder of its own: src/control → control, src/model-editor →
 * model-editor.
 */
const CODE_PATH = fs.mkdtempSync(path.join(os.tmpdir(), "tierbadge-build-"));
const BADGE_PATH = path.join(CODE_PATH, "control");
const EDITOR_PATH = path.join(CODE_PATH, "model-editor");
const SHOTS = path.join(ROOT, "test-output", "control");
const MAX_BUNDLE_BYTES = 25 * 1024;
/** The harness's clock: every relative date below is read against this day. */
const NOW = new Date("2026-03-10T10:00:00Z");

// The control tests' explanation, without the cadence the harness binds as properties.
const { cadence: _cadence, ...EXPLANATION } = FIXTURE_EXPLANATION;

/** A ranked AAA account as the harness inputs take it (option values, ISO dates). */
const RANKED: Record<string, string> = {
  tier: String(TIER_OPTIONS.AAA),
  computedTier: String(TIER_OPTIONS.AAA),
  score: "91.25",
  trend: String(TREND_OPTIONS.declining),
  nextTouchDue: "2026-03-13",
  lastTouchOn: "2026-02-27",
  cadenceDays: "14",
  channel: String(CHANNEL_OPTIONS.meeting),
  override: "",
  overrideUntil: "2026-03-01", // the harness cannot empty a date: a past expiry keeps the override off
  reason: JSON.stringify(EXPLANATION),
  baseCurrency: "$", // the harness fills text inputs with "val" until told otherwise
};

/**
 * Starts pcf-start's own bin with two changes a test needs: browser-sync listens on 127.0.0.1 at the port given
 * (the bin hard-codes 8181 on every interface) and opens no browser window.
 */
const HARNESS_LAUNCHER = `
const path = require("node:path");
const [codePath, port] = process.argv.slice(1);
const pcfStart = path.dirname(require.resolve("pcf-start/package.json"));
const bs = require(require.resolve("browser-sync", { paths: [pcfStart] }));
const create = bs.create;
bs.create = (...args) => {
  const instance = create(...args);
  const init = instance.init.bind(instance);
  instance.init = (config, cb) => init({ ...config, listen: "127.0.0.1", port: Number(port), open: false, notify: false }, cb);
  return instance;
};
process.argv = [process.argv[0], path.join(pcfStart, "bin/pcf-start.js"), "--codePath", codePath];
require(path.join(pcfStart, "bin/pcf-start.js"));
`;

let harness: ChildProcess | undefined;
let harnessLog = "";
let baseUrl = "";
let browser: Browser | undefined;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForHarness(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (harness?.exitCode != null) throw new Error(`pcf-start exited with ${harness.exitCode}:\n${harnessLog}`);
    try {
      const res = await fetch(`${url}/ControlManifest.xml`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`pcf-start did not serve ${url} in ${timeoutMs} ms:\n${harnessLog}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  // Always a fresh production build: the size limit is about the release bundle, and a stale out/ would test old code.
  await promisify(execFile)(
    process.execPath,
    [require.resolve("pcf-scripts/bin/pcf-scripts.js"), "build", "--buildMode", "production", "--outDir", CODE_PATH],
    {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    },
  ).catch((e: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`pcf-scripts build failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  });

  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  harness = spawn(process.execPath, ["-e", HARNESS_LAUNCHER, BADGE_PATH, String(port)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  harness.stdout?.on("data", (d: Buffer) => (harnessLog += d.toString()));
  harness.stderr?.on("data", (d: Buffer) => (harnessLog += d.toString()));
  await waitForHarness(baseUrl, 30_000);

  browser = await chromium.launch(chromiumOptions());
  fs.mkdirSync(SHOTS, { recursive: true });
}, 600_000); // two controls, production mode: minutes on a loaded machine

afterAll(async () => {
  await browser?.close();
  if (harness && harness.exitCode == null) {
    const exited = new Promise((resolve) => harness?.once("exit", resolve));
    harness.kill("SIGTERM");
    await exited;
  }
  fs.rmSync(CODE_PATH, { recursive: true, force: true });
});

/** Serves what the harness page would fetch from public CDNs out of node_modules; anything else off-machine fails. */
async function routeOffline(
  context: BrowserContext,
  manifest?: (xml: string) => string,
  origin = baseUrl,
): Promise<void> {
  await context.route("**/*", async (route) => {
    const url = new URL(route.request().url());
    if (url.origin === origin) {
      if (manifest && url.pathname === "/ControlManifest.xml") {
        const res = await route.fetch();
        return route.fulfill({ response: res, body: manifest(await res.text()) });
      }
      return route.continue();
    }
    const m = /^\/(react|react-dom)@16\.14\.0\/(umd\/[\w.-]+\.js)$/.exec(url.pathname);
    if (url.hostname === "unpkg.com" && m) {
      return route.fulfill({
        contentType: "application/javascript",
        body: fs.readFileSync(path.join(ROOT, "node_modules", m[1], m[2])),
      });
    }
    return route.abort(); // Segoe UI web fonts from the Office CDN: the page falls back to local fonts
  });
}

async function openHarness(opts: { manifest?: (xml: string) => string } = {}): Promise<Page> {
  if (!browser) throw new Error("browser not started");
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: "en-US",
    timezoneId: "UTC",
  });
  await context.clock.setFixedTime(NOW);
  await routeOffline(context, opts.manifest);
  const page = await context.newPage();
  await page.goto(`${baseUrl}/`);
  await page.locator(".ct-badge").waitFor({ timeout: 30_000 });
  return page;
}

/** The harness's "Data Inputs" row for one property: its value input (or select). */
const dataInput = (page: Page, property: string): Locator =>
  page
    .locator("#accordion__panel-data_inputs > div > div")
    .filter({ has: page.getByText(property, { exact: true }) })
    .locator("input, select")
    .first();

async function setInputs(page: Page, values: Record<string, string>): Promise<void> {
  for (const [property, value] of Object.entries(values)) {
    const input = dataInput(page, property);
    await input.fill(value);
    await input.press("Tab");
  }
}

async function setContainerWidth(page: Page, width: number): Promise<void> {
  const input = page.locator("#control-width input");
  await input.fill(String(width));
  await input.press("Tab");
}

/** Text a sighted person reads in the control: rendered pieces in order, screen-reader-only text left out. */
function visibleText(locator: Locator): Promise<string> {
  return locator.evaluate((root) => {
    const parts: string[] = [];
    const walk = (node: Node) => {
      if (node.nodeType === Node.TEXT_NODE) {
        parts.push(node.textContent ?? "");
        return;
      }
      if (!(node instanceof HTMLElement)) return;
      const style = getComputedStyle(node);
      if (node.classList.contains("ct-sr") || style.display === "none" || style.visibility === "hidden") return;
      node.childNodes.forEach(walk);
    };
    walk(root);
    return parts
      .map((p) => p.trim())
      .filter(Boolean)
      .join(" ");
  });
}

/** axe-core (jest-axe's copy) inside Chromium: unlike jsdom, a real browser lets it check colour contrast too. */
const AXE_SOURCE = require.resolve("axe-core/axe.min.js", { paths: [path.dirname(require.resolve("jest-axe"))] });
async function axeViolations(page: Page, selector: string): Promise<string[]> {
  await page.addScriptTag({ path: AXE_SOURCE });
  return page.evaluate(async (sel) => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: unknown) => Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> };
      }
    ).axe;
    const result = await axe.run({ include: [[sel]] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")}`);
  }, selector);
}

/** Typing in the lower harness inputs scrolls the page: bring the control back into view first. */
async function shot(page: Page, state: string): Promise<void> {
  await page.locator(".ct-badge").scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, `${state}.png`) });
}
const badge = (page: Page) => page.locator(".ct-badge");
/** Fluent v8's tooltip (it carries no tooltip role; screen readers get the same text from the control itself). */
const tooltip = (page: Page) => page.locator(".ms-Tooltip");

describe("TierBadge in the pcf-start harness", () => {
  test("production bundle.js stays under 25 KB and leaves React and Fluent to the platform", () => {
    const bundle = fs.readFileSync(path.join(BADGE_PATH, "bundle.js"), "utf8");
    expect(Buffer.byteLength(bundle)).toBeLessThan(MAX_BUNDLE_BYTES);
    // pcf-scripts maps the platform libraries to these globals; bundling them would also blow the size.
    expect(bundle).toContain("Reactv16");
    expect(bundle).toContain("FluentUIReactv81211");
  });

  test("the control is typed from the ManifestTypes pcf-scripts generated, which list exactly its manifest's properties", () => {
    const manifest = fs.readFileSync(path.join(ROOT, "src/control/ControlManifest.Input.xml"), "utf8");
    const properties = [...manifest.matchAll(/<property name="(\w+)"/g)].map((m) => m[1]);
    const generated = fs.readFileSync(path.join(ROOT, "src/control/generated/ManifestTypes.d.ts"), "utf8");
    const inputs = /interface IInputs \{([^}]*)\}/.exec(generated)?.[1] ?? "";
    expect([...inputs.matchAll(/^\s*(\w+):/gm)].map((m) => m[1])).toEqual(properties);
    for (const file of ["src/control/index.ts", "src/control/view-model.ts"])
      expect(fs.readFileSync(path.join(ROOT, file), "utf8")).toContain('from "./generated/ManifestTypes"');
  });

  test("ranked account: badge, score, trend, cadence line and next touch", async () => {
    const page = await openHarness();
    await setInputs(page, RANKED);
    await expect(visibleText(badge(page))).resolves.toBe(
      // The harness has no Web API: the tier's privileges (ct_tierpolicy) are said to be unavailable, not an error.
      "AAA Score 91.3 ↘ Declining Every 14 days · Meeting Next touch 3/13/2026 (due in 3 days) Last touch 2/27/2026 Service privileges unavailable here Why this tier?",
    );
    const pill = page.getByTestId("tier-pill");
    expect(await pill.evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color])).toEqual([
      "rgb(122, 86, 0)",
      "rgb(255, 255, 255)",
    ]);
    await expect(page.getByRole("meter", { name: "Score" }).getAttribute("aria-valuetext")).resolves.toBe(
      "91.3 of 100",
    );
    await page.getByTestId("trend").hover();
    await expect(tooltip(page).innerText()).resolves.toBe(
      "Last quarter's revenue is well below its usual level. Last quarter $8,000, usual quarter $15,000.",
    );
    await expect(axeViolations(page, ".ct-badge")).resolves.toEqual([]);
    await shot(page, "ranked");
    await page.context().close();
  });

  test("overdue touch shows in the warning style", async () => {
    const page = await openHarness();
    await setInputs(page, { ...RANKED, nextTouchDue: "2026-03-05" });
    const due = page.getByTestId("due");
    await expect(visibleText(due)).resolves.toBe("⚠ Next touch 3/5/2026 (overdue by 5 days)");
    await expect(due.evaluate((el) => getComputedStyle(el).color)).resolves.toBe("rgb(164, 38, 44)");
    await expect(axeViolations(page, ".ct-badge")).resolves.toEqual([]);
    await shot(page, "overdue");
    await page.context().close();
  });

  test("override: tag, reason and expiry; the calculated tier on hover", async () => {
    const page = await openHarness();
    await setInputs(page, {
      ...RANKED,
      override: String(TIER_OPTIONS.AAA),
      overrideReason: "Strategic partner",
      overrideUntil: "2026-06-30",
      computedTier: String(TIER_OPTIONS.A),
    });
    const text = await visibleText(badge(page));
    expect(text).toContain("AAA Override Score 91.3");
    expect(text).toContain("Set by hand: Strategic partner · until 6/30/2026");
    await page.getByTestId("tier-pill").hover();
    await expect(tooltip(page).innerText()).resolves.toBe("Calculated tier: A");
    await expect(axeViolations(page, ".ct-badge")).resolves.toEqual([]);
    await shot(page, "override");
    await page.context().close();
  });

  test("why this tier: the callout lists each KPI's part, opened and closed from the keyboard", async () => {
    const page = await openHarness();
    await setInputs(page, RANKED);
    const button = page.getByRole("button", { name: "Why this tier?" });
    await button.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Why AAA?" });
    await dialog.waitFor();
    await expect(dialog.getByRole("listitem").allInnerTexts()).resolves.toEqual([
      "Revenue: $48,211. Better than 97% of accounts, 43.4 points.",
      "Invoices: 14. Better than 92% of accounts, 18.4 points.",
      "Since last purchase or win: 12 days. Better than 81% of accounts, 12.2 points.",
      "Weighted open pipeline: $12,000. Better than 77% of accounts, 7.7 points.",
      "No won opportunities in the period: 2.5 points.",
    ]);
    await expect(dialog.innerText()).resolves.toContain("The score reaches the AAA cut-off of 88.4.");
    await expect(axeViolations(page, ".ct-why")).resolves.toEqual([]);
    await shot(page, "why-callout");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await expect(button.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.context().close();
  });

  test("narrow container: the compact line", async () => {
    // The harness's Form Factor picker does not reach context.client.getFormFactor() (always 1 there), so the
    // phone case is covered by the jsdom tests only; the container width input does reach allocatedWidth.
    const page = await openHarness();
    await setInputs(page, RANKED);
    await setContainerWidth(page, 260);
    await expect(badge(page).getAttribute("class")).resolves.toBe("ct-badge ct-badge--compact");
    await expect(visibleText(badge(page))).resolves.toBe("AAA 91.3 ↘ due in 3 days Why this tier?");
    await expect(axeViolations(page, ".ct-badge")).resolves.toEqual([]);
    await shot(page, "compact");
    await setContainerWidth(page, 900);
    await expect(badge(page).getAttribute("class")).resolves.toBe("ct-badge");
    await page.context().close();
  });

  test("German: served the 1031 resx, the control speaks German", async () => {
    // Dataverse serves the user's language file; the harness loads what the manifest lists, so list German only.
    const page = await openHarness({ manifest: (xml) => xml.replace(/<resx path="[^"]*\.1033\.resx"[^>]*\/>/, "") });
    await setInputs(page, RANKED);
    await expect(badge(page).getAttribute("aria-label")).resolves.toBe("Kundenstufe");
    // The harness formats numbers and dates as en-US whatever the language; Dataverse uses the user's format.
    await expect(visibleText(badge(page))).resolves.toBe(
      "AAA Score 91.3 ↘ Rückläufig Alle 14 Tage · Termin Nächster Kontakt 3/13/2026 (fällig in 3 Tagen) Letzter Kontakt 2/27/2026 Sonderleistungen hier nicht verfügbar Warum diese Kundenstufe?",
    );
    await shot(page, "german");
    await page.context().close();
  });
});

/** 300 accounts ranked by today's model, sampled as the re-rank stores it on the model row (ct_previewsamplejson). */
function previewSampleJson(): string {
  const accounts = [];
  const invoices = [];
  const opportunities = [];
  for (let i = 0; i < 300; i++) {
    const id = `h${i}`;
    accounts.push(account(id));
    if (i % 5 !== 0) invoices.push(invoice(id, 100 + ((i * 7919) % 300) ** 2, "2026-01-15"));
    if (i % 4 === 0) opportunities.push(open(id, 1000 * (i % 9), 60));
  }
  const model = parseModel({});
  const facts = computeFacts(input(accounts, invoices, opportunities), model, parseInstant("2026-03-01"));
  return JSON.stringify(buildPreviewSample(rankFacts(facts, model), 150));
}

describe("TierModelEditor in the pcf-start harness", () => {
  let editorHarness: ChildProcess | undefined;
  let editorLog = "";
  let editorUrl = "";
  const editor = (page: Page) => page.locator(".ct-editor");

  beforeAll(async () => {
    const port = await freePort();
    editorUrl = `http://127.0.0.1:${port}`;
    // The same launcher as the badge's, on the editor's build folder.
    editorHarness = spawn(process.execPath, ["-e", HARNESS_LAUNCHER, EDITOR_PATH, String(port)], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    editorHarness.stdout?.on("data", (d: Buffer) => (editorLog += d.toString()));
    editorHarness.stderr?.on("data", (d: Buffer) => (editorLog += d.toString()));
    const until = Date.now() + 30_000;
    for (;;) {
      if (editorHarness.exitCode != null) throw new Error(`pcf-start exited:\n${editorLog}`);
      const ok = await fetch(`${editorUrl}/ControlManifest.xml`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > until) throw new Error(`pcf-start did not serve ${editorUrl}:\n${editorLog}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 60_000);

  afterAll(async () => {
    if (editorHarness && editorHarness.exitCode == null) {
      const exited = new Promise((resolve) => editorHarness?.once("exit", resolve));
      editorHarness.kill("SIGTERM");
      await exited;
    }
  });

  async function openEditor(): Promise<Page> {
    if (!browser) throw new Error("browser not started");
    const context = await browser.newContext({
      viewport: { width: 1280, height: 1000 },
      locale: "en-US",
      timezoneId: "UTC",
    });
    await routeOffline(context, undefined, editorUrl);
    const page = await context.newPage();
    await page.goto(`${editorUrl}/`);
    await editor(page).waitFor({ timeout: 30_000 });
    return page;
  }

  test("typed inputs, the schema's words next to a field, and the live preview from the stored sample", async () => {
    const page = await openEditor();
    await setInputs(page, { model: '{"method":"percentile"}', previewSample: previewSampleJson() });
    await expect(page.getByText("The model is valid.", { exact: false }).count()).resolves.toBe(1);
    const aaaShare = page.getByLabel("AAA: share of accounts", { exact: false });
    await expect(aaaShare.inputValue()).resolves.toBe("0.1");
    await expect(page.getByTestId("preview-tiers").locator("tbody tr").count()).resolves.toBe(4);
    const before = await page
      .getByTestId("preview-tiers")
      .locator("tbody tr")
      .first()
      .locator("td")
      .first()
      .textContent();

    await aaaShare.fill("1.5");
    await expect(page.getByText("must be between 0 and 1").isVisible()).resolves.toBe(true);
    await expect(page.getByText("Fix the model to see its preview.").isVisible()).resolves.toBe(true);
    await expect(axeViolations(page, ".ct-editor")).resolves.toEqual([]);
    await editor(page).screenshot({ path: path.join(SHOTS, "model-editor-invalid.png") });

    await aaaShare.fill("0.3");
    await page.getByTestId("preview-tiers").waitFor();
    const after = await page
      .getByTestId("preview-tiers")
      .locator("tbody tr")
      .first()
      .locator("td")
      .first()
      .textContent();
    expect(Number(after)).toBeGreaterThan(Number(before));
    await expect(axeViolations(page, ".ct-editor")).resolves.toEqual([]);
    await editor(page).screenshot({ path: path.join(SHOTS, "model-editor.png") });
    await page.context().close();
  });
});

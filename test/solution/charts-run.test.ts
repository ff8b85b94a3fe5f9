import pino from "pino";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readAppSource, type Chart } from "../../solution/scripts/app-source";
import { readSolutionSource } from "../../solution/scripts/source-model";
import { startSandbox, type Sandbox } from "../../local-dataverse/server";
import { sampleSeed } from "../../local-dataverse/seed";
import { runRerank, type RerankSummary } from "../../plugins/rerank";
import { TIER_OPTIONS } from "../../src/engine/choices";

/**
 * Every system chart's FetchXML, exactly as the solution ships it, run through the local Dataverse on the sample
 * (issue 19). The sample is ranked twice by the real re-rank, four months apart, so the tier history has promotions
 * and demotions. Each aggregate is checked against the same rows read plainly, and accounts per tier against the
 * engine's own summary of the re-rank.
 */
const DAY = 86_400_000;
const app = readAppSource();
const source = readSolutionSource();
const setOf = (entity: string): string => source.entities.get(entity)?.entitySetName || `${entity}s`;
const chartNamed = (name: string): Chart => {
  const c = app.charts.find((x) => x.name === name);
  if (!c) throw new Error(`no chart named ${name}`);
  return c;
};

let sb: Sandbox;
let first: RerankSummary;
let second: RerankSummary;
let checkpoints: string;

beforeAll(async () => {
  const now = new Date();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  sb = await startSandbox({
    port: 0,
    steps: [],
    log: () => undefined,
    seed: async (store) => void (await sampleSeed(store, { accounts: 300, seed: 7, asOf: today })),
  });
  checkpoints = mkdtempSync(join(tmpdir(), "ct-charts-rerank-"));
  const rerank = (asOf: number, n: number) =>
    runRerank({
      url: sb.origin,
      token: "t",
      asOf,
      checkpointFile: join(checkpoints, `${n}.json`),
      log: pino({ level: "silent" }),
    });
  first = await rerank(today - 120 * DAY, 1);
  second = await rerank(today, 2);
}, 180_000);

afterAll(async () => {
  await sb?.close();
  rmSync(checkpoints, { recursive: true, force: true });
});

async function get(path: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let url: string | undefined = sb.url + path;
  while (url) {
    const res: Response = await fetch(url, { headers: { Accept: "application/json", "OData-Version": "4.0" } });
    const body = (await res.json()) as {
      value?: Record<string, unknown>[];
      "@odata.nextLink"?: string;
      error?: unknown;
    };
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(body.error)}`);
    rows.push(...(body.value ?? []));
    url = body["@odata.nextLink"];
  }
  return rows;
}

/** GET /<set>?fetchXml=<the chart's fetch, unchanged> */
const runChart = (c: Chart) => get(`${setOf(c.entity)}?fetchXml=${encodeURIComponent(c.fetchXml)}`);

const CODE_OF = new Map<number, string>(Object.entries(TIER_OPTIONS).map(([code, value]) => [value as number, code]));
const byTier = (rows: Record<string, unknown>[], measure: string): Record<string, number> =>
  Object.fromEntries(rows.map((r) => [CODE_OF.get(r["tier"] as number) ?? "?", r[measure] as number]));
function tally<T>(items: T[], key: (t: T) => string | undefined, value: (t: T) => number = () => 1) {
  const out: Record<string, number> = {};
  for (const t of items) {
    const k = key(t);
    if (k !== undefined) out[k] = Math.round(((out[k] ?? 0) + value(t)) * 100) / 100;
  }
  return out;
}

let accounts: Record<string, unknown>[];
beforeAll(async () => {
  accounts = await get(
    "accounts?$select=accountid,statecode,ct_tier,ct_revenue12m,ct_nexttouchdue,ct_trend&$filter=statecode eq 0 and ct_tier ne null",
  );
});
const tierOf = (a: Record<string, unknown>) => CODE_OF.get(a["ct_tier"] as number);

test("the sample is ranked: some accounts in every tier, history with promotions and demotions", () => {
  expect(first.tiers).toEqual(["AAA", "A", "B", "C"]);
  expect(second.changed).toBeGreaterThan(0);
  expect(new Set(accounts.map(tierOf))).toEqual(new Set(["AAA", "A", "B", "C"]));
});

test("accounts per tier equals the engine's summary of the re-rank (the pyramid, AAA first)", async () => {
  const rows = await runChart(chartNamed("Accounts per tier"));
  // The re-rank's movement matrix: from (old tier) → to (new tier); each column sums to the accounts now in the tier.
  const engine: Record<string, number> = {};
  for (const to of Object.values(second.matrix))
    for (const [t, n] of Object.entries(to)) engine[t] = (engine[t] ?? 0) + n;
  expect(byTier(rows, "accounts")).toEqual(engine);
  expect(rows.map((r) => CODE_OF.get(r["tier"] as number))).toEqual(["AAA", "A", "B", "C"]);
});

test("12-month revenue per tier and accounts per tier agree with the accounts read one by one", async () => {
  const rows = await runChart(chartNamed("12-month revenue and accounts per tier"));
  expect(byTier(rows, "revenue")).toEqual(tally(accounts, tierOf, (a) => Number(a["ct_revenue12m"] ?? 0)));
  expect(byTier(rows, "accounts")).toEqual(tally(accounts, tierOf));
  // The 80/20 picture: the top tiers hold far more of the revenue than of the accounts.
  const total = (k: string) => rows.reduce((s, r) => s + (r[k] as number), 0);
  const top = rows.filter((r) => ["AAA", "A"].includes(CODE_OF.get(r["tier"] as number)!));
  const share = (k: string) => top.reduce((s, r) => s + (r[k] as number), 0) / total(k);
  expect(share("revenue")).toBeGreaterThan(share("accounts"));
});

test("overdue touches per tier: next touch due more than a day ago", async () => {
  const rows = await runChart(chartNamed("Overdue touches per tier"));
  const cutoff = Date.now() - DAY;
  const overdue = accounts.filter((a) => a["ct_nexttouchdue"] && Date.parse(a["ct_nexttouchdue"] as string) < cutoff);
  expect(overdue.length).toBeGreaterThan(0);
  expect(byTier(rows, "overdue")).toEqual(tally(overdue, tierOf));
});

test("declining accounts per tier", async () => {
  const rows = await runChart(chartNamed("Declining accounts per tier"));
  const declining = accounts.filter((a) => a["ct_trend"] === 100000002);
  expect(byTier(rows, "declining")).toEqual(tally(declining, tierOf));
});

test("tier promotions and demotions per month, from the tier history", async () => {
  const history = await get("ct_tierhistories?$select=ct_fromtier,ct_totier,ct_changedon");
  const since = new Date();
  since.setUTCMonth(since.getUTCMonth() - 11);
  const recent = history.filter(
    (h) =>
      h["ct_fromtier"] != null && h["ct_totier"] != null && Date.parse(h["ct_changedon"] as string) >= since.getTime(),
  );
  const month = (h: Record<string, unknown>) => String(new Date(h["ct_changedon"] as string).getUTCMonth() + 1);
  const promotions = recent.filter((h) => (h["ct_totier"] as number) < (h["ct_fromtier"] as number));
  const demotions = recent.filter((h) => (h["ct_totier"] as number) > (h["ct_fromtier"] as number));
  expect(promotions.length + demotions.length).toBeGreaterThan(0);
  const perMonth = (rows: Record<string, unknown>[], m: string) =>
    Object.fromEntries(rows.map((r) => [String(r["month"]), r[m] as number]));
  expect(perMonth(await runChart(chartNamed("Tier promotions per month")), "promotions")).toEqual(
    tally(promotions, month),
  );
  expect(perMonth(await runChart(chartNamed("Tier demotions per month")), "demotions")).toEqual(
    tally(demotions, month),
  );
});

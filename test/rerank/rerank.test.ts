import { userTokens } from "../../local-dataverse";
import { readFileSync, existsSync } from "node:fs";
import {
  outcomeAt,
  parseModel,
  parsePreviewSample,
  rankFacts,
  rankTableFromColumns,
  tierFromOption,
  TIER_CHANGE_SOURCE_OPTIONS,
  TIER_OPTIONS,
} from "../../src/engine";
import { loadFacts } from "../../src/export-reader/load";
import { readDefaults } from "../../solution/scripts/defaults";
import { runRerank, type RerankOptions, type RerankSummary } from "../../plugins/rerank";
import { httpExchange } from "../../plugins/dataverse/http-exchange";
import type { Sandbox } from "../../local-dataverse";
import { AS_OF, removeFolders, sampleFolder, sandboxFrom, tempFile } from "./env";

/** The re-rank against the sandbox over real HTTP: what it writes, what it leaves alone, and what it does when stopped. */
let dir: string;
const model = parseModel(readDefaults().model.json);
const open: Sandbox[] = [];

beforeAll(async () => {
  dir = await sampleFolder(1500, 77);
}, 60_000);
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  removeFolders();
});

async function sandbox(extra: Parameters<typeof sandboxFrom>[1] = {}): Promise<Sandbox> {
  const s = await sandboxFrom(dir, extra);
  open.push(s);
  return s;
}

const run = (s: Sandbox, o: Partial<RerankOptions> = {}): Promise<RerankSummary> =>
  runRerank({
    url: s.origin,
    asOf: AS_OF,
    checkpointFile: tempFile("cp.jsonl"),
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...o,
  });

const TIER_COLUMNS = [
  "ct_tier",
  "ct_computedtier",
  "ct_tierscore",
  "ct_tierreason",
  "ct_tierchangedon",
  "ct_previoustier",
  "ct_trend",
  "ct_trenddelta",
  "ct_revenue12m",
  "ct_lasttouchon",
  "ct_nexttouchdue",
  "ct_cadencedays",
  "ct_touchchannel",
  "ct_tiercalculatedon",
];

/** Every account's tier columns and the history rows (by account, without their ids), sorted: comparable across sandboxes. */
function state(s: Sandbox): { accounts: Record<string, unknown>[]; history: string[]; model: Record<string, unknown> } {
  const accounts = [...s.store.rows("account")]
    .map((r) => ({ accountid: r.accountid, ...Object.fromEntries(TIER_COLUMNS.map((c) => [c, r[c] ?? null])) }))
    .sort((a, b) => String(a.accountid).localeCompare(String(b.accountid)));
  const history = [...s.store.rows("ct_tierhistory")]
    .map((h) =>
      JSON.stringify([
        (h.ct_accountid as { id: string }).id,
        h.ct_fromtier,
        h.ct_totier,
        h.ct_score,
        h.ct_source,
        h.ct_changedon,
        h.ct_reason,
      ]),
    )
    .sort();
  const m = [...s.store.rows("ct_tiermodel")];
  return {
    accounts,
    history,
    model:
      m.length === 1
        ? { cut: m[0].ct_cutpointsjson, q: m[0].ct_kpiquantilesjson, n: m[0].ct_rerankaccountcount }
        : { rows: m.length },
  };
}

/** Over-touching as `tiering rank` judges it from the touch dates: the re-rank counts touches per cadence instead. */
async function expectedOverTouched(): Promise<Map<string, boolean | null>> {
  const ranked = rankFacts(await loadFacts(dir, model, AS_OF), model);
  return new Map(
    ranked.facts.accounts.map((a, i) => [a.accountid.toLowerCase(), outcomeAt(ranked, i).cadence.overTouched]),
  );
}

async function expectedTiers(): Promise<Map<string, string>> {
  const ranked = rankFacts(await loadFacts(dir, model, AS_OF), model);
  return new Map(ranked.facts.accounts.map((a, i) => [a.accountid.toLowerCase(), outcomeAt(ranked, i).stored.tier]));
}

describe("tiering re-rank against the sandbox", () => {
  it("dry run: prints the movement matrix, writes nothing (no model row, no account, no history, no checkpoint)", async () => {
    const s = await sandbox();
    const before = state(s);
    const cp = tempFile("dry.jsonl");
    const summary = await run(s, { dryRun: true, checkpointFile: cp });
    expect(state(s)).toEqual(before);
    expect(existsSync(cp)).toBe(false);
    expect(summary).toMatchObject({ dryRun: true, written: 0, historyRows: 0 });
    // Never ranked: every account moves from "none"; the row sums to the population.
    expect(Object.keys(summary.matrix)).toEqual(["none"]);
    const expected = await expectedTiers();
    const counts: Record<string, number> = {};
    for (const t of expected.values()) counts[t] = (counts[t] ?? 0) + 1;
    expect(summary.matrix.none).toEqual(counts);
    expect(summary.changed).toBe(summary.accounts);
  }, 60_000);

  it("backfill: creates the model row from defaults.json, stores the RankTable, writes every account its engine tier and one history row each", async () => {
    const s = await sandbox();
    const summary = await run(s);
    const expected = await expectedTiers();
    expect(summary.accounts).toBe(expected.size);
    expect(summary.written).toBe(expected.size);
    expect(summary.requests).toBeLessThan(summary.accounts / 10);
    for (const [id, tier] of expected)
      expect([id, tierFromOption(s.store.get("account", id)!.ct_tier as number)]).toEqual([id, tier]);
    const overTouched = await expectedOverTouched();
    expect([...overTouched.values()].filter((v) => v === true).length).toBeGreaterThan(0);
    for (const [id, flag] of overTouched) expect([id, s.store.get("account", id)!.ct_overtouched]).toEqual([id, flag]);
    const models = [...s.store.rows("ct_tiermodel")];
    expect(models).toHaveLength(1);
    expect(models[0].ct_name).toBe(readDefaults().model.name);
    const table = rankTableFromColumns(models[0].ct_cutpointsjson, models[0].ct_kpiquantilesjson);
    expect(table).toMatchObject({ n: expected.size, activeInWindow: summary.activeInWindow, asOf: summary.asOf });
    expect(models[0].ct_rerankaccountcount).toBe(expected.size);
    // The model the cut-points belong to, for saves to fall back on, and a status sales ops can read.
    expect(models[0].ct_rankedmodeljson).toBe(models[0].ct_modeljson);
    expect(models[0].ct_modelstatus).toMatch(
      new RegExp(`^Valid\\. Re-ranked ${expected.size} accounts with this model on `),
    );
    // The model editor's preview sample (docs/model-editor.md): the whole population when it is this small.
    const sample = parsePreviewSample(String(models[0].ct_previewsamplejson));
    expect(sample.population).toBe(expected.size);
    expect(sample.weight.reduce((a, b) => a + b, 0)).toBeCloseTo(expected.size, 3);
    const history = [...s.store.rows("ct_tierhistory")];
    expect(history).toHaveLength(summary.historyRows);
    expect(summary.historyRows).toBe(expected.size);
    expect(new Set(history.map((h) => h.ct_source))).toEqual(new Set([TIER_CHANGE_SOURCE_OPTIONS.rerank]));
  }, 60_000);

  it("an invalid model JSON: the run stops before any write, tiers stay, and the row's status names the field", async () => {
    const s = await sandbox();
    await run(s);
    const before = state(s);
    const [row] = [...s.store.rows("ct_tiermodel")];
    const res = await fetch(`${s.url}ct_tiermodels(${String(row.ct_tiermodelid)})`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${userTokens(undefined).admin}` },
      body: JSON.stringify({ ct_modeljson: JSON.stringify({ weigths: { monetary: 1 } }) }),
    });
    expect(res.status).toBe(204);
    await expect(run(s)).rejects.toThrow(/unknown field weigths/);
    expect(state(s)).toEqual(before);
    expect(s.store.get("ct_tiermodel", String(row.ct_tiermodelid))!.ct_modelstatus).toMatch(
      /^Invalid: ct_tiermodel .*unknown field weigths\. The re-rank did not run; every tier stays as it is\.$/,
    );
  }, 60_000);

  it("a second run with nothing changed writes nothing; an override and the hysteresis rule are respected", async () => {
    const s = await sandbox();
    await run(s);
    const again = await run(s);
    expect(again).toMatchObject({ changed: 0, written: 0, historyRows: 0 });
    // Diagonal only: everyone keeps the tier they have.
    for (const [from, row] of Object.entries(again.matrix)) expect(Object.keys(row)).toEqual([from]);

    const ctx = {
      userId: "5a9d3e42-0c7b-4f7a-9a55-000000000001",
      correlationId: "c0ffee00-0000-4000-8000-000000000001",
      bypassSync: true,
      bypassAsync: true,
    };
    const accounts = [...s.store.rows("account")].filter((a) => a.statecode === 0);
    const cAccount = accounts.find((a) => a.ct_tier === TIER_OPTIONS.C)!;
    // The two lowest-scored A accounts, now said to hold AAA: one since yesterday, one for 400 days.
    const [held, demoted] = accounts
      .filter((a) => a.ct_tier === TIER_OPTIONS.A)
      .sort((a, b) => (a.ct_tierscore as number) - (b.ct_tierscore as number));
    const DAY = 86_400_000;
    s.store.atomically((tx) => {
      s.store.update(
        tx,
        "account",
        cAccount.accountid as string,
        { ct_tieroverride: TIER_OPTIONS.AAA, ct_tieroverridereason: "strategic" },
        ctx,
      );
      s.store.update(
        tx,
        "account",
        held.accountid as string,
        { ct_tier: TIER_OPTIONS.AAA, ct_tierchangedon: AS_OF - DAY },
        ctx,
      );
      s.store.update(
        tx,
        "account",
        demoted.accountid as string,
        { ct_tier: TIER_OPTIONS.AAA, ct_tierchangedon: AS_OF - 400 * DAY },
        ctx,
      );
    });
    const third = await run(s);
    const after = (a: Record<string, unknown>): Record<string, unknown> =>
      s.store.get("account", a.accountid as string)!;
    expect([after(cAccount).ct_tier, after(cAccount).ct_computedtier]).toEqual([TIER_OPTIONS.AAA, TIER_OPTIONS.C]);
    expect([after(held).ct_tier, after(held).ct_computedtier]).toEqual([TIER_OPTIONS.AAA, TIER_OPTIONS.A]);
    expect([after(demoted).ct_tier, after(demoted).ct_computedtier]).toEqual([TIER_OPTIONS.A, TIER_OPTIONS.A]);
    expect(third.matrix).toMatchObject({ C: { AAA: 1 }, AAA: { A: 1 } });
    const newRows = [...s.store.rows("ct_tierhistory")].filter(
      (h) => (h.ct_changedon as number) >= AS_OF - 1000 && h.ct_fromtier !== null,
    );
    const byAccount = Object.fromEntries(
      newRows.map((h) => [(h.ct_accountid as { id: string }).id, [h.ct_fromtier, h.ct_totier, h.ct_source]]),
    );
    expect(byAccount).toEqual({
      [cAccount.accountid as string]: [TIER_OPTIONS.C, TIER_OPTIONS.AAA, TIER_CHANGE_SOURCE_OPTIONS.override],
      [demoted.accountid as string]: [TIER_OPTIONS.AAA, TIER_OPTIONS.A, TIER_CHANGE_SOURCE_OPTIONS.rerank],
    });
    expect(third.historyRows).toBe(2);
  }, 60_000);

  it("429s with Retry-After and 503s are retried: same result, and the retries are counted as requests", async () => {
    const clean = await sandbox();
    const faulty = await sandbox({ fault429: 0.15, fault503: 0.05, faultSeed: 9, retryAfterSeconds: 0 });
    const a = await run(clean);
    const b = await run(faulty);
    expect(state(faulty)).toEqual({ ...state(clean), history: state(clean).history });
    expect({ ...b, requests: 0 }).toEqual({ ...a, requests: 0 });
    expect(b.requests).toBeGreaterThan(a.requests);
  }, 90_000);

  it("stopped at random points and resumed, it ends exactly where an uninterrupted run ends, with no duplicate history", async () => {
    const reference = await sandbox();
    const full = await run(reference);
    const s = await sandbox();
    const cp = tempFile("resume.jsonl");
    // Count requests to the sandbox and abort after a random one: a stop anywhere, mid-page, mid-write, mid-split.
    const realSend = httpExchange.send.bind(httpExchange);
    let sent = 0;
    let stopAt = 0;
    let controller = new AbortController();
    const spy = jest.spyOn(httpExchange, "send").mockImplementation(async (r) => {
      const res = await realSend(r);
      // The second attempt stops right after its first change set (between two of one page); the others at random.
      const batch = r.url.endsWith("$batch");
      if (++sent === stopAt || (stopAt === -1 && batch)) controller.abort(new Error("test stop"));
      return res;
    });
    let seed = 12345;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let interruptions = 0;
    let last: RerankSummary | undefined;
    try {
      for (let attempt = 0; attempt < 30 && !last; attempt++) {
        controller = new AbortController();
        sent = 0;
        stopAt = attempt === 1 ? -1 : 1 + Math.floor((random() * full.requests) / 3);
        try {
          last = await run(s, { checkpointFile: cp, resume: attempt > 0, signal: controller.signal });
        } catch (e) {
          if (!controller.signal.aborted) throw e;
          interruptions++;
          expect(existsSync(cp)).toBe(true);
        }
      }
    } finally {
      spy.mockRestore();
    }
    expect(interruptions).toBeGreaterThanOrEqual(2);
    expect(last).toBeDefined();
    expect(existsSync(cp)).toBe(false);
    const want = state(reference);
    const got = state(s);
    expect(got.accounts).toEqual(want.accounts);
    expect(got.model).toEqual(want.model);
    expect(got.history).toEqual(want.history);
    expect(last!.matrix).toEqual(full.matrix);
    expect({ written: last!.written, historyRows: last!.historyRows }).toEqual({
      written: full.written,
      historyRows: full.historyRows,
    });
  }, 180_000);

  it("refuses to resume a checkpoint of another environment or as-of", async () => {
    const s = await sandbox();
    const cp = tempFile("other.jsonl");
    const controller = new AbortController();
    await expect(
      run(s, {
        checkpointFile: cp,
        signal: controller.signal,
        onProgress: (_d, _t, phase) => phase === "facts" && controller.abort(),
      }),
    ).rejects.toThrow();
    expect(readFileSync(cp, "utf8").split("\n")[0]).toContain(s.origin);
    await expect(run(s, { checkpointFile: cp, resume: true, asOf: AS_OF + 1 })).rejects.toThrow(/as of/);
    await expect(runRerank({ url: "http://127.0.0.1:1", checkpointFile: cp, resume: true })).rejects.toThrow(
      /belongs to a run against/,
    );
  }, 60_000);
});

import { join } from "node:path";
import {
  computeFacts,
  factsAt,
  outcomeAt,
  parseModel,
  parseInstant,
  rankFacts,
  rankTableFromColumns,
  rankTableToColumns,
  scoreAccount,
  type EngineInput,
  type TierModel,
} from "../../src/engine";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { readExportRows } from "../../src/export-reader/load";
import { generateSample } from "../../src/sample";
import { account, invoice, open, won } from "./builders";

const CDNOW = join(__dirname, "../../datasets/cdnow-sample");

/** Ranks the batch, then scores every account alone against the stored table, as the plugin does on save. */
function agreement(data: EngineInput, model: TierModel, asOf: number) {
  const facts = computeFacts(data, model, asOf);
  const batch = rankFacts(facts, model);
  // What the re-rank stores on ct_tiermodel and the plugin reads back.
  const columns = rankTableToColumns(batch.table);
  const table = rankTableFromColumns(columns.ct_cutpointsjson, columns.ct_kpiquantilesjson);
  expect(table).toEqual(batch.table);
  let same = 0;
  let worstScoreGap = 0;
  const n = facts.accounts.length;
  for (let i = 0; i < n; i++) {
    const b = outcomeAt(batch, i);
    const s = scoreAccount(factsAt(facts, i), model, table, { tier: null, changedOn: null }, asOf);
    if (s.computedTier === b.computedTier) same++;
    worstScoreGap = Math.max(worstScoreGap, Math.abs(s.score - b.score));
    expect(s.trend).toEqual(b.trend);
    expect(s.activeInWindow).toBe(b.activeInWindow);
  }
  return { n, agreement: same / n, worstScoreGap };
}

/** A skewed synthetic population with many distinct values (CDNOW has no opportunities). */
function synthetic(n: number): EngineInput {
  let s = 42;
  const rnd = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const data: EngineInput & { invoices: ReturnType<typeof invoice>[]; opportunities: ReturnType<typeof open>[] } = {
    accounts: [],
    invoices: [],
    opportunities: [],
    activities: [],
  };
  for (let i = 0; i < n; i++) {
    const id = `s${i}`;
    data.accounts.push(account(id));
    const size = Math.exp(rnd() * 6);
    const count = Math.floor(rnd() * 12);
    for (let k = 0; k < count; k++) {
      const day = 1 + Math.floor(rnd() * 700);
      data.invoices.push(
        invoice(
          id,
          (Math.round(size * (50 + rnd() * 500)) / 100) * 100,
          new Date(Date.UTC(2022, 0, day)).toISOString(),
        ),
      );
    }
    if (rnd() < 0.3) data.opportunities.push(open(id, Math.round(rnd() * 50_000), Math.floor(rnd() * 100)));
    if (rnd() < 0.2)
      data.opportunities.push(
        won(id, Math.round(rnd() * 80_000), new Date(Date.UTC(2023, 0, 1 + Math.floor(rnd() * 360))).toISOString()),
      );
  }
  return data;
}

describe("on-save scoring against the stored table agrees with the batch", () => {
  it.each(["percentile", "pareto", "thresholds"] as const)("on the CDNOW sample (%s)", async (method) => {
    const data = await readExportRows(CDNOW);
    const r = agreement(data, parseModel({ method }), parseInstant("1998-07-01"));
    expect(r.n).toBe(2357);
    expect(r.agreement).toBeGreaterThanOrEqual(0.99);
    expect(r.worstScoreGap).toBeLessThanOrEqual(1);
  });

  it.each(["percentile", "pareto", "thresholds"] as const)(
    "on a skewed synthetic population of 5,000 (%s)",
    (method) => {
      const r = agreement(synthetic(5000), parseModel({ method }), parseInstant("2024-01-01"));
      expect(r.agreement).toBeGreaterThanOrEqual(0.99);
      expect(r.worstScoreGap).toBeLessThanOrEqual(1);
    },
  );

  it.each(["percentile", "pareto", "thresholds"] as const)(
    "on a generated B2B sample of 4,000 accounts with opportunities and activities (%s)",
    async (method) => {
      const out = mkdtempSync(join(tmpdir(), "onsave-"));
      const asOf = parseInstant("2026-07-01");
      await generateSample({ accounts: 4000, seed: 7, asOf, months: 27, out });
      const r = agreement(await readExportRows(out), parseModel({ method }), asOf);
      expect(r.agreement).toBeGreaterThanOrEqual(0.99);
      expect(r.worstScoreGap).toBeLessThanOrEqual(1);
    },
  );

  it("falls back to the thresholds rule on a cold start (no stored table)", () => {
    const model = parseModel({});
    const data = synthetic(10);
    const facts = computeFacts(data, model, parseInstant("2024-01-01"));
    for (let i = 0; i < 10; i++) {
      const o = scoreAccount(
        factsAt(facts, i),
        model,
        null,
        { tier: null, changedOn: null },
        parseInstant("2024-01-01"),
      );
      expect(o.score).toBe(50); // every KPI in the middle of a population of one
      expect(o.computedTier).toBe(o.activeInWindow ? "B" : "C"); // minScore 30 ≤ 50 < 60
      expect(o.rule.kind).toBe(o.activeInWindow ? "threshold" : "inactive");
    }
  });
});

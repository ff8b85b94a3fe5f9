import fc from "fast-check";
import {
  DAY_MS,
  parseModel,
  rankPopulation,
  type EngineInput,
  type InvoiceRow,
  type OpportunityRow,
  type TierModel,
} from "../../src/engine";
import { referenceRank } from "./reference";

const T0 = Date.UTC(2021, 0, 1);
const SPAN = 4 * 365 * DAY_MS;

const amountArb = fc.oneof(
  fc.constantFrom(0, 10, 10, 100, 250.5, 1000, -50),
  fc.integer({ min: -50_000, max: 500_000 }).map((c) => c / 100),
);
const dateArb = fc.oneof(
  fc.integer({ min: 0, max: SPAN }).map((d) => T0 + d),
  fc.integer({ min: 0, max: 47 }).map((m) => Date.UTC(2021, m, 1)),
);

const populationArb = fc.integer({ min: 0, max: 30 }).chain((n) => {
  const ids = Array.from({ length: n }, (_, i) => `acc-${String(i).padStart(3, "0")}`);
  const idArb = n ? fc.constantFrom(...ids) : fc.constant("nobody");
  const invoiceArb: fc.Arbitrary<InvoiceRow> = fc.record({
    customerid: idArb,
    totalamount_base: amountArb,
    statecode: fc.constantFrom(0, 1, 2, 2, 2, 3),
    createdon: dateArb,
  });
  const oppArb: fc.Arbitrary<OpportunityRow> = fc.record({
    customerid: idArb,
    statecode: fc.constantFrom(0, 1, 2),
    actualvalue_base: fc.option(amountArb.map(Math.abs), { nil: null }),
    estimatedvalue_base: fc.option(amountArb.map(Math.abs), { nil: null }),
    closeprobability: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
    actualclosedate: fc.option(dateArb, { nil: null }),
  });
  return fc.record({
    accounts: fc
      .constant(ids)
      .chain((list) =>
        fc.tuple(...list.map((id) => fc.constantFrom(0, 0, 0, 1).map((statecode) => ({ accountid: id, statecode })))),
      ),
    invoices: fc.array(invoiceArb, { maxLength: 120 }),
    opportunities: fc.array(oppArb, { maxLength: 30 }),
    activities: fc.constant([]),
  }) as fc.Arbitrary<EngineInput & { invoices: InvoiceRow[]; opportunities: OpportunityRow[] }>;
});

const shareArb = fc.integer({ min: 0, max: 33 }).map((x) => x / 100);
const modelArb: fc.Arbitrary<TierModel> = fc
  .record({
    method: fc.constantFrom("percentile", "pareto", "thresholds"),
    windowMonths: fc.integer({ min: 1, max: 24 }),
    weights: fc.record({
      monetary: fc.integer({ min: 0, max: 5 }),
      frequency: fc.integer({ min: 0, max: 5 }),
      recency: fc.integer({ min: 0, max: 5 }),
      pipeline: fc.integer({ min: 0, max: 5 }),
      won: fc.integer({ min: 1, max: 5 }),
    }),
    shares: fc.tuple(shareArb, shareArb, shareArb),
    mins: fc
      .uniqueArray(fc.integer({ min: 0, max: 100 }), { minLength: 3, maxLength: 3 })
      .map((m) => m.sort((a, b) => b - a)),
    trend: fc.record({
      dropRatio: fc.constantFrom(0.1, 0.3, 0.5),
      riseRatio: fc.constantFrom(0.1, 0.3, 1),
      minAbsoluteChange: fc.constantFrom(0, 100, 1000),
      baselineQuarters: fc.integer({ min: 1, max: 6 }),
    }),
    invoiceStates: fc.constantFrom([0, 2], [2], [0, 1, 2]),
  })
  .map((m) =>
    parseModel({
      method: m.method,
      windowMonths: m.windowMonths,
      weights: m.weights,
      trend: m.trend,
      invoiceStates: m.invoiceStates,
      tiers: [
        { code: "AAA", share: m.shares[0], revenueShare: m.shares[0], minScore: m.mins[0] },
        { code: "A", share: m.shares[1], revenueShare: m.shares[1], minScore: m.mins[1] },
        { code: "B", share: m.shares[2], revenueShare: m.shares[2], minScore: m.mins[2] },
        { code: "C" },
      ],
    }),
  );
const asOfArb = fc.oneof(
  fc.integer({ min: 400, max: SPAN / DAY_MS }).map((d) => T0 + d * DAY_MS + 3_600_000 * (d % 24)),
  fc.constantFrom(Date.UTC(2024, 2, 31), Date.UTC(2023, 6, 1), Date.UTC(2024, 0, 1)),
);

function summary(data: EngineInput, model: TierModel, asOf: number) {
  const r = rankPopulation(data, model, asOf);
  return r.facts.accounts.map((a, i) => ({
    accountid: a.accountid,
    tier: model.tiers[r.tier[i]].code,
    score: r.score[i],
    trend: r.trend[i].code,
  }));
}

describe("engine against an independent reference implementation of docs/tier-model.md", () => {
  it("agrees on every tier, trend and score for random populations and models", () => {
    fc.assert(
      fc.property(populationArb, modelArb, asOfArb, (data, model, asOf) => {
        const ours = summary(data, model, asOf);
        const ref = referenceRank(model, asOf, data.accounts, data.invoices, data.opportunities, []);
        expect(ours.map((o) => o.accountid)).toEqual(ref.map((o) => o.accountid));
        ours.forEach((o, i) => {
          expect({ id: o.accountid, tier: o.tier, trend: o.trend }).toEqual({
            id: ref[i].accountid,
            tier: ref[i].tier,
            trend: ref[i].trend,
          });
          expect(Math.abs(o.score - ref[i].score)).toBeLessThanOrEqual(1e-9);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe("properties", () => {
  it("fills percentile tiers to their shares: at least ceil(cᵢ·n) accounts, extra ones only by a tie at the cut", () => {
    fc.assert(
      fc.property(populationArb, modelArb, asOfArb, (data, m, asOf) => {
        const model = { ...m, method: "percentile" as const };
        const r = rankPopulation(data, model, asOf);
        const active = [...r.active.keys()].filter((i) => r.active[i]);
        const n = active.length;
        let c = 0;
        model.tiers.slice(0, -1).forEach((t, i) => {
          c += t.share ?? 0;
          const target = Math.ceil(Math.round(c * n * 1e9) / 1e9);
          const inOrAbove = active.filter((j) => r.tier[j] <= i);
          expect(inOrAbove.length).toBeGreaterThanOrEqual(Math.min(target, n));
          const cut = r.table.cuts[i].score;
          if (inOrAbove.length > target) {
            const extra = inOrAbove
              .map((j) => r.score[j])
              .sort((a, b) => b - a)
              .slice(target);
            expect(extra.every((s) => s === cut)).toBe(true);
          }
        });
      }),
      { numRuns: 200 },
    );
  });

  it("never lowers an account's score when its monetary value rises", () => {
    fc.assert(
      fc.property(
        populationArb,
        modelArb,
        asOfArb,
        fc.nat(),
        fc.integer({ min: 1, max: 1_000_000 }),
        (data, model, asOf, pick, raise) => {
          const candidates = data.invoices.map((inv, i) => ({ inv, i })).filter(({ inv }) => inv.totalamount_base > 0);
          fc.pre(candidates.length > 0);
          const { i } = candidates[pick % candidates.length];
          const before = summary(data, model, asOf);
          const raised = {
            ...data,
            invoices: data.invoices.map((inv, j) =>
              j === i ? { ...inv, totalamount_base: inv.totalamount_base + raise / 100 } : inv,
            ),
          };
          const after = summary(raised, model, asOf);
          const k = before.findIndex((o) => o.accountid === data.invoices[i].customerid);
          fc.pre(k >= 0);
          expect(after[k].score).toBeGreaterThanOrEqual(before[k].score);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("does not depend on row order", () => {
    fc.assert(
      fc.property(populationArb, modelArb, asOfArb, fc.integer(), (data, model, asOf, seed) => {
        const shuffle = <T>(xs: T[]): T[] => {
          const out = [...xs];
          let s = seed >>> 0;
          for (let i = out.length - 1; i > 0; i--) {
            s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
            const j = s % (i + 1);
            [out[i], out[j]] = [out[j], out[i]];
          }
          return out;
        };
        const shuffled = {
          accounts: shuffle(data.accounts),
          invoices: shuffle(data.invoices),
          opportunities: shuffle(data.opportunities),
          activities: [],
        };
        const a = new Map(summary(data, model, asOf).map((o) => [o.accountid, o]));
        const b = new Map(summary(shuffled, model, asOf).map((o) => [o.accountid, o]));
        expect(b).toEqual(a);
      }),
      { numRuns: 200 },
    );
  });
});

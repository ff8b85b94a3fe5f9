import { DAY_MS, outcomeAt, parseModel, rankPopulation, type RankResult } from "../../src/engine";
import { account, at, input, invoice, ladder, open, touch, won } from "./builders";

const model = parseModel({});
const AS_OF = at("2024-01-01");

function byId(r: RankResult): Map<string, { tier: string; score: number; trend: string; i: number }> {
  return new Map(
    r.facts.accounts.map((a, i) => [
      a.accountid,
      { tier: r.model.tiers[r.tier[i]].code, score: r.score[i], trend: r.trend[i].code, i },
    ]),
  );
}
const kpi = (r: RankResult, id: string, name: "monetary" | "frequency" | "recency" | "pipeline" | "won"): number =>
  r.values[name][r.facts.accounts.findIndex((a) => a.accountid === id)];

describe("KPI facts (docs/tier-model.md)", () => {
  it("counts an invoice at the window start and excludes one at asOf", () => {
    const r = rankPopulation(
      input(
        [account("x")],
        [
          invoice("x", 100, "2023-01-01T00:00:00Z"),
          invoice("x", 7, "2024-01-01T00:00:00Z"),
          invoice("x", 5, "2022-12-31T23:59:59.999Z"),
          invoice("x", 1, "2023-12-31T23:59:59.999Z"),
        ],
      ),
      model,
      AS_OF,
    );
    expect(kpi(r, "x", "monetary")).toBe(101);
    expect(kpi(r, "x", "frequency")).toBe(2);
    expect(kpi(r, "x", "recency")).toBe(0);
  });

  it("clamps the window start to the month's last day (asOf March 31 → February 29)", () => {
    const asOf = at("2024-03-31T12:00:00Z");
    const r = rankPopulation(
      input([account("x")], [invoice("x", 10, "2024-02-29T12:00:00Z"), invoice("x", 20, "2024-02-29T11:59:59Z")]),
      parseModel({ windowMonths: 1 }),
      asOf,
    );
    expect(kpi(r, "x", "monetary")).toBe(10);
  });

  it("subtracts credit notes, ignores canceled invoices and those in other states", () => {
    const r = rankPopulation(
      input(
        [account("x")],
        [
          invoice("x", 500, "2023-05-01"),
          invoice("x", -120.5, "2023-06-01"),
          invoice("x", 1000, "2023-07-01", 3),
          invoice("x", 40, "2023-08-01", 0),
          invoice("x", 9, "2023-09-01", 1),
        ],
      ),
      model,
      AS_OF,
    );
    expect(kpi(r, "x", "monetary")).toBe(419.5);
    expect(kpi(r, "x", "frequency")).toBe(2); // the credit note is no purchase
    expect(kpi(r, "x", "recency")).toBe(Math.floor((AS_OF - at("2023-08-01")) / DAY_MS));
  });

  it("rounds money sums to 2 decimals so the order of addition cannot break a tie", () => {
    const r = rankPopulation(
      input(
        [account("x"), account("y")],
        [invoice("x", 0.1, "2023-05-01"), invoice("x", 0.2, "2023-05-02"), invoice("y", 0.3, "2023-05-01")],
      ),
      model,
      AS_OF,
    );
    expect(kpi(r, "x", "monetary")).toBe(0.3);
    expect(kpi(r, "y", "monetary")).toBe(0.3);
    expect(r.pct.monetary[0]).toBe(50); // a tie: both mid-rank
    expect(r.pct.monetary[1]).toBe(50);
  });

  it("takes recency from won opportunities too, and won/pipeline from opportunities", () => {
    const r = rankPopulation(
      input(
        [account("x")],
        [invoice("x", 10, "2023-03-01")],
        [
          won("x", 2500, "2023-12-20"),
          won("x", 999, "2022-12-01"),
          open("x", 10_000, 35),
          open("x", 333.33, 10),
          { ...open("x", 5000, 90), statecode: 2 },
        ],
      ),
      model,
      AS_OF,
    );
    expect(kpi(r, "x", "won")).toBe(2500);
    expect(kpi(r, "x", "pipeline")).toBe(3533.33);
    expect(kpi(r, "x", "recency")).toBe(12);
  });

  it("gives an account with no purchase or win the worst recency", () => {
    const r = rankPopulation(
      input(
        [account("a"), account("b"), account("c")],
        [invoice("a", 10, "2023-12-01"), invoice("b", 10, "2023-06-01")],
      ),
      model,
      AS_OF,
    );
    expect(kpi(r, "c", "recency")).toBe(Infinity);
    expect(Array.from(r.pct.recency)).toEqual([(100 * 2.5) / 3, (100 * 1.5) / 3, (100 * 0.5) / 3]);
  });

  it("leaves inactive accounts and rows of unknown accounts out of the population", () => {
    const r = rankPopulation(
      input(
        [account("a"), account("z", { statecode: 1 })],
        [invoice("z", 10, "2023-06-01"), invoice("ghost", 5, "2023-06-01")],
      ),
      model,
      AS_OF,
    );
    expect(r.facts.accounts.map((a) => a.accountid)).toEqual(["a"]);
    expect(r.facts.skipped.invoices).toBe(2);
  });
});

describe("percentiles and score", () => {
  it("scores a single account 50 and puts it in the first tier", () => {
    const r = rankPopulation(ladder([100]), model, AS_OF);
    expect(r.score[0]).toBe(50);
    expect(byId(r).get("a00")!.tier).toBe("AAA");
  });

  it("gives all-equal KPIs the mid-rank 50 everywhere", () => {
    const r = rankPopulation(ladder([10, 10, 10, 10]), model, AS_OF);
    expect(Array.from(r.score)).toEqual([50, 50, 50, 50]);
    expect([...byId(r).values()].map((x) => x.tier)).toEqual(["AAA", "AAA", "AAA", "AAA"]); // ties at the cut go up
  });

  it("returns nothing for an empty population", () => {
    const r = rankPopulation(input([]), model, AS_OF);
    expect(r.score).toHaveLength(0);
    expect(r.table.cuts.map((c) => c.score)).toEqual([null, null, null]);
  });

  it("computes score = round(Σ w·pct / Σ w, 6)", () => {
    const r = rankPopulation(
      ladder([1, 2, 3]),
      parseModel({ weights: { monetary: 1, frequency: 0, recency: 0, pipeline: 0, won: 0 } }),
      AS_OF,
    );
    expect(Array.from(r.score)).toEqual([16.666667, 50, 83.333333]);
  });
});

describe("tier methods", () => {
  const ten = ladder([100, 90, 80, 70, 60, 50, 40, 30, 20, 10]);

  it("percentile: cuts at ceil(cᵢ·n) with 0.1 + 0.2 not one position more", () => {
    const r = rankPopulation(ten, model, AS_OF);
    const tiers = [...byId(r).values()].map((x) => x.tier).join(" ");
    expect(tiers).toBe("AAA A A B B B C C C C");
    expect(r.table.cuts.map((c) => c.code)).toEqual(["AAA", "A", "B"]);
  });

  it("percentile: ties at a cut-point go up", () => {
    const r = rankPopulation(ladder([100, 90, 90, 90, 60, 50, 40, 30, 20, 10]), model, AS_OF);
    expect([...byId(r).values()].map((x) => x.tier).join(" ")).toBe("AAA A A A B B C C C C");
  });

  it("percentile: accounts not active in the window get the last tier whatever their score", () => {
    const data = ladder([100, 90]);
    data.accounts.push(account("idle"));
    const r = rankPopulation(
      data,
      parseModel({ tiers: [{ code: "AAA", share: 0.5 }, { code: "A", share: 0.5 }, { code: "C" }] }),
      AS_OF,
    );
    expect(byId(r).get("idle")!.tier).toBe("C");
    expect(r.rule(2)).toEqual({ kind: "inactive" });
    expect(r.table.activeInWindow).toBe(2);
  });

  it("pareto: cumulative revenue share decides, exactly at the boundary, ties by accountid", () => {
    const m = parseModel({ method: "pareto" });
    const r = rankPopulation(ladder([50, 30, 20, 0]), m, AS_OF);
    // before/T: 0 → AAA; 0.5 is not < 0.5 → A (0.8); 0.8 is not < 0.8 → B (0.95); monetary 0 → C
    expect([...byId(r).values()].map((x) => x.tier).join(" ")).toBe("AAA A B C");
    const tie = rankPopulation(
      input([account("b"), account("a")], [invoice("b", 50, "2023-06-01"), invoice("a", 50, "2023-06-01")]),
      m,
      AS_OF,
    );
    expect(byId(tie).get("a")!.tier).toBe("AAA");
    expect(byId(tie).get("b")!.tier).toBe("A");
  });

  it("pareto: compares shares as decimals, so 0.1 + 0.2 is exactly 0.3", () => {
    const m = parseModel({
      method: "pareto",
      tiers: [
        { code: "AAA", revenueShare: 0.1 },
        { code: "A", revenueShare: 0.2 },
        { code: "B", revenueShare: 0.3 },
        { code: "C" },
      ],
    });
    const r = rankPopulation(ladder([30, 25, 25, 20]), m, AS_OF);
    // before/T = 0, 0.3, 0.55, 0.8; 0.3 is not below the cumulative 0.1 + 0.2 (a float says 0.30000000000000004)
    expect([...byId(r).values()].map((x) => x.tier).join(" ")).toBe("AAA B B C");
  });

  it("pareto: a credit-noted account with negative monetary gets the last tier", () => {
    const r = rankPopulation(
      input(
        [account("a"), account("n")],
        [invoice("a", 10, "2023-06-01"), invoice("n", 20, "2023-06-01"), invoice("n", -30, "2023-07-01")],
      ),
      parseModel({ method: "pareto" }),
      AS_OF,
    );
    expect(byId(r).get("n")!.tier).toBe("C");
    expect(byId(r).get("a")!.tier).toBe("AAA");
  });

  it("thresholds: first tier whose minScore ≤ score", () => {
    const r = rankPopulation(
      ten,
      parseModel({ method: "thresholds", weights: { monetary: 1, frequency: 0, recency: 0, pipeline: 0, won: 0 } }),
      AS_OF,
    );
    // monetary pct: 95, 85, …, 5
    expect([...byId(r).values()].map((x) => x.tier).join(" ")).toBe("AAA AAA A A B B B C C C"); // 85 ≥ 85 reaches AAA
  });
});

describe("trend", () => {
  // asOf 2024-01-01: Q0 = 2023Q4, baseline = 2023Q3..2022Q4, earliest baseline start 2022-10-01
  const trendOf = (invoices: Parameters<typeof invoice>[], cfg = {}): string =>
    byId(
      rankPopulation(
        input(
          [account("x")],
          invoices.map((a) => invoice(...a)),
        ),
        parseModel({ trend: cfg }),
        AS_OF,
      ),
    ).get("x")!.trend;

  it("is insufficient without counted invoices or with a first invoice after the earliest baseline start", () => {
    expect(trendOf([])).toBe("insufficient");
    expect(trendOf([["x", 100, "2022-10-01T00:00:01Z"]])).toBe("insufficient");
    expect(trendOf([["x", 5000, "2022-10-01T00:00:00Z"]])).not.toBe("insufficient");
    expect(
      trendOf([
        ["x", 5000, "2021-01-01", 3],
        ["x", 10, "2023-11-01"],
      ]),
    ).toBe("insufficient"); // canceled does not count
  });

  it("treats missing quarters as 0 and takes the mean of the two middle baseline values", () => {
    // baseline quarters: 2022Q4 4000, 2023Q1 0, 2023Q2 6000, 2023Q3 2000 → sorted 0, 2000, 4000, 6000 → median 3000
    const base: Parameters<typeof invoice>[] = [
      ["x", 4000, "2022-10-01"],
      ["x", 6000, "2023-05-01"],
      ["x", 2000, "2023-08-01"],
    ];
    expect(trendOf([...base, ["x", 1900, "2023-11-01"]])).toBe("declining"); // 1900 ≤ 0.7 × 3000 and 3000 − 1900 ≥ 1000
    expect(trendOf([...base, ["x", 2100, "2023-11-01"]])).toBe("stable"); // 2100 ≤ 2100 but the drop is only 900
  });

  it("needs both the ratio and the absolute change", () => {
    const base: Parameters<typeof invoice>[] = [
      ["x", 4000, "2022-10-01"],
      ["x", 4000, "2023-02-01"],
      ["x", 4000, "2023-05-01"],
      ["x", 4000, "2023-08-01"],
    ];
    expect(trendOf([...base, ["x", 2800, "2023-11-01"]])).toBe("declining"); // 2800 ≤ 2800 and 1200 ≥ 1000
    expect(trendOf([...base, ["x", 2801, "2023-11-01"]])).toBe("stable");
    expect(trendOf([...base, ["x", 5200, "2023-11-01"]])).toBe("growing"); // 5200 ≥ 5200 and 1200 ≥ 1000
    expect(trendOf([...base, ["x", 5199.99, "2023-11-01"]])).toBe("stable");
    expect(trendOf([...base, ["x", 2800, "2023-11-01"]], { minAbsoluteChange: 1500 })).toBe("stable");
  });

  it("calls growth from a zero baseline growing and never declining", () => {
    expect(
      trendOf([
        ["x", 1, "2022-01-01"],
        ["x", -1, "2022-01-02"],
        ["x", 1000, "2023-12-01"],
      ]),
    ).toBe("growing");
    expect(
      trendOf([
        ["x", 1, "2022-01-01"],
        ["x", -1, "2022-01-02"],
      ]),
    ).toBe("stable");
  });
});

describe("stored tier: hysteresis, override, cadence", () => {
  const ten = ladder([100, 90, 80, 70, 60, 50, 40, 30, 20, 10]);
  const withState = (i: number, extra: object) => {
    const data = { ...ten, accounts: ten.accounts.map((a, j) => (j === i ? { ...a, ...extra } : a)) };
    const r = rankPopulation(data, model, AS_OF);
    return outcomeAt(r, i);
  };

  it("promotes at once", () => {
    const o = withState(0, { ct_tier: "B", ct_tierchangedon: at("2023-12-30") });
    expect(o.stored).toMatchObject({
      tier: "AAA",
      changed: true,
      previousTier: "B",
      changedOn: AS_OF,
      rule: { kind: "computed" },
    });
  });

  it("holds a tier while the score is within the demotion margin", () => {
    const r = rankPopulation(ten, model, AS_OF);
    const cutA = r.table.cuts[1].score!;
    // a08 (computed C) scores far below A's cut; a03 (B) sits close below it
    const near = [...Array(10).keys()].find((i) => r.tier[i] === 2 && r.score[i] >= cutA - 5)!;
    expect(near).toBeDefined();
    const o = withState(near, { ct_tier: "A", ct_tierchangedon: at("2020-01-01") });
    expect(o.stored).toMatchObject({ tier: "A", changed: false, rule: { kind: "held", reason: "margin" } });
  });

  it("holds a tier not yet held for minDaysInTier, then demotes", () => {
    const recent = withState(9, { ct_tier: "AAA", ct_tierchangedon: AS_OF - 89 * DAY_MS });
    expect(recent.stored).toMatchObject({ tier: "AAA", rule: { kind: "held", reason: "minDays" } });
    const old = withState(9, { ct_tier: "AAA", ct_tierchangedon: AS_OF - 90 * DAY_MS });
    expect(old.stored).toMatchObject({ tier: "C", changed: true, previousTier: "AAA", rule: { kind: "computed" } });
  });

  it("lets an override win until it expires, keeping the computed tier", () => {
    const o = withState(9, {
      ct_tier: "C",
      ct_tieroverride: "AAA",
      ct_tieroverridereason: "strategic",
      ct_tieroverrideuntil: at("2024-02-01"),
    });
    expect(o.computedTier).toBe("C");
    expect(o.stored).toMatchObject({
      tier: "AAA",
      changed: true,
      rule: { kind: "override", reason: "strategic", until: "2024-02-01T00:00:00.000Z" },
    });
    const expired = withState(9, {
      ct_tier: "AAA",
      ct_tierchangedon: at("2023-12-20"),
      ct_tieroverride: "AAA",
      ct_tieroverridereason: "strategic",
      ct_tieroverrideuntil: AS_OF,
    });
    expect(expired.stored).toMatchObject({ tier: "C", changed: true, rule: { kind: "computed" } });
  });

  it("puts the next touch a cadence after the last touch, else after the tier change, and counts overdue days", () => {
    const data = input(
      [account("x", { ct_tier: "AAA", ct_tierchangedon: at("2023-10-01") })],
      [invoice("x", 10, "2023-06-01")],
      [],
      [
        touch("x", "phonecall", "2023-12-01T15:00:00Z"),
        touch("x", "email", "2023-12-10T09:00:00Z", 0),
        touch("x", "task", "2023-12-20"),
      ],
    );
    const o = outcomeAt(rankPopulation(data, model, AS_OF), 0);
    expect(o.stored.tier).toBe("AAA");
    expect(new Date(o.cadence.nextTouchDue!).toISOString()).toBe("2023-12-15T00:00:00.000Z");
    expect(o.cadence.overdueDays).toBe(17);
    expect(o.cadence.channel).toBe("meeting");
    const untouched = outcomeAt(rankPopulation({ ...data, activities: [] }, model, AS_OF), 0);
    expect(new Date(untouched.cadence.nextTouchDue!).toISOString()).toBe("2023-10-15T00:00:00.000Z");
  });
});

describe("explanation", () => {
  it("lists each KPI's value, percentile, weight and points, summing to the score, compact enough for ct_tierreason", () => {
    const data = ladder([100, 90, 80, 70, 60, 50, 40, 30, 20, 10]);
    const r = rankPopulation(data, model, AS_OF);
    for (let i = 0; i < 10; i++) {
      const e = outcomeAt(r, i).explanation;
      expect(e.kpis.map((k) => k.kpi)).toEqual(["monetary", "frequency", "recency", "pipeline", "won"]);
      expect(e.kpis.reduce((s, k) => s + k.points, 0)).toBeCloseTo(e.score, 4);
      expect(e.tier).toBe(model.tiers[r.tier[i]].code);
      expect(JSON.stringify(e).length).toBeLessThan(1500);
    }
    expect(outcomeAt(r, 0).explanation.rule).toEqual({ kind: "percentile", cut: r.table.cuts[0].score });
  });
});

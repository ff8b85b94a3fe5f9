import { DEFAULT_MODEL, ModelError, parseModel } from "../../src/engine";

function errorOf(json: unknown): ModelError {
  try {
    parseModel(json);
  } catch (e) {
    if (e instanceof ModelError) return e;
    throw e;
  }
  throw new Error("expected the model to be rejected");
}

describe("parseModel", () => {
  it("gives the docs/tier-model.md defaults for an empty object", () => {
    const m = parseModel({});
    expect(m).toEqual(DEFAULT_MODEL);
    expect(m.tiers.map((t) => [t.code, t.share])).toEqual([
      ["AAA", 0.1],
      ["A", 0.2],
      ["B", 0.3],
      ["C", undefined],
    ]);
    expect(m.weights).toEqual({ monetary: 0.45, frequency: 0.2, recency: 0.15, pipeline: 0.1, won: 0.1 });
  });

  it("merges objects field by field and replaces arrays", () => {
    const m = parseModel({
      weights: { monetary: 1 },
      trend: { dropRatio: 0.5 },
      invoiceStates: [2],
      tiers: [{ code: "AAA", share: 0.05 }, { code: "Rest" }],
    });
    expect(m.weights.monetary).toBe(1);
    expect(m.weights.frequency).toBe(0.2);
    expect(m.trend).toEqual({ ...DEFAULT_MODEL.trend, dropRatio: 0.5 });
    expect(m.invoiceStates).toEqual([2]);
    expect(m.tiers).toEqual([{ code: "AAA", share: 0.05, revenueShare: 0.5, minScore: 85 }, { code: "Rest" }]);
  });

  it.each([
    [{ weights: { monetary: -1 } }, "weights.monetary", /negative/],
    [{ weights: { monetary: 0, frequency: 0, recency: 0, pipeline: 0, won: 0 } }, "weights", /above 0/],
    [{ tiers: [{ code: "AAA", share: 1.5 }, { code: "C" }] }, "tiers[0].share", /between 0 and 1/],
    [{ tiers: [{ code: "AAA", share: 0.6 }, { code: "A", share: 0.5 }, { code: "C" }] }, "tiers[].share", /above 1/],
    [{ tiers: [{ code: "AAA", share: 0.1 }] }, "tiers", /at least two/],
    [{ method: "kmeans" }, "method", /percentile/],
    [{ tiers: [{ code: "X" }, { code: "Y" }] }, "tiers[0].share", /required by method "percentile"/],
    [{ method: "pareto", tiers: [{ code: "X", share: 0.5 }, { code: "Y" }] }, "tiers[0].revenueShare", /pareto/],
    [{ method: "thresholds", tiers: [{ code: "X" }, { code: "Y" }] }, "tiers[0].minScore", /thresholds/],
    [{ tiers: [{ code: "A", share: 0.1 }, { code: "A" }] }, "tiers[1].code", /duplicate/],
    [{ weigths: {} }, "(model)", /unknown field weigths/],
    [{ weights: { revenue: 1 } }, "weights", /unknown field revenue/],
    [{ windowMonths: 0 }, "windowMonths", /at least 1/],
    [{ windowMonths: 1.5 }, "windowMonths", /whole/],
    [{ tiers: [{ code: "AAA", share: 0.1, channel: "fax" }, { code: "C" }] }, "tiers[0].channel", /ct_tierpolicy/],
    // Issue 14: the touch pattern moved to the tier policy; a model still carrying it says where.
    [
      {
        tiers: [
          { code: "AAA", share: 0.1 },
          { code: "C", cadenceDays: 90 },
        ],
      },
      "tiers[1].cadenceDays",
      /moved to the tier policy: set ct_cadencedays on the ct_tierpolicy row of tier C/,
    ],
    [{ trend: { baselineQuarters: 0 } }, "trend.baselineQuarters", /at least 1/],
    [{ invoiceStates: [] }, "invoiceStates", /at least one/],
  ])("rejects %j naming %s", (json, field, reason) => {
    const e = errorOf(json);
    expect(e.field).toBe(field);
    expect(e.reason).toMatch(reason);
    expect(e.message).toContain(field);
  });

  it("accepts shares that sum to exactly 1 despite binary rounding", () => {
    const m = parseModel({
      tiers: [
        { code: "AAA", share: 0.1 },
        { code: "A", share: 0.2 },
        { code: "B", share: 0.3 },
        { code: "C", share: 0.4 },
      ],
    });
    expect(m.tiers).toHaveLength(4);
  });

  it("rejects a non-object", () => {
    expect(errorOf([1, 2]).field).toBe("(model)");
  });
});

import { TIER_OPTIONS, TREND_OPTIONS } from "../../src/engine/choices";
import { buildBadgeModel, type BadgeBody } from "../../src/control/view-model";
import { DEFAULT_TIER_COLORS } from "../../src/control/palette";
import { EXPLANATION, RANKED, TODAY } from "./fixtures";
import { day, makeContext, UNREADABLE, type ContextOptions } from "./mock-context";

const ranked = (opts: ContextOptions, today = TODAY): Extract<BadgeBody, { kind: "ranked" }> => {
  const body = buildBadgeModel(makeContext(opts), today).body;
  if (body.kind !== "ranked") throw new Error(`expected a ranked body, got ${body.kind}`);
  return body;
};

describe("buildBadgeModel", () => {
  test("restricted: an unreadable ct_tier yields only the word, whatever the other fields hold", () => {
    const model = buildBadgeModel(
      makeContext({
        values: { ...RANKED, override: TIER_OPTIONS.A, overrideReason: "secret" },
        security: { tier: UNREADABLE },
      }),
      TODAY,
    );
    expect(model.body).toEqual({
      kind: "restricted",
      text: "Restricted",
      hint: "You don't have permission to see this account's tier.",
    });
    expect(JSON.stringify(model)).not.toMatch(/AAA|91|Meeting|secret|declin/i);
  });

  test("not ranked yet when ct_tier is empty", () => {
    expect(buildBadgeModel(makeContext({ values: { score: 40 } }), TODAY).body.kind).toBe("empty");
  });

  test("a secured optional field is left out, the rest still shows", () => {
    const body = ranked({ values: RANKED, security: { score: UNREADABLE, computedTier: UNREADABLE } });
    expect(body.score).toBeUndefined();
    expect(body.tier.computed).toBeUndefined();
    expect(body.trend?.label).toBe("Declining");
  });

  test("cadence line and next touch, relative to today", () => {
    const body = ranked({ values: RANKED });
    expect(body.cadence).toBe("Every 14 days · Meeting");
    expect(body.due).toEqual({ text: "Next touch 3/13/2026", relative: "due in 3 days", overdue: false });
    expect(body.lastTouch).toBe("Last touch 2/27/2026");
  });

  test.each([
    ["2026-03-10", "due today", false],
    ["2026-03-11", "due tomorrow", false],
    ["2026-03-09", "overdue by 1 day", true],
    ["2026-03-05", "overdue by 5 days", true],
    ["2026-04-09", "due in 30 days", false],
  ])("next touch %s reads %s", (due, relative, overdue) => {
    const body = ranked({ values: { ...RANKED, nextTouchDue: day(due) } });
    expect(body.due?.relative).toBe(relative);
    expect(body.due?.overdue).toBe(overdue);
  });

  test("days count calendar days across the spring daylight-saving change", () => {
    // Europe and the US move their clocks in March; a 23-hour day must still count as one.
    const body = ranked({ values: { ...RANKED, nextTouchDue: day("2026-04-05") } }, day("2026-03-01"));
    expect(body.due?.relative).toBe("due in 35 days");
  });

  test("badge colour: the option's own Color wins, with readable text on it", () => {
    expect(ranked({ values: RANKED }).tier).toMatchObject({
      background: DEFAULT_TIER_COLORS.AAA,
      foreground: "#FFFFFF",
    });
    expect(ranked({ values: RANKED, tierColors: { AAA: "#FFD700" } }).tier).toMatchObject({
      background: "#FFD700",
      foreground: "#000000",
    });
    expect(ranked({ values: RANKED, tierColors: { AAA: "not a colour" } }).tier.background).toBe(
      DEFAULT_TIER_COLORS.AAA,
    );
  });

  test("tier label: the option's own label, else the formatted value, else our code when formatted is only a number", () => {
    const ctx = makeContext({ values: RANKED });
    ctx.parameters.tier.attributes = undefined; // a host without option metadata, like the pcf-start harness
    ctx.parameters.tier.formatted = "100,000,000";
    expect(buildBadgeModel(ctx, TODAY).body).toMatchObject({ tier: { label: "AAA" } });
    ctx.parameters.tier.formatted = "Strategisch";
    expect(buildBadgeModel(ctx, TODAY).body).toMatchObject({ tier: { label: "Strategisch" } });
    ctx.parameters.tier.raw = 7; // an option an admin added: no code of ours
    ctx.parameters.tier.formatted = "7";
    expect(buildBadgeModel(ctx, TODAY).body).toMatchObject({ tier: { label: "7", background: "#3B3A39" } });
  });

  test("computed tier differs from the stored one: shown for hover", () => {
    expect(ranked({ values: RANKED }).tier.computed).toBeUndefined();
    expect(ranked({ values: { ...RANKED, computedTier: TIER_OPTIONS.A } }).tier.computed).toBe("Calculated tier: A");
  });

  test("override with reason and expiry; expired override is not shown", () => {
    const values = {
      ...RANKED,
      override: TIER_OPTIONS.AAA,
      overrideReason: "Strategic partner",
      overrideUntil: day("2026-06-30"),
    };
    expect(ranked({ values }).override).toEqual({
      tag: "Override",
      detail: "Set by hand: Strategic partner · until 6/30/2026",
    });
    expect(ranked({ values: { ...values, overrideUntil: null } }).override?.detail).toBe(
      "Set by hand: Strategic partner · no end date",
    );
    expect(ranked({ values: { ...values, overrideUntil: day("2026-03-09") } }).override).toBeUndefined();
  });

  test("override expiry falls back to the explanation when ct_tieroverrideuntil is not on the form", () => {
    const reason = JSON.stringify({
      ...EXPLANATION,
      stored: { tier: "AAA", rule: { kind: "override", until: "2026-05-01", reason: "Board decision" } },
    });
    expect(ranked({ values: { ...RANKED, override: TIER_OPTIONS.AAA, reason } }).override?.detail).toBe(
      "Set by hand: Board decision · until 5/1/2026",
    );
  });

  test("why this tier: each KPI in plain words, then the rule", () => {
    const why = ranked({ values: RANKED }).why;
    if (!why?.ok) throw new Error("expected a readable explanation");
    expect(why.title).toBe("Why AAA?");
    expect(why.summary).toBe("Score 91.3 of 100, calculated on 3/1/2026.");
    expect(why.lines).toEqual([
      "Revenue: $48,211. Better than 97% of accounts, 43.4 points.",
      "Invoices: 14. Better than 92% of accounts, 18.4 points.",
      "Since last purchase or win: 12 days. Better than 81% of accounts, 12.2 points.",
      "Weighted open pipeline: $12,000. Better than 77% of accounts, 7.7 points.",
      "No won opportunities in the period: 2.5 points.",
    ]);
    expect(why.rule).toBe("The score reaches the AAA cut-off of 88.4.");
  });

  test("held by hysteresis is said so", () => {
    const reason = JSON.stringify({
      ...EXPLANATION,
      tier: "A",
      stored: { tier: "AAA", rule: { kind: "held", reason: "minDays" } },
    });
    const why = ranked({ values: { ...RANKED, reason } }).why;
    expect(why?.ok && why.held).toBe("Kept at AAA: it has not held the tier long enough to move down.");
  });

  test("a broken explanation names the field instead of showing numbers", () => {
    const reason = JSON.stringify({ ...EXPLANATION, kpis: [{ ...EXPLANATION.kpis[0], pct: "high" }] });
    const why = ranked({ values: { ...RANKED, reason } }).why;
    expect(why).toMatchObject({
      ok: false,
      message: "The explanation for this tier could not be read.",
      problem: "ct_tierreason.kpis[0].pct: expected a number",
    });
    expect(ranked({ values: { ...RANKED, reason: "{oops" } }).why).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^ct_tierreason is not JSON/),
    });
  });

  test("trend tooltip adds the quarters from the explanation", () => {
    expect(ranked({ values: RANKED }).trend?.tooltip).toBe(
      "Last quarter's revenue is well below its usual level. Last quarter $8,000, usual quarter $15,000.",
    );
    expect(ranked({ values: { ...RANKED, trend: TREND_OPTIONS.growing } }).trend?.tooltip).toBe(
      "Last quarter's revenue is well above its usual level.",
    );
  });

  test("issue 14: amounts use the base currency through formatting.formatCurrency, in each locale's pattern", () => {
    const why = (lcid: 1033 | 1031, baseCurrency: string | null) => {
      const w = ranked({ values: RANKED, lcid, baseCurrency }).why;
      if (!w?.ok) throw new Error("expected a readable explanation");
      return w.lines[0];
    };
    expect(why(1033, "$")).toBe("Revenue: $48,211. Better than 97% of accounts, 43.4 points.");
    expect(why(1031, "€")).toBe("Umsatz: 48.211 €. Besser als 97 % der Kunden, 43,4 Punkte.");
    // Without a symbol on the form, a plain amount rather than a guessed currency.
    expect(why(1033, null)).toBe("Revenue: 48,211. Better than 97% of accounts, 43.4 points.");
  });

  test("issue 14: a KPI with nothing in the window reads in words, not '0. Better than 31 %'", () => {
    const reason = JSON.stringify({
      ...EXPLANATION,
      kpis: EXPLANATION.kpis.map((k) => (k.kpi === "pipeline" ? { ...k, value: 0, pct: 31, points: 3.1 } : k)),
    });
    const why = ranked({ values: { ...RANKED, reason } }).why;
    if (!why?.ok) throw new Error("expected a readable explanation");
    expect(why.lines[3]).toBe("No open pipeline: 3.1 points.");
    expect(why.lines.join(" ")).not.toMatch(/: \$?0\. Better/);
    const de = ranked({ values: { ...RANKED, reason }, lcid: 1031 }).why;
    expect(de?.ok && de.lines[3]).toBe("Keine offenen Verkaufschancen: 3,1 Punkte.");
  });

  test("issue 14: 'Last quarter 0, usual quarter 724' is not labelled stable", () => {
    const reason = JSON.stringify({ ...EXPLANATION, trend: { code: "stable", q0: 0, baseline: 724 } });
    const trend = ranked({ values: { ...RANKED, trend: TREND_OPTIONS.stable, reason } }).trend!;
    expect(trend.label).toBe("No clear trend");
    expect(trend.tooltip).toBe(
      "Last quarter's revenue differs from its usual level, but by less than the amount that counts as a trend. Last quarter $0, usual quarter $724.",
    );
    expect(trend.tooltip).not.toMatch(/close to its usual level/);
    // Quarters that really are alike stay "Stable", with the same facts in the text.
    const alike = JSON.stringify({ ...EXPLANATION, trend: { code: "stable", q0: 980, baseline: 1000 } });
    const stable = ranked({ values: { ...RANKED, trend: TREND_OPTIONS.stable, reason: alike } }).trend!;
    expect(stable.label).toBe("Stable");
    expect(stable.tooltip).toBe(
      "Last quarter's revenue is close to its usual level. Last quarter $980, usual quarter $1,000.",
    );
  });

  test("issue 14: the callout title is a question, in both languages", () => {
    expect(ranked({ values: RANKED }).why?.title).toBe("Why AAA?");
    expect(ranked({ values: RANKED, lcid: 1031 }).why?.title).toBe("Warum AAA?");
  });

  test.each([
    [{ layout: "auto" as const, allocatedWidth: 600 }, false],
    [{ layout: "auto" as const, allocatedWidth: 280 }, true],
    [{ layout: "auto" as const, allocatedWidth: -1 }, false],
    [{ layout: "auto" as const, formFactor: 3 }, true],
    [{ layout: "standard" as const, allocatedWidth: 200 }, false],
    [{ layout: "compact" as const, allocatedWidth: 900 }, true],
  ])("layout %o compact=%s", (opts, compact) => {
    expect(buildBadgeModel(makeContext({ values: RANKED, ...opts }), TODAY).compact).toBe(compact);
  });

  test("German: strings from the 1031 resx, numbers and dates from the German formatter", () => {
    const body = ranked({ values: RANKED, lcid: 1031 });
    expect(body.cadence).toBe("Alle 14 Tage · Termin");
    expect(body.due).toEqual({ text: "Nächster Kontakt 13.3.2026", relative: "fällig in 3 Tagen", overdue: false });
    expect(body.score?.text).toBe("91,3");
  });
});

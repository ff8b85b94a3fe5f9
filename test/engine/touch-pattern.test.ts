import {
  DEFAULT_POLICY_SET,
  outcomeAt,
  parseModel,
  policySet,
  rankPopulation,
  touchCadence,
  touchPolicy,
  type TouchPolicy,
} from "../../src/engine";
import { account, at, input, invoice, touch } from "./builders";

// Issue 14: the tier policy is the only home of the touch pattern (docs/touch-pattern.md).
const model = parseModel({});
const AS_OF = at("2024-01-01");
const AAA: TouchPolicy = { tier: "AAA", cadenceDays: 14, channel: "meeting", graceDays: 7, touchDormant: false };
const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString().slice(0, 10));

describe("touch pattern", () => {
  it("takes cadence and channel from the tier policy, not the model", () => {
    const data = input(
      [account("x", { ct_tier: "AAA", ct_tierchangedon: at("2023-06-01") })],
      [invoice("x", 10, "2023-06-01")],
    );
    const ranked = rankPopulation(data, model, AS_OF);
    const o = outcomeAt({ ...ranked, policies: policySet([{ ...AAA, cadenceDays: 7, channel: "call" }]) }, 0);
    expect(o.stored.tier).toBe("AAA");
    expect([o.cadence.days, o.cadence.channel]).toEqual([7, "call"]);
    expect(o.explanation.cadence).toMatchObject({ days: 7, channel: "call" });
    // Without policies: the solution's defaults.
    expect(outcomeAt(ranked, 0).cadence).toMatchObject({ days: 14, channel: "meeting" });
  });

  it("after a tier change, the next touch is due no earlier than the change date plus the grace days", () => {
    // A C account touched 80 days ago, promoted to A today: due by the cadence 50 days ago, but grace gives 7 days.
    const changed = at("2024-01-01");
    const c = touchCadence(
      { ...AAA, tier: "A", cadenceDays: 30, channel: "call" },
      { lastTouchOn: at("2023-10-13"), tierChangedOn: changed, activeInWindow: true },
      AS_OF,
    );
    expect([iso(c.nextTouchDue), c.overdueDays]).toEqual(["2024-01-08", 0]);
    const noGrace = touchCadence(
      { ...AAA, graceDays: 0 },
      { lastTouchOn: at("2023-10-13"), tierChangedOn: changed, activeInWindow: true },
      AS_OF,
    );
    expect(iso(noGrace.nextTouchDue)).toBe("2024-01-01");
    // An old tier change does not hold back a due date.
    const old = touchCadence(
      AAA,
      { lastTouchOn: at("2023-12-01"), tierChangedOn: at("2023-01-01"), activeInWindow: true },
      AS_OF,
    );
    expect([iso(old.nextTouchDue), old.overdueDays]).toEqual(["2023-12-15", 17]);
  });

  it("a dormant account has no due date unless its policy touches dormant accounts", () => {
    const s = { lastTouchOn: at("2023-01-01"), tierChangedOn: at("2022-01-01"), activeInWindow: false };
    expect(touchCadence(AAA, s, AS_OF)).toMatchObject({ nextTouchDue: null, overdueDays: 0 });
    expect(iso(touchCadence({ ...AAA, touchDormant: true }, s, AS_OF).nextTouchDue)).toBe("2023-01-15");
    // Through the engine: an account with nothing in the window.
    const data = input(
      [account("x", { ct_tier: "C", ct_tierchangedon: at("2021-01-01") })],
      [invoice("x", 10, "2021-06-01")],
    );
    const o = outcomeAt(rankPopulation(data, model, AS_OF), 0);
    expect([o.activeInWindow, o.cadence.nextTouchDue, o.cadence.overdueDays]).toEqual([false, null, 0]);
    expect(o.explanation.cadence?.nextTouchDue).toBeNull();
  });

  it("flags more than one touch per cadence period over the last two periods", () => {
    // AAA: 14 days, so at most two touches in the 28 days before asOf.
    const two = ["2023-12-10", "2023-12-20"];
    const three = ["2023-12-05", "2023-12-10", "2023-12-20"];
    const run = (dates: string[]) => {
      const data = input(
        [account("x", { ct_tier: "AAA", ct_tierchangedon: at("2023-01-01") })],
        [invoice("x", 10, "2023-06-01")],
        [],
        dates.map((d) => touch("x", "phonecall", d)),
      );
      return outcomeAt(rankPopulation(data, model, AS_OF), 0).cadence.overTouched;
    };
    expect(run(two)).toBe(false);
    expect(run(three)).toBe(true);
    // The third touch 29 days back falls outside the two periods.
    expect(run(["2023-12-03", "2023-12-10", "2023-12-20"])).toBe(false);
    // Not counted (a path that only knows the last touch): not judged.
    expect(
      touchCadence(AAA, { lastTouchOn: AS_OF, tierChangedOn: null, activeInWindow: true }, AS_OF).overTouched,
    ).toBeNull();
  });

  it("checks policy values and names the column", () => {
    expect(() => touchPolicy("ct_tierpolicy p1", "AAA", { cadenceDays: 0, channel: "call" })).toThrow(
      /ct_tierpolicy p1: ct_cadencedays must be a whole number of days from 1/,
    );
    expect(() => touchPolicy("p", "AAA", { cadenceDays: 7, channel: "fax" })).toThrow(/ct_touchchannel must be one of/);
    expect(touchPolicy("p", "AAA", { cadenceDays: 7, channel: "call" })).toEqual({
      tier: "AAA",
      cadenceDays: 7,
      channel: "call",
      graceDays: 7,
      touchDormant: false,
    });
    expect(DEFAULT_POLICY_SET.get("C")).toMatchObject({ cadenceDays: 90, channel: "email", graceDays: 7 });
  });
});

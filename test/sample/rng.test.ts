import { Rng } from "../../src/sample/rng";
import { GUID } from "./sample-fixture";

describe("Rng", () => {
  it("repeats its stream for a seed and differs between neighbouring seeds", () => {
    const draw = (seed: number): number[] => {
      const r = new Rng(seed);
      return Array.from({ length: 8 }, () => r.int(0, 1_000_000));
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(draw(0)).not.toEqual(draw(0xffffffff));
  });

  it("makes version-4 GUIDs in lowercase 8-4-4-4-12 form, without repeats", () => {
    const r = new Rng(9);
    const ids = Array.from({ length: 50_000 }, () => r.guid());
    expect(ids.every((id) => GUID.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("draws distributions with the intended means", () => {
    const r = new Rng(123);
    const n = 100_000;
    let erlang = 0;
    let lognormal = 0;
    let normalSq = 0;
    for (let i = 0; i < n; i++) {
      erlang += r.erlang(12, 2);
      lognormal += Math.log(r.lognormal(0.5));
      normalSq += r.normal() ** 2;
    }
    expect(erlang / n).toBeCloseTo(0.5, 2);
    expect(lognormal / n).toBeCloseTo(0, 1);
    expect(normalSq / n).toBeCloseTo(1, 1);
  });
});

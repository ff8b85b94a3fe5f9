import fc from "fast-check";
import { distinctFinder, lowerBound, midRankPercentiles, sortedCopy } from "../../src/engine/percentile";

const distinctOf = (values: Float64Array): Float64Array => {
  const s = sortedCopy(values);
  return Float64Array.from(s.filter((v, i) => i === 0 || v !== s[i - 1] || Number.isNaN(v)));
};

// The bucketed look-up of midRankPercentiles must give lowerBound's index for every value, in the array or not.
describe("distinctFinder", () => {
  const doubles = fc.oneof(
    fc.double(),
    fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    fc.integer({ min: 0, max: 40 }).map((n) => n),
    fc.constantFrom(0, -0, Infinity, -Infinity, NaN, 1e308, -1e308, Number.MIN_VALUE),
  );

  it("finds what lowerBound finds", () => {
    fc.assert(
      fc.property(fc.array(doubles, { maxLength: 400 }), fc.array(doubles, { maxLength: 50 }), (values, probes) => {
        const distinct = distinctOf(Float64Array.from(values));
        const find = distinctFinder(distinct);
        for (const v of [...values, ...probes]) expect(find(v)).toBe(lowerBound(distinct, v));
      }),
      { numRuns: 300 },
    );
  });

  it("gives each value its mid-rank percentile at scale", () => {
    const n = 200_000;
    const values = Float64Array.from({ length: n }, (_, i) => Math.round(Math.exp((i * 7919) % 12) * 100 + i) / 100);
    const sorted = sortedCopy(values);
    const pct = midRankPercentiles(values, sorted, false);
    for (let i = 0; i < n; i += 997) {
      const less = lowerBound(sorted, values[i]);
      let equal = 0;
      while (sorted[less + equal] === values[i]) equal++;
      expect(pct[i]).toBe((100 * (less + 0.5 * equal)) / n);
    }
  });
});

import fc from "fast-check";
import { boundGuid, ID_SPACE, splitRange, type IdRange } from "../../plugins/rerank/id-ranges";

/**
 * SQL Server compares uniqueidentifier values by byte groups, last group first: bytes 10–15, then 8–9, 6–7, 4–5,
 * 0–3 (https://learn.microsoft.com/sql/connect/ado-net/sql/compare-guid-uniqueidentifier-values). Ranges built from
 * `boundGuid` must cover every id exactly once under that order, whatever the ids.
 */
const ORDER = [10, 11, 12, 13, 14, 15, 8, 9, 6, 7, 4, 5, 0, 1, 2, 3];
const bytes = (g: string): number[] => (g.replace(/-/g, "").match(/../g) ?? []).map((h) => parseInt(h, 16));
function compareSql(a: string, b: string): number {
  const x = bytes(a);
  const y = bytes(b);
  for (const i of ORDER) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

const inRange = (g: string, r: IdRange): boolean =>
  (r.lo === 0 || compareSql(g, boundGuid(r.lo)) >= 0) && (r.hi === ID_SPACE || compareSql(g, boundGuid(r.hi)) < 0);

const guid = fc.uuid({ version: [1, 2, 3, 4, 5] });

test("split ranges partition arbitrary GUID sets under SQL Server's uniqueidentifier order", () => {
  fc.assert(
    fc.property(
      fc.array(guid, { maxLength: 200 }),
      fc.integer({ min: 1, max: 64 }),
      fc.integer({ min: 1, max: 8 }),
      (ids, parts, sub) => {
        // Ranges as the re-rank makes them: split the space, then split one range again.
        const top = splitRange({ lo: 0, hi: ID_SPACE }, parts);
        const ranges = top.flatMap((r, i) => (i === 0 ? splitRange(r, sub) : [r]));
        for (const g of ids) expect(ranges.filter((r) => inRange(g, r)).length).toBe(1);
      },
    ),
    { numRuns: 300 },
  );
});

test("the bounds themselves are in ascending SQL order", () => {
  for (let v = 1; v + 1 < ID_SPACE; v += 997) expect(compareSql(boundGuid(v), boundGuid(v + 1))).toBeLessThan(0);
});

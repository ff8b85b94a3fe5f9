import fc from "fast-check";
import { FirstLines } from "../../src/export-reader/first-lines";

// The duplicate-id check's table must answer as the Map it replaced: the first line of a key seen before, else none.
describe("FirstLines", () => {
  it("answers as a Map of first lines, through growth and colliding keys", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.uuid(), fc.string({ unit: "binary" })), { maxLength: 3000 }),
        (keys) => {
          const table = new FirstLines();
          const map = new Map<string, number>();
          keys.forEach((k, i) => {
            const line = i + 2;
            expect(table.seen(k, line)).toBe(map.get(k) ?? -1);
            if (!map.has(k)) map.set(k, line);
          });
        },
      ),
      { numRuns: 50 },
    );
  });

  it("keeps a million distinct keys apart", () => {
    const table = new FirstLines();
    let found = 0;
    for (let i = 0; i < 1_000_000; i++) if (table.seen(`id-${i}`, i + 2) !== -1) found++;
    expect(found).toBe(0);
    expect(table.seen("id-0", 5)).toBe(2);
    expect(table.seen("id-999999", 5)).toBe(1_000_001);
  });
});

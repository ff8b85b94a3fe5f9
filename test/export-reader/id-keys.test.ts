import fc from "fast-check";
import { IdKeys } from "../../src/export-reader/id-keys";

/**
 * IdKeys numbers ids as a Map keyed by `id.toLowerCase()` would (the Synapse reader's rule before it), whether an id
 * arrives as cell bytes or as a decoded string; and it keeps working as its tables grow.
 */
const alphabet = ["a", "B", "c", "D", "0", "9", "-", "É", "é", "K", "\u212a", "ß", "İ", "日"];
const idArb = fc.array(fc.constantFrom(...alphabet), { maxLength: 8 }).map((cs) => cs.join(""));

describe("IdKeys", () => {
  it("gives the keys of a Map on toLowerCase, from bytes or from strings", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(idArb, fc.boolean()), { maxLength: 200 }), (ids) => {
        const keys = new IdKeys();
        const reference = new Map<string, number>();
        for (const [id, asBytes] of ids) {
          const want = reference.get(id.toLowerCase()) ?? reference.size;
          reference.set(id.toLowerCase(), want);
          // Cell bytes sit inside a larger buffer, as in a block the reader scans.
          const cell = Buffer.from(`,${id},`, "utf8");
          const got = asBytes ? keys.ofBytes(cell, 1, cell.length - 1) : keys.ofString(id);
          expect(got).toBe(want);
        }
        expect(keys.size).toBe(reference.size);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps every key through its growth (a hundred thousand GUID-like ids)", () => {
    const keys = new IdKeys();
    const ids = Array.from(
      { length: 100_000 },
      (_, i) => `${i.toString(16).padStart(8, "0")}-AbCd-4000-8000-000000000000`,
    );
    ids.forEach((id, i) => expect(keys.ofString(id)).toBe(i));
    ids.forEach((id, i) => {
      const b = Buffer.from(id.toUpperCase(), "latin1");
      expect(keys.ofBytes(b, 0, b.length)).toBe(i);
    });
    expect(keys.size).toBe(ids.length);
  });
});

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

  it("gives GUID-shaped ids (canonical or not, any case) the keys of a Map on toLowerCase", () => {
    // 36 characters, mostly hex digits with dashes in the canonical places, sometimes not: canonical GUIDs take the
    // 128-bit table, near misses (a dash moved, a g, an É, a Kelvin sign that lower-cases to k) the byte table.
    const hexChar = fc.constantFrom(..."0123456789abcdefABCDEF");
    const oddChar = fc.constantFrom("-", "g", "G", "É", "\u212a", "{", " ");
    const guidArb = fc
      .tuple(
        fc.array(hexChar, { minLength: 36, maxLength: 36 }),
        fc.array(fc.tuple(fc.nat(35), oddChar), { maxLength: 2 }),
        fc.boolean(),
      )
      .map(([chars, odd, canonical]) => {
        if (canonical) for (const at of [8, 13, 18, 23]) chars[at] = "-";
        for (const [at, c] of odd) chars[at] = c;
        return chars.join("");
      });
    // Few distinct ids, seen again in other cases, so look-ups hit as well as miss.
    const seenAgain = fc.array(guidArb, { minLength: 1, maxLength: 20 }).chain((pool) =>
      fc
        .array(fc.tuple(fc.nat(pool.length - 1), fc.constantFrom("same", "upper", "lower"), fc.boolean()), {
          maxLength: 120,
        })
        .map((picks) =>
          picks.map(([k, cased, asBytes]) => {
            const id = cased === "upper" ? pool[k].toUpperCase() : cased === "lower" ? pool[k].toLowerCase() : pool[k];
            return [id, asBytes] as const;
          }),
        ),
    );
    fc.assert(
      fc.property(seenAgain, (ids) => {
        const keys = new IdKeys(4);
        const reference = new Map<string, number>();
        for (const [id, asBytes] of ids) {
          const want = reference.get(id.toLowerCase()) ?? reference.size;
          reference.set(id.toLowerCase(), want);
          const cell = Buffer.from(`,${id},`, "utf8");
          expect(asBytes ? keys.ofBytes(cell, 1, cell.length - 1) : keys.ofString(id)).toBe(want);
        }
        expect(keys.size).toBe(reference.size);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps every key through its growth (a hundred thousand GUIDs, and as many other ids)", () => {
    const keys = new IdKeys();
    const guids = Array.from(
      { length: 100_000 },
      (_, i) => `${i.toString(16).padStart(8, "0")}-AbCd-4000-8000-000000000000`,
    );
    // Not GUIDs (braced): the byte table grows as well.
    const ids = guids.flatMap((g) => [g, `{${g}}`]);
    const first = ids.map((id) => keys.ofString(id));
    const again = ids.map((id) => {
      const b = Buffer.from(id.toUpperCase(), "latin1");
      return keys.ofBytes(b, 0, b.length);
    });
    const numbered = ids.map((_, i) => i);
    expect(first).toEqual(numbered);
    expect(again).toEqual(numbered);
    expect(keys.size).toBe(ids.length);
  });
});

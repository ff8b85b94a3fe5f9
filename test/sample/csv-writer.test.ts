import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { CsvFileSet, EOL, csvField } from "../../src/sample/csv-writer";
import { isoDay, isoSecond } from "../../src/sample/iso-date";
import { removeTempDirs, tempDir } from "./sample-fixture";

afterAll(removeTempDirs);

describe("csvField", () => {
  it("round-trips any text through csv-parse (RFC 4180)", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "Ü", " ", ",", '"', "\r", "\n", "ø", "x", "'", ";") });
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(parse(csvField(a) + "," + csvField(b) + EOL)).toEqual([[a, b]]);
      }),
      { numRuns: 500 },
    );
  });

  it("quotes only when it must", () => {
    expect(csvField("Müller Maschinenbau AG")).toBe("Müller Maschinenbau AG");
    expect(csvField("Weber, Rossi & Partners")).toBe('"Weber, Rossi & Partners"');
    expect(csvField('"Blue Sky" Foods')).toBe('"""Blue Sky"" Foods"');
  });
});

describe("iso dates", () => {
  it("match Date#toISOString to the second, and midnight for date-only values", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) }), (ms) => {
        expect(isoSecond(ms)).toBe(new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z"));
        expect(isoDay(ms)).toBe(new Date(ms).toISOString().slice(0, 10) + "T00:00:00Z");
      }),
      { numRuns: 2000 },
    );
  });
});

describe("CsvFileSet", () => {
  const files = { a: { file: "a.csv", header: ["id", "text"] }, b: { file: "b.csv", header: ["id"] } };

  it("waits for every pressured stream and writes complete files under their final names", async () => {
    const dir = tempDir();
    const set = await CsvFileSet.open(dir, files);
    const expectedA: string[] = ["id,text"];
    let pressured = 0;
    // Batches big enough to fill both streams' buffers before anyone waits: the case where one stream drains
    // while the producer is still waiting on the other.
    for (let batch = 0; batch < 8; batch++) {
      for (let i = batch * 50_000; i < (batch + 1) * 50_000; i++) {
        const text = `row ${i}, with comma`;
        set.writers.a.line(`${i},${csvField(text)}${EOL}`);
        set.writers.b.line(`${String(i).padStart(30, "0")}${EOL}`);
        expectedA.push(`${i},${csvField(text)}`);
      }
      if (set.writers.a.pressured && set.writers.b.pressured) pressured++;
      await set.drain();
    }
    expect(readdirSync(dir).filter((f) => f.endsWith(".csv"))).toEqual([]); // nothing final before commit
    await set.commit();
    expect(pressured).toBeGreaterThan(0); // both streams asked to wait at once, and the run still finished
    expect(readdirSync(dir).sort()).toEqual(["a.csv", "b.csv"]);
    expect(readFileSync(path.join(dir, "a.csv"), "utf8")).toBe(expectedA.join(EOL) + EOL);
    expect(readFileSync(path.join(dir, "b.csv"), "utf8").split(EOL)).toHaveLength(400_002);
    expect(set.writers.a.rows).toBe(400_000);
  });

  it("discard removes the temporary files", async () => {
    const dir = tempDir();
    const set = await CsvFileSet.open(dir, files);
    set.writers.a.line(`1,x${EOL}`);
    expect(readdirSync(dir)).toHaveLength(2);
    await set.discard();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("refuses to write where a target name is a folder, leaving nothing behind", async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, "b.csv"));
    await expect(CsvFileSet.open(dir, files)).rejects.toThrow(/b\.csv is a folder/);
    expect(readdirSync(dir)).toEqual(["b.csv"]);
  });
});

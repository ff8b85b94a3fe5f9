import fc from "fast-check";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_MODEL, ModelError, parseModel, rankFacts } from "../../src/engine";
import { InputError } from "../../src/export-reader/input-error";
import { loadFacts } from "../../src/export-reader/load";
import { exportFolder, tempDir, tiering } from "../cli/run-cli";
import { mutate } from "./helpers";

/**
 * Fuzzing the file inputs (issue 8): arbitrary and mutated CSV in an export folder either ranks or fails with an
 * InputError naming the file (and the line where there is one), exit code 2 from the CLI; a mutated or arbitrary
 * model JSON either parses or fails with a ModelError naming the field. Never another exception, never a crash.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const FILES = ["accounts.csv", "invoices.csv", "opportunities.csv", "activities.csv"] as const;
const asOf = Date.UTC(2024, 0, 1);

const valid = exportFolder();
const original = Object.fromEntries(FILES.map((f) => [f, readFileSync(join(valid, f))]));

/** Edits of a CSV file's bytes: insert, delete, overwrite, duplicate a line, or replace it whole. */
const edit = fc.oneof(
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.string(),
      fc.constantFrom(",", '"', "\n", "\r\n", "\uFEFF", ",,", '""', "-1e309", "NaN", "2023-13-45", "\u0000"),
    ),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant("bytes" as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 20 }),
  }),
  fc.record({ kind: fc.constant("dupline" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("whole" as const), bytes: fc.uint8Array({ maxLength: 200 }) }),
);
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function apply(buf: Buffer, e: Edit): Buffer {
  if (e.kind === "whole") return Buffer.from(e.bytes);
  const at = e.at % (buf.length + 1);
  switch (e.kind) {
    case "insert":
      return Buffer.concat([buf.subarray(0, at), Buffer.from(e.text), buf.subarray(at)]);
    case "delete":
      return Buffer.concat([buf.subarray(0, at), buf.subarray(at + e.length)]);
    case "bytes":
      return Buffer.concat([buf.subarray(0, at), Buffer.from(e.bytes), buf.subarray(at + e.bytes.length)]);
    case "dupline": {
      const lines = buf.toString("latin1").split("\n");
      const i = at % lines.length;
      lines.splice(i, 0, lines[i]);
      return Buffer.from(lines.join("\n"), "latin1");
    }
  }
}

const fuzzedFolder = fc.record({
  file: fc.constantFrom(...FILES),
  edits: fc.array(edit, { minLength: 1, maxLength: 4 }),
});

function writeFolder(dir: string, file: string, edits: Edit[]): void {
  for (const f of FILES) writeFileSync(join(dir, f), original[f]);
  writeFileSync(join(dir, file), edits.reduce(apply, original[file]));
}

describe("CSV reader fuzzing", () => {
  jest.setTimeout(Math.max(120_000, RUNS * 20));
  const dir = tempDir("fuzz-export-");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`mutated export folders (${Math.ceil(RUNS / 40)} cases): ranks, or an InputError naming the file`, async () => {
    let ranked = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fuzzedFolder, async ({ file, edits }) => {
        writeFolder(dir, file, edits);
        try {
          const facts = await loadFacts(dir, DEFAULT_MODEL, asOf);
          rankFacts(facts, DEFAULT_MODEL);
          ranked++;
        } catch (e) {
          if (!(e instanceof InputError))
            throw new Error(`${file}: not an InputError: ${(e as Error).stack ?? String(e)}`);
          expect(FILES).toContain(e.file.split("/").pop());
          expect(e.message.startsWith(e.file)).toBe(true);
          refused++;
        }
      }),
      { numRuns: Math.ceil(RUNS / 40) },
    );
    // Both outcomes occur: the edits are neither all harmless nor all fatal.
    expect(ranked).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it("row errors name the line", async () => {
    writeFolder(dir, "invoices.csv", [
      { kind: "insert", at: original["invoices.csv"].length, text: "i9,acc-1,twelve,2,2023-03-01\n" },
    ]);
    await expect(loadFacts(dir, DEFAULT_MODEL, asOf)).rejects.toThrow(/invoices\.csv:6 column 3 \(totalamount_base\)/);
  });

  it("the CLI: exit 0, or exit 2 with the file named, never a crash (exit 1)", () => {
    const cases = fc.sample(fuzzedFolder, { numRuns: 12, seed: 42 });
    for (const { file, edits } of cases) {
      const d = tempDir("fuzz-cli-");
      writeFolder(d, file, edits);
      const r = tiering(["rank", "--data", d, "--as-of", "2024-01-01", "--out", join(d, "out.csv")]);
      expect([0, 2]).toContain(r.code);
      if (r.code === 2) expect(r.stderr).toMatch(/(accounts|invoices|opportunities|activities)\.csv/);
      rmSync(d, { recursive: true, force: true });
    }
  });
});

const modelJson = JSON.parse(JSON.stringify(DEFAULT_MODEL)) as unknown;
const oddValue = fc.oneof(
  fc.jsonValue(),
  fc.double(),
  fc.constantFrom(-1, 0, 1e308, -0, "", "AAA", null, [], {}, 101, 0.5),
);
const mutatedModel = fc.oneof(
  fc.jsonValue(),
  fc
    .tuple(fc.array(fc.nat(40), { minLength: 1, maxLength: 5 }), oddValue, fc.boolean())
    .map(([p, v, r]) => mutate(modelJson, p, v, r)),
);

describe("model JSON fuzzing", () => {
  jest.setTimeout(120_000);

  it(`arbitrary and mutated models (${Math.ceil(RUNS / 2)} cases): parses, or a ModelError naming a field`, () => {
    let refused = 0;
    fc.assert(
      fc.property(mutatedModel, (json) => {
        try {
          parseModel(json);
        } catch (e) {
          if (!(e instanceof ModelError)) throw new Error(`not a ModelError: ${(e as Error).stack ?? String(e)}`);
          expect(e.field).toMatch(/\S/);
          refused++;
        }
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
    expect(refused).toBeGreaterThan(0);
  });

  it("the CLI: a bad model file is exit 2 naming the field or the JSON position", () => {
    const d = exportFolder();
    const cases = fc.sample(fc.tuple(fc.array(fc.nat(40), { minLength: 1, maxLength: 4 }), oddValue, fc.boolean()), {
      numRuns: 40,
      seed: 7,
    });
    let ran = 0;
    for (const [p, v, r] of cases) {
      const json = mutate(modelJson, p, v, r);
      let ok = true;
      try {
        parseModel(json);
      } catch {
        ok = false;
      }
      if (ok) continue;
      const file = join(d, "model.json");
      writeFileSync(file, JSON.stringify(json));
      const res = tiering(["rank", "--data", d, "--as-of", "2024-01-01", "--model", file, "--out", join(d, "out.csv")]);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/model\.json: field \S+: /);
      if (++ran === 5) break;
    }
    expect(ran).toBeGreaterThan(0);
    writeFileSync(join(d, "model.json"), Buffer.from([0x7b, 0x22, 0xff, 0x00, 0x0a]));
    const res = tiering([
      "rank",
      "--data",
      d,
      "--as-of",
      "2024-01-01",
      "--model",
      join(d, "model.json"),
      "--out",
      join(d, "out.csv"),
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/model\.json(:\d+)?.*not valid JSON/);
  });
});

import { parseBenchArgs } from "../../bench/run";
import type { SuiteOptions } from "../../bench/lib/child";
import { formatJson, formatTable, parseChildOutput, FIGURE_PREFIX, type Figure } from "../../bench/lib/report";
import { quantile, median } from "../../bench/lib/stats";
import { engineSuite } from "../../bench/suites/engine";
import { csvToTiersSuite } from "../../bench/suites/csv-to-tiers";
import { duckdbSuite } from "../../bench/suites/duckdb";
import { ingestSuite } from "../../bench/suites/ingest";
import { onSaveSuite } from "../../bench/suites/on-save";

/**
 * The benchmark harness on a tiny population: output shape only (issue 7: figures, never timed tests). No
 * assertion here looks at how fast anything was.
 */
const tiny: SuiteOptions = { size: "tiny", quick: true, log: () => undefined };

function expectFigures(figures: Figure[], names: string[]): void {
  expect(figures.map((f) => f.name)).toEqual(expect.arrayContaining(names));
  for (const f of figures) {
    expect(typeof f.name).toBe("string");
    expect(typeof f.unit).toBe("string");
    expect(Number.isFinite(f.value)).toBe(true);
    if (f.peerValue !== undefined) {
      expect(typeof f.peer).toBe("string");
      expect(f.ratio).toBeCloseTo(f.value / f.peerValue, 9);
    }
  }
}

describe("bench harness", () => {
  test("--json prints one JSON object per line with name, value, unit and the optional peer fields", () => {
    const figures: Figure[] = [
      { name: "a.b", value: 1234.5, unit: "ms" },
      { name: "c", value: 2, unit: "rows/s", peer: "target", peerValue: 4, ratio: 0.5 },
    ];
    const lines = formatJson(figures).trimEnd().split("\n");
    expect(lines.map((l) => JSON.parse(l))).toEqual(figures);
    const table = formatTable(figures).split("\n");
    expect(table[0]).toMatch(/^benchmark\s+value\s+unit\s+peer\s+peer value\s+ratio$/);
    expect(table[2]).toMatch(/^a\.b\s+1,235\s+ms$/);
    expect(table[3]).toMatch(/^c\s+2\s+rows\/s\s+target\s+4\s+0\.5$/);
  });

  test("child output: figure lines are collected, the rest is log", () => {
    const out = `hello\n${FIGURE_PREFIX}{"name":"x","value":1,"unit":"ms"}\n\n`;
    expect(parseChildOutput(out)).toEqual({ figures: [{ name: "x", value: 1, unit: "ms" }], log: ["hello"] });
  });

  test("arguments: sizes and suites are checked", () => {
    expect(parseBenchArgs(["--size", "10k,1M", "--quick"])).toMatchObject({
      sizes: ["10k", "1m"],
      quick: true,
      json: false,
    });
    expect(() => parseBenchArgs(["--size", "5k"])).toThrow(/--size.*"5k"/);
    expect(() => parseBenchArgs(["--only", "engine,nope"])).toThrow(/unknown suite "nope"/);
  });

  test("quantiles are nearest-rank", () => {
    const xs = Array.from({ length: 200 }, (_, i) => 200 - i);
    expect(quantile(xs, 0.99)).toBe(198);
    expect(quantile(xs, 0.5)).toBe(100);
    expect(median([3, 1, 2, 10])).toBe(2.5);
  });

  test("engine and ingest suites report their figures", async () => {
    expectFigures(await engineSuite(tiny), [
      "engine.tiny.facts_per_s",
      "engine.tiny.rank",
      "engine.tiny.peak_rss",
      "engine.tiny.rows",
    ]);
    expectFigures(await ingestSuite(tiny), [
      "ingest.tiny.all_tables",
      "ingest.tiny.invoices",
      "ingest.tiny.invoices_vs_parse_only",
    ]);
  });

  test("CSV to tiers: ours and DuckDB produce the same tiers for every account", async () => {
    expectFigures(await csvToTiersSuite(tiny), ["csv_to_tiers.tiny.ours", "csv_to_tiers.tiny.ours_peak_rss"]);
    const duck = await duckdbSuite(tiny);
    expectFigures(duck, ["csv_to_tiers.tiny.duckdb", "csv_to_tiers.tiny.tier_agreement"]);
    // The peer must do the same job, or the ratio means nothing.
    expect(duck.find((f) => f.name === "csv_to_tiers.tiny.tier_agreement")!.value).toBe(100);
  });

  test("on-save: per-save requests and writes are counted for each kind of save", async () => {
    const figures = await onSaveSuite(tiny);
    expectFigures(figures, [
      "on_save.first.requests",
      "on_save.changed.own_p99",
      "on_save.changed.requests",
      "on_save.unchanged.write_requests",
      "on_save.webhooks",
    ]);
    const get = (n: string): number => figures.find((f) => f.name === n)!.value;
    expect(get("on_save.webhooks")).toBe(18); // 6 accounts × first, changed, unchanged
    expect(Number.isInteger(get("on_save.changed.requests"))).toBe(true);
    expect(get("on_save.changed.requests")).toBeGreaterThanOrEqual(1);
    expect(get("on_save.changed.write_requests")).toBeGreaterThanOrEqual(1);
    expect(get("on_save.unchanged.write_requests")).toBe(0);
    // A first save assigns the stored tier, so the tier programme reads the policies: one request more.
    expect(get("on_save.first.requests")).toBeGreaterThan(get("on_save.changed.requests"));
    // Counting the requests inside each $batch never gives fewer.
    expect(get("on_save.changed.requests_batch_parts_counted")).toBeGreaterThan(get("on_save.changed.requests"));
  });
});

import { outcomeAt } from "../../src/engine/population";
import { FactsBuilder } from "../../src/engine/facts";
import { DEFAULT_MODEL } from "../../src/engine/model";
import { rankFacts } from "../../src/engine/rank";
import { childMain, type SuiteOptions } from "../lib/child";
import { ParsedExport } from "../lib/columns";
import { SAMPLE_AS_OF, ensureSample } from "../lib/data";
import type { Figure } from "../lib/report";
import { repetitions } from "../lib/sizes";
import { profiled } from "../lib/profile";
import { median, msSince, peakRssMb } from "../lib/stats";

export const FACTS_PER_S_TARGET = 5_000_000;
export const RSS_TARGET_MB = 1536;

/**
 * Engine ranking from parsed rows (issue 7): every row of the export streamed into a FactsBuilder, then rankFacts
 * and every account's outcome (what `tiering rank` writes per row). "Facts" = source rows: accounts + invoices +
 * opportunities + activities. CSV parsing is not in this figure (see the ingest and csv-to-tiers suites).
 */
export async function engineSuite(o: SuiteOptions): Promise<Figure[]> {
  const { dir, info } = await ensureSample(o.size, o.log);
  const started = process.hrtime.bigint();
  const parsed = await ParsedExport.read(
    dir,
    info.rows as { invoices: number; opportunities: number; activities: number },
  );
  o.log(
    `engine ${o.size}: ${parsed.rows.toLocaleString("en-US")} rows parsed into columns in ${(msSince(started) / 1000).toFixed(1)} s`,
  );
  const loadedRss = process.memoryUsage().rss / 2 ** 20;
  const model = DEFAULT_MODEL;
  const runs: { build: number; rank: number; outcomes: number; total: number }[] = [];
  let checksum = 0;
  const reps = repetitions(o.size, o.quick);
  // Profiled (with BENCH_PROFILE_DIR) from here: the engine only, not the parsing above.
  await profiled(`engine-${o.size}`, () => {
    for (let rep = 0; rep < reps; rep++) {
      const t0 = process.hrtime.bigint();
      const b = new FactsBuilder(parsed.accounts, model, SAMPLE_AS_OF);
      parsed.replay(
        (r) => b.addInvoice(r),
        (r) => b.addOpportunity(r),
        (r) => b.addActivity(r),
      );
      const facts = b.build();
      const build = msSince(t0);
      const t1 = process.hrtime.bigint();
      const ranked = rankFacts(facts, model);
      const rank = msSince(t1);
      const t2 = process.hrtime.bigint();
      // Every outcome, as the tiers CSV needs them; the checksum keeps the work from being optimised away.
      for (let i = 0; i < facts.accounts.length; i++) checksum += outcomeAt(ranked, i).score;
      const outcomes = msSince(t2);
      runs.push({ build, rank, outcomes, total: msSince(t0) });
      o.log(
        `engine ${o.size} run ${rep + 1}: build ${build.toFixed(0)} ms, rank ${rank.toFixed(0)} ms, outcomes ${outcomes.toFixed(0)} ms`,
      );
    }
  });
  if (!Number.isFinite(checksum)) throw new Error("engine produced a non-finite score");
  const m = (k: keyof (typeof runs)[number]): number => median(runs.map((r) => r[k]));
  const factsPerS = parsed.rows / (m("total") / 1000);
  const peak = peakRssMb();
  const p = `engine.${o.size}`;
  return [
    {
      name: `${p}.facts_per_s`,
      value: factsPerS,
      unit: "rows/s",
      peer: "target",
      peerValue: FACTS_PER_S_TARGET,
      ratio: factsPerS / FACTS_PER_S_TARGET,
    },
    { name: `${p}.total`, value: m("total"), unit: "ms" },
    { name: `${p}.facts_build`, value: m("build"), unit: "ms" },
    { name: `${p}.rank`, value: m("rank"), unit: "ms" },
    { name: `${p}.outcomes`, value: m("outcomes"), unit: "ms" },
    { name: `${p}.rows`, value: parsed.rows, unit: "rows" },
    { name: `${p}.rss_parsed_rows`, value: loadedRss, unit: "MB" },
    {
      name: `${p}.peak_rss`,
      value: peak,
      unit: "MB",
      peer: "target",
      peerValue: RSS_TARGET_MB,
      ratio: peak / RSS_TARGET_MB,
    },
  ];
}

if (require.main === module) childMain(engineSuite);

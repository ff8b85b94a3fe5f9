import { rmSync, statSync } from "node:fs";
import { writeAtomically } from "../../cli/atomic-file";
import { writeTiersCsv } from "../../cli/tiers-csv";
import { DEFAULT_MODEL } from "../../src/engine/model";
import { rankFacts } from "../../src/engine/rank";
import { loadFacts } from "../../src/export-reader/load";
import { defaultReaderThreads } from "../../src/export-reader/parallel-facts";
import { rowTableSizes } from "../../src/export-reader/row-tables";
import { childMain, type SuiteOptions } from "../lib/child";
import { SAMPLE_AS_OF, ensureSample } from "../lib/data";
import { benchOut } from "../lib/paths";
import type { Figure } from "../lib/report";
import { repetitions } from "../lib/sizes";
import { profiled } from "../lib/profile";
import { median, msSince, peakRssMb } from "../lib/stats";

/** Where each side writes its tiers, so the DuckDB suite can compare tiers account by account. */
export const oursTiersFile = (size: string): string => benchOut(`tiers-ours-${size}.csv`);

/**
 * CSV to tiers, our side: the `tiering rank` code path (src/export loadFacts streaming the four CSVs, rankFacts,
 * the tiers CSV written atomically), with the default reader threads and on one thread (the same at 100k, where the
 * default is one thread). Figures: wall time (median), rows/s over all source rows, peak RSS.
 */
export async function csvToTiersSuite(o: SuiteOptions): Promise<Figure[]> {
  const { dir, info } = await ensureSample(o.size, o.log);
  const rows = Object.values(info.rows).reduce((a, b) => a + b, 0);
  const out = oursTiersFile(o.size);
  const reps = Math.max(1, repetitions(o.size, o.quick) - 2);
  const run = async (label: string, workers: number | undefined): Promise<number> => {
    const ms: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      rmSync(out, { force: true });
      const t0 = process.hrtime.bigint();
      await profiled(`csv-to-tiers-${label}-${o.size}-${rep + 1}`, async () => {
        const model = DEFAULT_MODEL;
        const facts = await loadFacts(dir, model, SAMPLE_AS_OF, { workers });
        const ranked = rankFacts(facts, model);
        await writeAtomically(out, (s) => writeTiersCsv(ranked, s));
      });
      ms.push(msSince(t0));
      o.log(
        `csv-to-tiers ours (${label}) ${o.size} run ${rep + 1}: ${ms.at(-1)!.toFixed(0)} ms, ${(statSync(out).size / 2 ** 20).toFixed(0)} MB written`,
      );
    }
    return median(ms);
  };
  // One thread first, so the tiers file the DuckDB suite compares is the default (threaded) run's.
  const one = await run("one-thread", 1);
  const peakOne = peakRssMb();
  const m = await run("threads", undefined);
  const p = `csv_to_tiers.${o.size}`;
  return [
    { name: `${p}.ours`, value: m, unit: "ms" },
    { name: `${p}.ours_rows_per_s`, value: rows / (m / 1000), unit: "rows/s" },
    { name: `${p}.ours_peak_rss`, value: peakRssMb(), unit: "MB" },
    // The default's thread count for this folder (one per BYTES_PER_READER_THREAD of row files, at most one per core).
    {
      name: `${p}.ours_threads`,
      value: defaultReaderThreads(rowTableSizes(dir).reduce((a, b) => a + b, 0)),
      unit: "threads",
    },
    { name: `${p}.ours_one_thread`, value: one, unit: "ms", peer: "threads", peerValue: m, ratio: one / m },
    { name: `${p}.ours_one_thread_peak_rss`, value: peakOne, unit: "MB" },
  ];
}

if (require.main === module) childMain(csvToTiersSuite);

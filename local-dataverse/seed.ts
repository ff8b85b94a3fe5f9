/**
 * The default data of `npm run sandbox` when neither --state nor --data is given: a `tiering sample`
 * export folder (deterministic for a seed), generated into a temporary folder and loaded like --data.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_SAMPLE_MONTHS, generateSample } from "../src/sample";
import { loadExportFolder, type LoadSummary } from "./data-io";
import type { Store } from "./store";

export interface SampleSeedOptions {
  accounts: number;
  seed: number;
  /** End of the sample period; default: today's UTC midnight, so the data is recent for the demo. */
  asOf?: number;
}

export async function sampleSeed(
  store: Store,
  opts: SampleSeedOptions,
): Promise<{ summary: LoadSummary; description: string }> {
  const now = new Date();
  const asOf = opts.asOf ?? Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const dir = await mkdtemp(join(tmpdir(), "ct-sandbox-sample-"));
  try {
    await generateSample({ accounts: opts.accounts, seed: opts.seed, asOf, months: DEFAULT_SAMPLE_MONTHS, out: dir });
    const summary = loadExportFolder(store, dir);
    const counts = Object.entries(summary)
      .map(([t, n]) => `${n} ${t}`)
      .join(", ");
    return {
      summary,
      description: `tiering sample (${opts.accounts} accounts, seed ${opts.seed}, as of ${new Date(asOf).toISOString().slice(0, 10)}): ${counts}`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

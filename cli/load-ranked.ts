import { rankFacts, type RankResult } from "../src/engine/rank";
import { exportSize, loadFacts } from "../src/export-reader/load";
import type { CliIo } from "./command";
import { readModelFile } from "./model-file";
import { readPolicies } from "./policies";
import { startProgress } from "./progress";

/**
 * Reads an export folder with a progress bar and ranks it, with the folder's tier policies (tierpolicies.csv, else
 * the defaults): what `rank`, `explain` and `report` share.
 */
export async function loadAndRank(
  io: CliIo,
  dir: string,
  asOf: number,
  modelFile: string | undefined,
  threads?: number,
): Promise<RankResult> {
  const model = readModelFile(modelFile);
  const progress = startProgress(io, exportSize(dir), "reading");
  try {
    const facts = await loadFacts(dir, model, asOf, { onBytes: (b) => progress.add(b), workers: threads });
    return { ...rankFacts(facts, model), policies: await readPolicies(dir) };
  } finally {
    progress.stop();
  }
}

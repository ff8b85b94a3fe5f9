import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { generateSample } from "../../src/sample";
import { writeSynapseLayout } from "../../src/sample/synapse-layout";
import { benchOut } from "./paths";
import { SIZES, type SizeName } from "./sizes";

/** The export folder every data benchmark reads: `tiering sample` output, fixed seed, so runs compare. */
export const SAMPLE_SEED = 7;
export const SAMPLE_AS_OF = Date.UTC(2026, 6, 1); // the sample's default period end; ranking uses the same instant
export const SAMPLE_MONTHS = 27;

export interface SampleInfo {
  accounts: number;
  seed: number;
  asOf: string;
  months: number;
  rows: Record<string, number>;
}

const MARKER = "bench-data.json";

/** How the folder is laid out: the export folder's four CSVs, or an Azure Synapse Link folder of the same rows. */
export type SampleLayout = "csv" | "synapse";

/**
 * The generated folder for a size, generated once and cached under bench/out/data/<size>/ (about 2.4 GB for 1m); the
 * Synapse layout of the same rows under bench/out/data/<size>-synapse/ (about 5.8 GB for 1m), partitioned by year.
 */
export async function ensureSample(
  size: SizeName,
  log: (m: string) => void = () => undefined,
  layout: SampleLayout = "csv",
): Promise<{ dir: string; info: SampleInfo }> {
  if (layout === "synapse") return ensureSynapseSample(size, log);
  const dir = benchOut("data", size);
  const want = {
    accounts: SIZES[size],
    seed: SAMPLE_SEED,
    asOf: new Date(SAMPLE_AS_OF).toISOString(),
    months: SAMPLE_MONTHS,
  };
  const marker = `${dir}/${MARKER}`;
  if (existsSync(marker)) {
    const info = JSON.parse(readFileSync(marker, "utf8")) as SampleInfo;
    if (
      info.accounts === want.accounts &&
      info.seed === want.seed &&
      info.asOf === want.asOf &&
      info.months === want.months
    )
      return { dir, info };
  }
  log(`generating ${SIZES[size].toLocaleString("en-US")} accounts into ${dir} (once; cached)`);
  const result = await generateSample({
    accounts: want.accounts,
    seed: want.seed,
    asOf: SAMPLE_AS_OF,
    months: want.months,
    out: dir,
  });
  const info: SampleInfo = { ...want, rows: result.rows };
  writeFileSync(marker, JSON.stringify(info, null, 2) + "\n");
  return { dir, info };
}

async function ensureSynapseSample(
  size: SizeName,
  log: (m: string) => void,
): Promise<{ dir: string; info: SampleInfo }> {
  const dir = benchOut("data", `${size}-synapse`);
  const marker = `${dir}/${MARKER}`;
  const csv = await ensureSample(size, log);
  if (existsSync(marker) && readFileSync(marker, "utf8") === JSON.stringify(csv.info, null, 2) + "\n")
    return { dir, info: csv.info };
  log(`writing the Synapse Link layout of ${csv.dir} into ${dir} (once; cached)`);
  writeSynapseLayout(csv.dir, dir, "year", new Date(SAMPLE_AS_OF).toISOString().slice(0, 10));
  writeFileSync(marker, JSON.stringify(csv.info, null, 2) + "\n");
  return { dir, info: csv.info };
}

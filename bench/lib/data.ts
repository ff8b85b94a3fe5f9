import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { generateSample } from "../../src/sample";
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

/** The generated folder for a size, generated once and cached under bench/out/data/<size>/ (about 2.4 GB for 1m). */
export async function ensureSample(
  size: SizeName,
  log: (m: string) => void = () => undefined,
): Promise<{ dir: string; info: SampleInfo }> {
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

/**
 * `npm run bench`: runs the benchmark suites of issue 7, each in its own Node process, and prints one table (or,
 * with --json, one JSON object per line). Figures only: nothing here passes or fails on a timing.
 *
 *   --size 10k,100k,1m   population sizes for the data suites (default: all three)
 *   --only a,b           suites: engine, ingest, csv-to-tiers (with DuckDB in-process and as whole processes),
 *                        synapse (tiering rank against DuckDB on a Synapse Link folder, whole processes),
 *                        on-save, rerank, control
 *   --quick              fewer repetitions (medians of fewer runs)
 *   --json               JSON lines instead of the table
 *   --profile DIR        V8 CPU profiles of the measured parts (engine, csv-to-tiers) into DIR; list the top
 *                        self-time functions with `node bench/out/dist/bench/profile-top.js DIR/FILE.cpuprofile`
 *   --write-results      also rewrite bench/RESULTS.md with these figures and this machine
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { runChild } from "./lib/child";
import { machine } from "./lib/machine";
import { benchOut, repoRoot } from "./lib/paths";
import { formatJson, formatTable, type Figure } from "./lib/report";
import { resultsMarkdown } from "./lib/results-md";
import { isSize, type SizeName } from "./lib/sizes";

const DATA_SUITES = ["engine", "ingest", "csv-to-tiers", "synapse"] as const;
const OTHER_SUITES = ["on-save", "rerank", "control"] as const;
const ALL = [...DATA_SUITES, ...OTHER_SUITES] as string[];
const MINUTE = 60_000;

export function parseBenchArgs(argv: string[]): {
  sizes: SizeName[];
  only: string[];
  quick: boolean;
  json: boolean;
  profile?: string;
  writeResults: boolean;
} {
  const { values } = parseArgs({
    args: argv,
    options: {
      size: { type: "string", default: "10k,100k,1m" },
      only: { type: "string" },
      quick: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      profile: { type: "string" },
      "write-results": { type: "boolean", default: false },
    },
  });
  const sizes = values.size!.split(",").map((s) => s.trim().toLowerCase());
  for (const s of sizes)
    if (!isSize(s)) throw new Error(`--size: expected 10k, 100k or 1m (comma-separated), got "${s}"`);
  const only = values.only ? values.only.split(",").map((s) => s.trim()) : ALL;
  for (const s of only)
    if (!ALL.includes(s)) throw new Error(`--only: unknown suite "${s}" (known: ${ALL.join(", ")})`);
  return {
    sizes: sizes as SizeName[],
    only,
    quick: values.quick!,
    json: values.json!,
    profile: values.profile,
    writeResults: values["write-results"]!,
  };
}

/** ours/DuckDB for CSV to tiers, once both sides reported. */
function addPeerRatios(figures: Figure[], size: SizeName): void {
  const get = (n: string): Figure | undefined => figures.find((f) => f.name === `csv_to_tiers.${size}.${n}`);
  const ours = get("ours");
  const duck = get("duckdb");
  if (ours && duck)
    figures.push({
      name: `csv_to_tiers.${size}`,
      value: ours.value,
      unit: "ms",
      peer: "duckdb",
      peerValue: duck.value,
      ratio: ours.value / duck.value,
    });
  const rss = get("ours_peak_rss");
  const duckRss = get("duckdb_peak_rss");
  if (rss && duckRss)
    figures.push({
      name: `csv_to_tiers.${size}.peak_rss`,
      value: rss.value,
      unit: "MB",
      peer: "duckdb",
      peerValue: duckRss.value,
      ratio: rss.value / duckRss.value,
    });
}

async function main(): Promise<number> {
  const o = parseBenchArgs(process.argv.slice(2));
  if (o.profile) mkdirSync(o.profile, { recursive: true });
  const figures: Figure[] = [];
  const failures: string[] = [];
  const flags = o.quick ? ["--quick"] : [];
  const run = async (suite: string, size: SizeName, timeoutMs: number, args: string[] = []): Promise<void> => {
    process.stderr.write(`bench: ${suite} ${args.join(" ")} (${size})\n`);
    const r = await runChild(suite, ["--size", size, ...flags, ...args], {
      timeoutMs,
      profileDir: o.profile && path.resolve(o.profile),
      heapMb: 4096,
    });
    figures.push(...r.figures);
    if (!r.ok) failures.push(`${suite} ${size}: ${r.message}`);
  };
  for (const size of o.sizes) {
    const limit = size === "1m" ? 30 * MINUTE : 10 * MINUTE;
    if (o.only.includes("engine")) await run("engine", size, limit);
    if (o.only.includes("ingest")) await run("ingest", size, limit);
    if (o.only.includes("csv-to-tiers")) {
      await run("csv-to-tiers", size, limit);
      await run("duckdb", size, limit);
      addPeerRatios(figures, size);
      // Whole processes, alternating: `tiering rank` against DuckDB in wall time, CPU time and peak RSS (issue 15).
      await run("whole-process", size, limit);
    }
    // The same on the Synapse Link layout of the same rows (about 2.4× the bytes).
    if (o.only.includes("synapse"))
      await run("whole-process", size, size === "1m" ? 60 * MINUTE : limit, ["--synapse"]);
  }
  const size = o.sizes.includes("tiny") ? "tiny" : "100k";
  if (o.only.includes("on-save")) await run("on-save", size, 10 * MINUTE);
  if (o.only.includes("rerank")) await run("rerank", size, 15 * MINUTE);
  if (o.only.includes("control")) await run("control", size, 10 * MINUTE);

  process.stdout.write(o.json ? formatJson(figures) : formatTable(figures));
  const m = machine();
  writeFileSync(
    benchOut("last-run.json"),
    JSON.stringify({ machine: m, args: process.argv.slice(2), figures, failures }, null, 2) + "\n",
  );
  if (o.writeResults)
    writeFileSync(`${repoRoot()}/bench/RESULTS.md`, resultsMarkdown(m, figures, failures, process.argv.slice(2)));
  for (const f of failures) process.stderr.write(`bench: FAILED ${f}\n`);
  return failures.length ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`bench: ${(err as Error).message}\n`);
      process.exitCode = 2;
    },
  );
}

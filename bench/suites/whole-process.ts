import { DuckDBInstance } from "@duckdb/node-api";
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { childMain, type SuiteOptions } from "../lib/child";
import { SAMPLE_AS_OF, ensureSample, type SampleLayout } from "../lib/data";
import { benchOut, repoRoot } from "../lib/paths";
import type { Figure } from "../lib/report";
import { median } from "../lib/stats";
import { tiersSql } from "./duckdb";

/**
 * `tiering rank` against DuckDB as whole processes (issue 15): each side starts a Node process that reads the same
 * four CSVs (or, with `--synapse`, the same rows as an Azure Synapse Link folder) and writes a tiers CSV,
 * A B A B … so drift hits both alike; /usr/bin/time gives each run's wall time, CPU time (user + sys) and peak RSS.
 * Figures: medians, and the ratio ours / DuckDB of each.
 */
interface Run {
  wall: number;
  cpu: number;
  rssMb: number;
}

function timed(args: string[]): Run {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", process.execPath, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const [wall, user, sys, rssKb] = r.stderr.trim().split("\n").at(-1)!.split(" ").map(Number);
  return { wall: wall * 1000, cpu: (user + sys) * 1000, rssMb: rssKb / 1024 };
}

export async function wholeProcessSuite(o: SuiteOptions): Promise<Figure[]> {
  const layout: SampleLayout = process.argv.includes("--synapse") ? "synapse" : "csv";
  const { dir } = await ensureSample(o.size, o.log, layout);
  const asOf = new Date(SAMPLE_AS_OF).toISOString().slice(0, 10);
  const tag = layout === "synapse" ? `${o.size}-synapse` : o.size;
  const oursOut = benchOut(`whole-ours-${tag}.csv`);
  const duckOut = benchOut(`whole-duckdb-${tag}.csv`);
  const ours = [path.join(repoRoot(), "bin/tiering.js"), "rank", "--data", dir, "--as-of", asOf, "--out", oursOut];
  const duck = [__filename, "--duckdb-once", dir, duckOut];
  const reps = o.quick ? 1 : o.size === "1m" ? 3 : 5;
  timed(ours); // warm-up: the page cache holds the files for both sides
  timed(duck);
  const runs = { ours: [] as Run[], duckdb: [] as Run[] };
  for (let rep = 0; rep < reps; rep++) {
    rmSync(oursOut, { force: true });
    runs.ours.push(timed(ours));
    runs.duckdb.push(timed(duck));
    const [a, b] = [runs.ours.at(-1)!, runs.duckdb.at(-1)!];
    o.log(
      `whole process ${tag} run ${rep + 1}: ours ${a.wall.toFixed(0)} ms wall, ${a.cpu.toFixed(0)} ms CPU, ${a.rssMb.toFixed(0)} MB; ` +
        `DuckDB ${b.wall.toFixed(0)} ms wall, ${b.cpu.toFixed(0)} ms CPU, ${b.rssMb.toFixed(0)} MB`,
    );
  }
  const m = (side: "ours" | "duckdb", k: keyof Run): number => median(runs[side].map((r) => r[k]));
  const p = layout === "synapse" ? `whole_process_synapse.${o.size}` : `whole_process.${o.size}`;
  const pair = (k: keyof Run, unit: string, name: string): Figure => ({
    name: `${p}.${name}`,
    value: m("ours", k),
    unit,
    peer: "duckdb",
    peerValue: m("duckdb", k),
    ratio: m("ours", k) / m("duckdb", k),
  });
  return [pair("wall", "ms", "wall"), pair("cpu", "ms", "cpu"), pair("rssMb", "MB", "peak_rss")];
}

/** The DuckDB side as its own process: the SQL of bench/suites/duckdb.ts, from the CSVs to a tiers CSV. */
async function duckdbOnce(dir: string, out: string): Promise<void> {
  rmSync(out, { force: true });
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  await con.run(tiersSql(dir, out));
  con.closeSync();
  db.closeSync();
}

if (require.main === module) {
  const at = process.argv.indexOf("--duckdb-once");
  if (at > 0) void duckdbOnce(process.argv[at + 1], process.argv[at + 2]).then(() => process.exit(0));
  else childMain(wholeProcessSuite);
}

/**
 * Top self-time functions of a V8 .cpuprofile (from `--profile DIR`, BENCH_PROFILE_DIR or node --cpu-prof):
 *   node bench/out/dist/bench/profile-top.js FILE.cpuprofile [N]
 */
import { readFileSync } from "node:fs";
import path from "node:path";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export function topSelf(p: Profile, n: number): { fn: string; where: string; ms: number; pct: number }[] {
  const byId = new Map(p.nodes.map((x) => [x.id, x] as const));
  const self = new Map<number, number>();
  // Sample i's time is timeDeltas[i + 1] (the gap to the next sample); the last sample gets the mean.
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  const total = p.endTime - p.startTime;
  for (let i = 0; i < samples.length; i++) {
    const dt = i + 1 < deltas.length ? deltas[i + 1] : total / Math.max(1, samples.length);
    self.set(samples[i], (self.get(samples[i]) ?? 0) + dt);
  }
  const byFn = new Map<string, { fn: string; where: string; us: number }>();
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    const where = f.url ? `${path.relative(process.cwd(), f.url.replace(/^file:\/\//, ""))}:${f.lineNumber + 1}` : "";
    const key = `${f.functionName}@${where}`;
    const e = byFn.get(key) ?? { fn: f.functionName || "(anonymous)", where, us: 0 };
    e.us += us;
    byFn.set(key, e);
  }
  const sum = [...byFn.values()].reduce((a, e) => a + e.us, 0);
  return [...byFn.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, n)
    .map((e) => ({ fn: e.fn, where: e.where, ms: e.us / 1000, pct: (100 * e.us) / sum }));
}

if (require.main === module) {
  const [file, count] = process.argv.slice(2);
  if (!file) {
    process.stderr.write("usage: node bench/out/dist/bench/profile-top.js FILE.cpuprofile [N]\n");
    process.exitCode = 2;
  } else {
    for (const r of topSelf(JSON.parse(readFileSync(file, "utf8")) as Profile, Number(count ?? 25))) {
      process.stdout.write(
        `${r.pct.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.fn}  ${r.where}\n`,
      );
    }
  }
}

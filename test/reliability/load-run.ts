/**
 * `npm run load`: the load run of issues 8 and 17 on loopback. For each rate (default 300, 600 and 1,200
 * deliveries/s, 60 s each after a 10 s warm-up) a fresh sandbox and plugin service each run in a child process;
 * this process sends webhook deliveries at the fixed rate (open loop), probes /healthz every 100 ms, then plays
 * Dataverse's retry: every delivery not answered 200 (shed with 503) is sent again until accepted. Finally one more
 * delivery per account must find nothing to change ("unchanged"): the accounts are right.
 *   npm run load -- [--rates 300,600,1200] [--seconds 60] [--warmup 10] [--accounts 2000]
 * Exit code 1 if a delivery failed with anything but a 503, or, at any rate, the accepted deliveries' p99 reached
 * 2 s, the plugin's RSS reached 300 MB, /healthz took 1 s or more, or an account was left wrong.
 * CT_MAX_IN_FLIGHT / CT_MAX_QUEUE_PER_ACCOUNT in the environment reach the plugin (to size the cap).
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { deliveryBody, LOAD_KEY, runLoad, type LoadAccount, type LoadResult } from "./load";

function child<T>(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ proc: ChildProcess; info: T }> {
  const proc = fork(join(__dirname, "load-child.ts"), args, {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    proc.once("message", (info) => resolve({ proc, info: info as T }));
    proc.once("exit", (code) => reject(new Error(`load child ${args[0]} exited with ${code}`)));
  });
}

const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(1)} MB`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** POSTs one delivery; the status and the JSON body. */
async function deliver(url: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}?code=${encodeURIComponent(LOAD_KEY)}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Runs `work` over `items`, `n` at a time. */
async function pool<T>(items: T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/** Dataverse's retry of what was shed, then one check delivery per account; returns the accounts left wrong. */
async function replayAndCheck(
  url: string,
  bodies: string[],
  notAccepted: number[],
): Promise<{ retried: number; wrong: number }> {
  const retry = [...new Set(notAccepted)];
  await pool(retry, 8, async (i) => {
    for (let attempt = 0; attempt < 50; attempt++) {
      if ((await deliver(url, bodies[i])).status === 200) return;
      await sleep(200);
    }
    throw new Error(`delivery ${i} still not accepted after 50 retries`);
  });
  let wrong = 0;
  await pool(
    bodies.map((_, i) => i),
    8,
    async (i) => {
      const r = await deliver(url, bodies[i]);
      const accounts = (r.json.accounts ?? []) as { outcome?: string }[];
      if (r.status !== 200 || accounts.some((a) => a.outcome !== "unchanged")) wrong++;
    },
  );
  return { retried: retry.length, wrong };
}

interface RateFigures {
  rate: number;
  r: LoadResult;
  retried: number;
  wrong: number;
}

async function runRate(rate: number, seconds: number, warmupSeconds: number, accounts: number): Promise<RateFigures> {
  const sandbox = await child<{ origin: string; accounts: LoadAccount[] }>(["sandbox", String(accounts)]);
  const plugin = await child<{ url: string }>(["plugin", sandbox.info.origin]);
  try {
    process.stdout.write(
      `load: ${rate} deliveries/s for ${seconds} s after a ${warmupSeconds} s warm-up, to ${plugin.info.url} (${accounts} accounts)\n`,
    );
    const bodies = sandbox.info.accounts.map(deliveryBody);
    const r = await runLoad({
      url: plugin.info.url,
      key: LOAD_KEY,
      rate,
      seconds,
      warmupSeconds,
      bodies,
      expected: [503],
      healthUrl: new URL("/healthz", plugin.info.url).href,
      watch: { plugin: plugin.proc.pid!, sandbox: sandbox.proc.pid! },
      onSecond: (s) =>
        s.second % 10 === 0 &&
        process.stdout.write(
          `  ${String(s.second).padStart(3)} s  sent ${s.sent}  answered ${s.done}  errors ${s.errors}  in flight ${s.inFlight}  rss plugin ${mb(s.rss.plugin)}\n`,
        ),
    });
    const { retried, wrong } = await replayAndCheck(plugin.info.url, bodies, r.notAccepted);
    const a = r.acceptedLatencyMs;
    process.stdout.write(
      [
        `  statuses ${JSON.stringify(r.statuses)} (warm-up included); shed ${(r.shedShare * 100).toFixed(1)} %; answered at ${r.answeredRate.toFixed(1)}/s`,
        `  accepted latency ms p50 ${a.p50.toFixed(1)} p99 ${a.p99.toFixed(1)} max ${a.max.toFixed(1)}; all answers p99 ${r.latencyMs.p99.toFixed(1)}`,
        `  rss plugin max ${mb(r.rssMax.plugin)}; /healthz slowest ${r.healthMaxMs.toFixed(1)} ms`,
        `  after the retry of ${retried} shed deliveries: ${wrong} accounts wrong of ${bodies.length}`,
      ].join("\n") + "\n",
    );
    return { rate, r, retried, wrong };
  } finally {
    plugin.proc.kill();
    sandbox.proc.kill();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rates: { type: "string" },
      rate: { type: "string" },
      seconds: { type: "string" },
      accounts: { type: "string" },
      warmup: { type: "string" },
    },
  });
  const rates = (values.rates ?? values.rate ?? "300,600,1200").split(",").map(Number);
  const seconds = Number(values.seconds ?? 60);
  const warmup = Number(values.warmup ?? 10);
  const accounts = Number(values.accounts ?? 2000);
  const figures: RateFigures[] = [];
  for (const rate of rates) figures.push(await runRate(rate, seconds, warmup, accounts));
  process.stdout.write(
    "\n| rate /s | shed | accepted p99 | all p99 | RSS plugin max | /healthz max | errors | accounts wrong after retry |\n|---|---|---|---|---|---|---|---|\n" +
      figures
        .map(
          ({ rate, r, wrong }) =>
            `| ${rate} | ${(r.shedShare * 100).toFixed(1)} % | ${(r.acceptedLatencyMs.p99 / 1000).toFixed(2)} s | ${(r.latencyMs.p99 / 1000).toFixed(2)} s | ${mb(r.rssMax.plugin)} | ${r.healthMaxMs.toFixed(0)} ms | ${r.errors} | ${wrong} |`,
        )
        .join("\n") +
      "\n",
  );
  const ok = figures.every(
    ({ r, wrong }) =>
      r.errors === 0 &&
      r.acceptedLatencyMs.p99 < 2000 &&
      r.rssMax.plugin < 300 * 1024 * 1024 &&
      r.healthMaxMs < 1000 &&
      wrong === 0,
  );
  process.stdout.write(ok ? "load: PASS\n" : "load: FAIL\n");
  process.exitCode = ok ? 0 : 1;
}

void main().catch((e: Error) => {
  process.stderr.write(`load: ${e.stack ?? e.message}\n`);
  process.exit(1);
});

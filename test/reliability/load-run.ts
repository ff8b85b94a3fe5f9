/**
 * `npm run load`: the bounded load run of issue 8 on loopback. The sandbox and the plugin service each run in a
 * child process; this process sends webhook deliveries at a fixed rate to the plugin (which reads and writes the
 * sandbox for each), stops by itself, and prints the figures. Exit code 1 if any delivery failed or the plugin's
 * resident memory grew 10 % or more from the first to the last 10 s.
 *   npm run load -- [--rate 500] [--seconds 60] [--warmup 10] [--accounts 2000]
 * The warm-up (same load, not measured) lets the JIT, the caches and each account's first write settle, so the
 * memory figure shows growth under steady load, which is what a leak looks like.
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { deliveryBody, LOAD_KEY, runLoad, type LoadAccount } from "./load";

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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rate: { type: "string" },
      seconds: { type: "string" },
      accounts: { type: "string" },
      warmup: { type: "string" },
    },
  });
  const warmupSeconds = Number(values.warmup ?? 10);
  const rate = Number(values.rate ?? 500);
  const seconds = Number(values.seconds ?? 60);
  const accounts = Number(values.accounts ?? 2000);
  const sandbox = await child<{ origin: string; accounts: LoadAccount[] }>(["sandbox", String(accounts)]);
  const plugin = await child<{ url: string }>(["plugin", sandbox.info.origin]);
  const stop = (): void => {
    plugin.proc.kill();
    sandbox.proc.kill();
  };
  try {
    process.stdout.write(
      `load: ${rate} deliveries/s for ${seconds} s after a ${warmupSeconds} s warm-up, to ${plugin.info.url} (plugin pid ${plugin.proc.pid}, sandbox pid ${sandbox.proc.pid}, ${accounts} accounts)\n`,
    );
    const r = await runLoad({
      url: plugin.info.url,
      key: LOAD_KEY,
      rate,
      seconds,
      warmupSeconds,
      bodies: sandbox.info.accounts.map(deliveryBody),
      watch: { plugin: plugin.proc.pid!, sandbox: sandbox.proc.pid! },
      onSecond: (s) =>
        process.stdout.write(
          `  ${String(s.second).padStart(3)} s  sent ${s.sent}  answered ${s.done}  errors ${s.errors}  in flight ${s.inFlight}  rss plugin ${mb(s.rss.plugin)} sandbox ${mb(s.rss.sandbox)}\n`,
        ),
    });
    process.stdout.write(
      [
        `sent ${r.sent}, answered 200: ${r.ok}, errors: ${r.errors}${r.firstError ? ` (first: ${r.firstError})` : ""}`,
        `statuses ${JSON.stringify(r.statuses)} (warm-up included); sent at ${r.achievedRate.toFixed(1)}/s, answered at ${r.answeredRate.toFixed(1)}/s, last answer ${r.drainSeconds.toFixed(1)} s after the last send`,
        `latency ms p50 ${r.latencyMs.p50.toFixed(1)} p95 ${r.latencyMs.p95.toFixed(1)} p99 ${r.latencyMs.p99.toFixed(1)} max ${r.latencyMs.max.toFixed(1)}`,
        ...Object.entries(r.memory).map(
          ([n, m]) =>
            `rss ${n}: first ${m.window} s ${mb(m.first)}, last ${m.window} s ${mb(m.last)}, growth ${(m.growth * 100).toFixed(1)} %`,
        ),
      ].join("\n") + "\n",
    );
    const ok = r.errors === 0 && r.memory.plugin.growth < 0.1;
    process.stdout.write(ok ? "load: PASS\n" : "load: FAIL\n");
    process.exitCode = ok ? 0 : 1;
  } finally {
    stop();
  }
}

void main().catch((e: Error) => {
  process.stderr.write(`load: ${e.stack ?? e.message}\n`);
  process.exit(1);
});

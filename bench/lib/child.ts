import { spawn } from "node:child_process";
import path from "node:path";
import { emit, parseChildOutput, type Figure } from "./report";
import { isSize, type SizeName } from "./sizes";

export interface SuiteOptions {
  size: SizeName;
  quick: boolean;
  log: (message: string) => void;
}

export type Suite = (o: SuiteOptions) => Promise<Figure[]>;

/** A suite's own process: peak RSS is then its own, and a crash or a leak stays inside it. */
export function childMain(suite: Suite): void {
  const argv = process.argv.slice(2);
  const size = argv[argv.indexOf("--size") + 1] ?? "10k";
  if (!isSize(size)) throw new Error(`--size must be tiny, 10k, 100k or 1m, got ${size}`);
  const log = (m: string): void => void process.stderr.write(`  ${m}\n`);
  // Exits once the figures are out: a library's leftover timer (jsdom, an HTTP agent) must not keep a suite alive.
  const done = (code: number): void => void process.stdout.write("", () => process.exit(code));
  suite({ size, quick: argv.includes("--quick"), log }).then(
    (figures) => {
      figures.forEach(emit);
      done(0);
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      done(1);
    },
  );
}

export interface ChildRun {
  figures: Figure[];
  ok: boolean;
  message: string;
}

/**
 * Runs the compiled suite `name` (bench/out/dist/bench/suites/<name>.js) in a child Node process and collects its
 * figures. It is killed after `timeoutMs`, so a hung benchmark cannot keep `npm run bench` running.
 */
export function runChild(
  name: string,
  args: string[],
  opts: { timeoutMs: number; profileDir?: string; heapMb?: number },
): Promise<ChildRun> {
  const script = path.join(__dirname, "..", "suites", `${name}.js`);
  const nodeArgs: string[] = [];
  if (opts.heapMb) nodeArgs.push(`--max-old-space-size=${opts.heapMb}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
      stdio: ["ignore", "pipe", "inherit"],
      env: opts.profileDir ? { ...process.env, BENCH_PROFILE_DIR: opts.profileDir } : process.env,
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const { figures, log } = parseChildOutput(out);
      log.forEach((l) => process.stderr.write(`  ${l}\n`));
      const ok = code === 0;
      resolve({
        figures,
        ok,
        message: ok
          ? ""
          : signal === "SIGKILL"
            ? `killed after ${opts.timeoutMs / 1000} s`
            : `exited with ${code ?? signal}`,
      });
    });
  });
}

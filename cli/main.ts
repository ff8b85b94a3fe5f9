import { ModelError } from "../src/engine/model";
import { InputError } from "../src/export-reader/input-error";
import { OutputError } from "./atomic-file";
import { redact } from "../plugins/text-safety";
import { UsageError, type CliCommand, type CliIo } from "./command";
import { secretsIn } from "./secret-options";

/** A command as the overview lists it; its module is loaded only when it runs (see COMMANDS). */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): CliCommand;
}

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand, see below */
/**
 * Each command's module is required only when that command runs: `rank` must not pay for the plugin service, the
 * Azure SDK and the Dataverse client that configure, doctor, replay and rerank load (about 0.2 s of a 3 s run at
 * 100k accounts, issue 15). test/cli/commands.test.ts checks each name and summary against its module.
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "rank",
    summary: "rank every account of an export folder into tiers",
    load: () => (require("./commands/rank") as typeof import("./commands/rank")).rankCommand,
  },
  {
    name: "explain",
    summary: "say in plain words why one account has its tier",
    load: () => (require("./commands/explain") as typeof import("./commands/explain")).explainCommand,
  },
  {
    name: "sample",
    summary: "write a realistic, deterministic B2B sample export folder",
    load: () => (require("./commands/sample") as typeof import("./commands/sample")).sampleCommand,
  },
  {
    name: "configure",
    summary: "point the imported solution's webhook at this environment's plugin service and register its steps",
    load: () => (require("./commands/configure") as typeof import("./commands/configure")).configureCommand,
  },
  {
    name: "doctor",
    summary: "check an environment after import or upgrade: solution, endpoint, steps, security, model, webhook",
    load: () => (require("./commands/doctor") as typeof import("./commands/doctor")).doctorCommand,
  },
  {
    name: "report",
    summary: "write the quarterly tier review as one self-contained HTML file",
    load: () => (require("./commands/report") as typeof import("./commands/report")).reportCommand,
  },
  {
    name: "replay",
    summary: "recalculate the accounts named by failed webhook System Jobs, so missed saves come right",
    load: () => (require("./commands/replay") as typeof import("./commands/replay")).replayCommand,
  },
  {
    name: "rerank",
    summary: "re-rank every account in a Dataverse environment (backfill after install, scheduled re-rank)",
    load: () => (require("./commands/rerank") as typeof import("./commands/rerank")).rerankCommand,
  },
];
/* eslint-enable @typescript-eslint/no-require-imports */

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: tiering <command> [options]

Customer tiering for Dynamics 365 / Dataverse: rank accounts into tiers (AAA, A, B, C) and keep their touch cadence.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

Run \`tiering <command> --help\` for a command's options.
`;
}

/** Commands that talk to an environment with a token or key; the others write data to stdout, left untouched. */
const NETWORK = new Set(["configure", "rerank", "replay", "doctor"]);

/** The same stream, with each written text redacted. */
function redacting<S extends NodeJS.WritableStream>(stream: S, secrets: readonly string[]): S {
  const write = (chunk: unknown, ...rest: unknown[]): boolean =>
    (stream.write as (...a: unknown[]) => boolean).call(
      stream,
      typeof chunk === "string" || Buffer.isBuffer(chunk) ? redact(String(chunk), secrets) : chunk,
      ...rest,
    );
  return new Proxy(stream, {
    get(target, prop) {
      if (prop === "write") return write;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * `tiering rank … | head`: once the reader has gone, writes to standard output fail with EPIPE. Nothing is left to
 * say to anyone, so the run ends quietly with exit 0, as Unix tools do, instead of printing a stack trace.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream, exit: (code: number) => void = process.exit): void {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") exit(0);
    else throw e;
  });
}

const processIo = (): CliIo => {
  endQuietlyOnClosedPipe(process.stdout);
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() };
};

/** Runs one command; resolves to the exit code (0 ok, 1 failure, 2 bad usage or bad input). */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(overview());
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr.write(`tiering: unknown command "${name}"\n\n${overview()}`);
    return 2;
  }
  // Every message the command prints passes through redaction: the token and keys it was given, and anything
  // shaped like a bearer token or a ?code= key, never reach the terminal (issue 17).
  const secrets = secretsIn(rest);
  io = {
    ...io,
    stderr: redacting(io.stderr, secrets),
    stdout: NETWORK.has(name) ? redacting(io.stdout, secrets) : io.stdout,
  };
  try {
    return await entry.load().run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`tiering ${name}: ${e.message}\nRun \`tiering ${name} --help\` for usage.\n`);
      return 2;
    }
    if (e instanceof InputError || e instanceof ModelError || e instanceof OutputError) {
      io.stderr.write(`tiering ${name}: error: ${e.message}\n`);
      return 2;
    }
    io.stderr.write(`tiering ${name}: unexpected failure: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

import { ModelError } from "../src/engine/model";
import { InputError } from "../src/export-reader/input-error";
import { OutputError } from "./atomic-file";
import { redact } from "../plugins";
import { UsageError, type CliCommand, type CliIo } from "./command";
import { configureCommand } from "./commands/configure";
import { doctorCommand } from "./commands/doctor";
import { explainCommand } from "./commands/explain";
import { rankCommand } from "./commands/rank";
import { rerankCommand } from "./commands/rerank";
import { replayCommand } from "./commands/replay";
import { reportCommand } from "./commands/report";
import { sampleCommand } from "./commands/sample";
import { secretsIn } from "./secret-options";

export const COMMANDS: readonly CliCommand[] = [
  rankCommand,
  explainCommand,
  sampleCommand,
  configureCommand,
  doctorCommand,
  reportCommand,
  replayCommand,
  rerankCommand,
];

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
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
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
    return await command.run(rest, io);
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

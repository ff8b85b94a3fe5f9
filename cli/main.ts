import { ModelError } from "../src/engine/model";
import { InputError } from "../src/export-reader/input-error";
import { OutputError } from "./atomic-file";
import { UsageError, type CliCommand, type CliIo } from "./command";
import { configureCommand } from "./commands/configure";
import { doctorCommand } from "./commands/doctor";
import { explainCommand } from "./commands/explain";
import { rankCommand } from "./commands/rank";
import { rerankCommand } from "./commands/rerank";
import { replayCommand } from "./commands/replay";
import { reportCommand } from "./commands/report";
import { sampleCommand } from "./commands/sample";

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

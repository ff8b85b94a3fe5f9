/** What every `tiering` sub-command is: cli/main.ts lists them, parses nothing itself. */

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
}

export interface CliCommand {
  name: string;
  summary: string;
  /** Full `--help` text. */
  usage: string;
  /** Resolves to the exit code: 0 ok, 2 bad usage or bad input (after printing the error), 1 anything else. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Bad command-line usage: printed with the command's usage hint, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

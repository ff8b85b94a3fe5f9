import { SingleBar } from "cli-progress";
import path from "node:path";
import { parseInstant } from "../../src/engine/dates";
import {
  DataverseHttpError,
  DEFAULT_CHECKPOINT,
  developerTokens,
  formatMatrix,
  RerankInputError,
  runRerank,
  type RerankSummary,
  redact,
} from "../../plugins";
import { parseOptions, positiveIntOption } from "../args";
import { UsageError, type CliCommand, type CliIo } from "../command";
import { optionalTokenOption, secureUrlOption } from "../secret-options";

const PHASES: Record<string, string> = {
  accounts: "reading accounts",
  facts: "reading facts   ",
  write: "writing accounts",
};

/**
 * A count-based bar on stderr, only on a terminal (src/cli/progress.ts draws bytes; the re-rank counts queries and
 * pages). One bar per phase.
 */
function progressBar(io: CliIo): { update: (done: number, total: number, phase: string) => void; stop: () => void } {
  if (!io.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  let bar: SingleBar | null = null;
  let phase = "";
  return {
    update(done, total, p) {
      if (p !== phase) {
        bar?.stop();
        phase = p;
        bar = new SingleBar({
          stream: io.stderr,
          format: `${PHASES[p] ?? p} [{bar}] {value}/{total}`,
          hideCursor: true,
          clearOnComplete: true,
        });
        bar.start(Math.max(total, 1), done);
      }
      bar?.setTotal(Math.max(total, 1));
      bar?.update(done);
    },
    stop() {
      bar?.stop();
    },
  };
}

function printSummary(io: CliIo, s: RerankSummary, matrixText: string): void {
  io.stdout.write(
    `${s.dryRun ? "Dry run (nothing written)" : "Re-rank"} as of ${s.asOf}${s.resumed ? " (resumed)" : ""}: ${s.accounts} active accounts, ` +
      `${s.activeInWindow} active in the window\n` +
      `Accounts whose tier columns change: ${s.changed}; written: ${s.written}; tier history rows: ${s.historyRows}; Web API requests: ${s.requests}\n` +
      `\nTier movement (current → new):\n${matrixText}`,
  );
}

export const rerankCommand: CliCommand = {
  name: "rerank",
  summary: "re-rank every account in a Dataverse environment (backfill after install, scheduled re-rank)",
  usage: `Usage: tiering rerank --url URL [--dry-run] [--resume] [--as-of DATE] [--token TOKEN] [--concurrency N] [--checkpoint FILE]

Reads every active account's facts with grouped FetchXML aggregates, ranks the population, stores the cut-points
and KPI quantiles on the active tier model, and writes only the accounts whose tier columns change (UpdateMultiple)
with a tier history row per tier change. Progress is checkpointed: after an interruption, --resume continues.

  --url URL          the environment, e.g. https://contoso.crm.dynamics.com (or its Web API base)
  --dry-run          compute and print the tier movement matrix; write nothing
  --resume           continue the interrupted run recorded in the checkpoint file
  --as-of DATE       YYYY-MM-DD (UTC midnight) or an ISO 8601 instant (default: now)
  --token TOKEN      an OAuth access token for the environment (default: $DATAVERSE_TOKEN); never printed.
                     Without one, your existing sign-in is used: Azure CLI (az login), then VS Code's Azure account
  --concurrency N    requests in flight at once (default 4)
  --checkpoint FILE  checkpoint file (default: .tiering-rerank-checkpoint.json in the current directory)
`,
  async run(args, io) {
    const o = parseOptions(args, {
      url: { type: "string" },
      "dry-run": { type: "boolean" },
      resume: { type: "boolean" },
      "as-of": { type: "string" },
      token: { type: "string" },
      concurrency: { type: "string" },
      checkpoint: { type: "string" },
    });
    if (o.help) {
      io.stdout.write(this.usage);
      return 0;
    }
    // Validated (https, or http to loopback only; no secret in it) but passed on as typed: it may be the Web API base.
    secureUrlOption(o.url, "url");
    const url = o.url as string;
    let asOf: number | undefined;
    if (o["as-of"] !== undefined) {
      asOf = parseInstant(o["as-of"]);
      if (Number.isNaN(asOf))
        throw new UsageError(`--as-of "${o["as-of"]}" is not a date (expected YYYY-MM-DD or an ISO 8601 instant)`);
    }
    const concurrency = positiveIntOption(o.concurrency, "concurrency", 4);
    const token = optionalTokenOption(o.token);
    const bar = progressBar(io);
    const controller = new AbortController();
    // Ctrl+C stops after the work in flight; the checkpoint then holds everything done so far.
    const onSigint = (): void => controller.abort(new Error("interrupted"));
    process.once("SIGINT", onSigint);
    try {
      const summary = await runRerank({
        url,
        tokens: developerTokens(url, token),
        asOf,
        dryRun: o["dry-run"] === true,
        resume: o.resume === true,
        checkpointFile: path.resolve(io.cwd, o.checkpoint ?? DEFAULT_CHECKPOINT),
        concurrency,
        onProgress: bar.update,
        signal: controller.signal,
      });
      bar.stop();
      printSummary(io, summary, formatMatrix(summary.matrix, summary.tiers));
      return 0;
    } catch (e) {
      bar.stop();
      if (e instanceof RerankInputError) {
        io.stderr.write(`tiering rerank: error: ${redact(e.message, [token])}\n`);
        return 2;
      }
      if (controller.signal.aborted) {
        io.stderr.write("tiering rerank: interrupted; run again with --resume to continue\n");
        return 1;
      }
      // Dataverse kept failing, the network went away, …: the message names the request; the work done is kept.
      const what = e instanceof DataverseHttpError ? "Dataverse error" : "error";
      const hint = o["dry-run"] ? "" : "The work done so far is checkpointed: run again with --resume to continue.\n";
      io.stderr.write(`tiering rerank: ${what}: ${redact((e as Error).message, [token])}\n${hint}`);
      return 1;
    } finally {
      process.removeListener("SIGINT", onSigint);
    }
  },
};

import { replayFailedJobs, type ReplaySummary } from "../../plugins";
import { parseInstant } from "../../src/engine/dates";
import { redact as redactText } from "../../plugins";
import { parseOptions, positiveIntOption } from "../args";
import { UsageError, type CliCommand } from "../command";
import { secureUrlOption, tokenOption } from "../secret-options";

/**
 * `tiering replay`: a thin shell over the service's replayFailedJobs (plugins/replay.ts), which reads the failed
 * webhook System Jobs and recalculates the accounts they name with the service's own code.
 */

function orgOption(value: string | undefined): URL {
  return secureUrlOption(value, "url");
}

function instantOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const t = parseInstant(value);
  if (Number.isNaN(t))
    throw new UsageError(`--${name} "${value}" is not a date (expected YYYY-MM-DD or an ISO 8601 instant)`);
  return t;
}

export const replayCommand: CliCommand = {
  name: "replay",
  summary: "recalculate the accounts named by failed webhook System Jobs, so missed saves come right",
  usage: `Usage: tiering replay --url ORG_URL [--token TOKEN] [--since DATE] [--delete] [--concurrency N]

Reads the failed System Jobs of the Customer Tiering webhook steps (asyncoperations with statuscode 31),
resolves each saved record to its account(s) as the webhook does, and recalculates those accounts now,
with the same code the plugin service runs. Safe to run more than once.

  --url URL          the environment, e.g. https://contoso.crm.dynamics.com
  --token TOKEN      an OAuth access token for the environment (default: $DATAVERSE_TOKEN)
  --since DATE       only jobs that failed at or after DATE (YYYY-MM-DD or ISO instant)
  --delete           delete each replayed job once all its accounts were recalculated
  --concurrency N    accounts recalculated at once (default 4)
  --as-of DATE       evaluate as of DATE instead of now (to reproduce a run)
`,
  async run(args, io) {
    const o = parseOptions(args, {
      url: { type: "string" },
      token: { type: "string" },
      since: { type: "string" },
      delete: { type: "boolean" },
      concurrency: { type: "string" },
      "as-of": { type: "string" },
    });
    if (o.help) {
      io.stdout.write(this.usage);
      return 0;
    }
    const org = orgOption(o.url);
    const token = tokenOption(o.token);
    const since = instantOption(o.since, "since");
    const asOf = instantOption(o["as-of"], "as-of");
    const concurrency = positiveIntOption(o.concurrency, "concurrency", 4);

    const redact = (text: string): string => redactText(text, [token]);
    let r: ReplaySummary;
    try {
      r = await replayFailedJobs({ server: org.origin, token, since, asOf, delete: o.delete, concurrency });
    } catch (e) {
      io.stderr.write(
        `tiering replay: error: reading failed System Jobs from ${org.origin}: ${redact((e as Error).message)}\n`,
      );
      return 1;
    }
    const { counts, failedAccounts, deleted, deleteProblems } = r;
    io.stdout.write(
      `${r.jobs} failed System Job${r.jobs === 1 ? "" : "s"}${since !== undefined ? ` since ${new Date(since).toISOString()}` : ""}` +
        ` named ${r.accounts} account${r.accounts === 1 ? "" : "s"}: ${counts.updated} updated, ${counts.unchanged} already right,` +
        ` ${counts.missing} gone, ${counts.inactive} inactive, ${failedAccounts.size} failed.` +
        (o.delete ? ` ${deleted} job${deleted === 1 ? "" : "s"} deleted.` : "") +
        "\n",
    );
    for (const s of r.skipped)
      io.stderr.write(`  job ${s.job.asyncoperationid} (${s.job.name ?? "unnamed step"}): ${s.problem}\n`);
    for (const [id, why] of failedAccounts) io.stderr.write(`  account ${id}: ${why}\n`);
    for (const p of deleteProblems) io.stderr.write(`  could not delete ${p}\n`);
    return failedAccounts.size > 0 || deleteProblems.length > 0 ? 1 : 0;
  },
};

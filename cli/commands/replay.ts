import { StaticToken } from "../../plugins/dataverse/token";
import { FetchTransport } from "../../plugins/dataverse/transport";
import { WebApiGateway } from "../../plugins/dataverse/gateway";
import { createLogger } from "../../plugins/log";
import { ModelCache } from "../../plugins/recalc/model-cache";
import { Recalculator, type Trigger } from "../../plugins/recalc/recalculate";
import { parseContext } from "../../plugins/webhook/context";
import { plan } from "../../plugins/webhook/routing";
import { parseInstant } from "../../src/engine/dates";
import { redact as redactText } from "../../plugins";
import { parseOptions, positiveIntOption } from "../args";
import { UsageError, type CliCommand } from "../command";
import { secureUrlOption, tokenOption } from "../secret-options";

/**
 * `tiering replay`: after an outage of the plugin service (or of Dataverse), the saves it missed are failed System
 * Jobs (asyncoperation, statuscode 31 "Failed") holding the webhook's RemoteExecutionContext. Rather than post those
 * payloads again (the service may still be down, and Dataverse does not let a client resubmit a job), this reads them,
 * resolves each to its accounts the way the webhook does, and runs the same recalculation for those accounts against
 * the data as it is now. Recalculating is idempotent, so replaying twice, or a job Dataverse also retried, is harmless.
 * https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/asyncoperation
 * https://learn.microsoft.com/power-apps/developer/data-platform/use-webhooks#troubleshoot-webhook-registrations
 */

const FAILED = 31;
const PAGE = 500;

interface Job {
  asyncoperationid: string;
  name: string | null;
  data: string | null;
  completedon: string | null;
}

interface JobOutcome {
  job: Job;
  accounts: string[];
  trigger?: Trigger;
  problem?: string;
}

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

    // No webhook deadline here: an operator waits, so throttling gets more patience than on the save path.
    const transport = new FetchTransport({
      server: org.origin,
      tokens: new StaticToken(token),
      retry: { maxAttempts: 10 },
    });
    const gateway = new WebApiGateway(transport);
    const recalculator = new Recalculator(gateway, new ModelCache(gateway), asOf === undefined ? Date.now : () => asOf);
    const log = createLogger("silent");
    const redact = (text: string): string => redactText(text, [token]);

    let jobs: Job[];
    try {
      jobs = await failedJobs(transport, since);
    } catch (e) {
      io.stderr.write(
        `tiering replay: error: reading failed System Jobs from ${org.origin}: ${redact((e as Error).message)}\n`,
      );
      return 1;
    }
    const outcomes: JobOutcome[] = [];
    for (const job of jobs) outcomes.push(await resolveJob(job, gateway));

    // One recalculation per account, however many jobs name it: it reads the account's data as it is now.
    const triggers = new Map<string, Trigger>();
    for (const r of outcomes) for (const a of r.accounts) if (!triggers.has(a)) triggers.set(a, r.trigger!);
    const failedAccounts = new Map<string, string>();
    const counts = { updated: 0, unchanged: 0, missing: 0, inactive: 0 };
    const queue = [...triggers.entries()];
    await Promise.all(
      Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const [id, trigger] = next;
          try {
            counts[(await recalculator.recalculate(id, trigger, log)).outcome]++;
          } catch (e) {
            failedAccounts.set(id, redact((e as Error).message));
          }
        }
      }),
    );

    let deleted = 0;
    const deleteProblems: string[] = [];
    if (o.delete) {
      for (const r of outcomes) {
        if (r.problem || r.accounts.some((a) => failedAccounts.has(a))) continue;
        try {
          await transport.send("DELETE", `asyncoperations(${r.job.asyncoperationid})`, {});
          deleted++;
        } catch (e) {
          deleteProblems.push(`job ${r.job.asyncoperationid}: ${redact((e as Error).message)}`);
        }
      }
    }

    const skipped = outcomes.filter((r) => r.problem);
    io.stdout.write(
      `${jobs.length} failed System Job${jobs.length === 1 ? "" : "s"}${since !== undefined ? ` since ${new Date(since).toISOString()}` : ""}` +
        ` named ${triggers.size} account${triggers.size === 1 ? "" : "s"}: ${counts.updated} updated, ${counts.unchanged} already right,` +
        ` ${counts.missing} gone, ${counts.inactive} inactive, ${failedAccounts.size} failed.` +
        (o.delete ? ` ${deleted} job${deleted === 1 ? "" : "s"} deleted.` : "") +
        "\n",
    );
    for (const r of skipped)
      io.stderr.write(`  job ${r.job.asyncoperationid} (${r.job.name ?? "unnamed step"}): ${r.problem}\n`);
    for (const [id, why] of failedAccounts) io.stderr.write(`  account ${id}: ${why}\n`);
    for (const p of deleteProblems) io.stderr.write(`  could not delete ${p}\n`);
    return failedAccounts.size > 0 || deleteProblems.length > 0 ? 1 : 0;
  },
};

/** Every failed job, oldest first, following @odata.nextLink. */
async function failedJobs(transport: FetchTransport, since: number | undefined): Promise<Job[]> {
  const filter = `statuscode eq ${FAILED}${since !== undefined ? ` and completedon ge ${new Date(since).toISOString()}` : ""}`;
  let uri: string | undefined =
    `asyncoperations?$select=asyncoperationid,name,data,completedon&$filter=${encodeURIComponent(filter)}&$orderby=completedon asc`;
  const jobs: Job[] = [];
  while (uri) {
    const res = await transport.send("GET", uri, { accept: "application/json", prefer: `odata.maxpagesize=${PAGE}` });
    const page = JSON.parse(res.body ?? "{}") as { value?: Job[]; "@odata.nextLink"?: string };
    jobs.push(...(page.value ?? []));
    uri = page["@odata.nextLink"];
  }
  return jobs;
}

/** The accounts a job's saved record stands for, or why it cannot be replayed. */
async function resolveJob(job: Job, gateway: WebApiGateway): Promise<JobOutcome> {
  if (!job.data) return { job, accounts: [], problem: "the job holds no webhook payload" };
  try {
    const ctx = parseContext(JSON.parse(job.data.replace(/^\uFEFF/, "")), false);
    const p = await plan(ctx, gateway);
    if (p.kind === "noop") return { job, accounts: [], problem: `nothing to recalculate: ${p.reason}` };
    return { job, accounts: p.accounts, trigger: p.trigger };
  } catch (e) {
    return { job, accounts: [], problem: (e as Error).message };
  }
}

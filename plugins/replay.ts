import { WebApiGateway } from "./dataverse/gateway";
import { StaticToken } from "./dataverse/token";
import { HttpTransport } from "./dataverse/transport";
import { createLogger } from "./log";
import { ModelCache } from "./recalc/model-cache";
import { Recalculator, type Trigger } from "./recalc/recalculate";
import { parseContext } from "./webhook/context";
import { plan } from "./webhook/routing";

/**
 * Replays the saves the service missed: the failed System Jobs (asyncoperation, statuscode 31 "Failed") of the
 * webhook steps hold the RemoteExecutionContext; each is resolved to its accounts as the webhook does and those
 * accounts are recalculated now, with the service's own recalculation. Recalculating is idempotent, so replaying
 * twice, or a job Dataverse also retried, is harmless. A deleted account is an outcome ("gone"), so its job clears.
 * https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/asyncoperation
 * https://learn.microsoft.com/power-apps/developer/data-platform/use-webhooks#troubleshoot-webhook-registrations
 */
const FAILED = 31;
const PAGE = 500;

export interface ReplayJob {
  asyncoperationid: string;
  name: string | null;
  data: string | null;
  completedon: string | null;
}

export interface ReplayOptions {
  /** The environment URL (origin). */
  server: string;
  token: string;
  since?: number;
  asOf?: number;
  /** Delete each job once all its accounts were recalculated (or are gone). */
  delete?: boolean;
  concurrency?: number;
}

export interface ReplaySummary {
  jobs: number;
  accounts: number;
  counts: { updated: number; unchanged: number; missing: number; inactive: number };
  /** Account id → why it failed (the token redacted). */
  failedAccounts: Map<string, string>;
  /** Jobs that could not be resolved to accounts, and why. */
  skipped: { job: ReplayJob; problem: string }[];
  deleted: number;
  deleteProblems: string[];
}

interface JobOutcome {
  job: ReplayJob;
  accounts: string[];
  trigger?: Trigger;
  problem?: string;
}

/** Reads failed jobs, recalculates their accounts, optionally deletes the cleared jobs. Throws if the jobs cannot be read. */
export async function replayFailedJobs(opts: ReplayOptions): Promise<ReplaySummary> {
  const redact = (text: string): string => text.split(opts.token).join("***");
  // No webhook deadline here: an operator waits, so throttling gets more patience than on the save path.
  const transport = new HttpTransport({
    server: opts.server,
    tokens: new StaticToken(opts.token),
    retry: { maxAttempts: 10 },
  });
  const gateway = new WebApiGateway(transport);
  const asOf = opts.asOf;
  const recalculator = new Recalculator(gateway, new ModelCache(gateway), asOf === undefined ? Date.now : () => asOf);
  const log = createLogger("silent");

  let jobs: ReplayJob[];
  try {
    jobs = await failedJobs(transport, opts.since);
  } catch (e) {
    throw new Error(redact((e as Error).message));
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
    Array.from({ length: Math.min(opts.concurrency ?? 4, queue.length) }, async () => {
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
  if (opts.delete) {
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
  return {
    jobs: jobs.length,
    accounts: triggers.size,
    counts,
    failedAccounts,
    skipped: outcomes.filter((r) => r.problem).map((r) => ({ job: r.job, problem: r.problem! })),
    deleted,
    deleteProblems,
  };
}

/** Every failed job, oldest first, following @odata.nextLink. */
async function failedJobs(transport: HttpTransport, since: number | undefined): Promise<ReplayJob[]> {
  const filter = `statuscode eq ${FAILED}${since !== undefined ? ` and completedon ge ${new Date(since).toISOString()}` : ""}`;
  let uri: string | undefined =
    `asyncoperations?$select=asyncoperationid,name,data,completedon&$filter=${encodeURIComponent(filter)}&$orderby=completedon asc`;
  const jobs: ReplayJob[] = [];
  while (uri) {
    const res = await transport.send("GET", uri, { accept: "application/json", prefer: `odata.maxpagesize=${PAGE}` });
    const page = JSON.parse(res.body ?? "{}") as { value?: ReplayJob[]; "@odata.nextLink"?: string };
    jobs.push(...(page.value ?? []));
    uri = page["@odata.nextLink"];
  }
  return jobs;
}

/** The accounts a job's saved record stands for, or why it cannot be replayed. */
async function resolveJob(job: ReplayJob, gateway: WebApiGateway): Promise<JobOutcome> {
  if (!job.data) return { job, accounts: [], problem: "the job holds no webhook payload" };
  try {
    const ctx = parseContext(JSON.parse(job.data.replace(/^\uFEFF/, "")), false);
    const p = await plan(ctx, gateway);
    if (p.kind === "noop") return { job, accounts: [], problem: `nothing to recalculate: ${p.reason}` };
    if (p.kind !== "recalc")
      return {
        job,
        accounts: [],
        problem: `a ${p.kind === "policy" ? "tier policy" : "tier model"} save: save the row again to apply it`,
      };
    return { job, accounts: p.accounts, trigger: p.trigger };
  } catch (e) {
    return { job, accounts: [], problem: (e as Error).message };
  }
}

import { randomUUID } from "node:crypto";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import {
  buildPreviewSample,
  DEFAULT_POLICY_SET,
  isoInstant,
  policyFor,
  rankFacts,
  type PolicySet,
} from "../../src/engine";
import { StaticToken, type TokenProvider } from "../dataverse/token";
import type { RetryPolicy } from "../dataverse/transport";
import { Checkpoint, CheckpointError } from "./checkpoint";
import { DataverseUrlError, RerankClient, serverOf, type Row } from "./client";
import { assembleFacts, readUnits } from "./facts-reader";
import { mergeMatrices, type Matrix } from "./matrix";
import { activeModelRow, modelOf, ModelRowError, storeRankTable } from "./model-row";
import { populationRows, readContactParents, readPopulation } from "./population";
import { factKinds } from "./queries";
import { writeAll } from "./writer";
import { applyProgrammeBulk } from "../programme/bulk";
import { PolicyError, readPolicies, touchPolicies } from "../programme/policies";

export interface RerankOptions {
  /** Environment URL (e.g. http://127.0.0.1:5555) or full Web API base. */
  url: string;
  /** Bearer token (sandbox: optional). */
  token?: string;
  /** Instead of `token`: a provider (client credentials) that refreshes tokens during a long run. */
  tokens?: TokenProvider;
  /** Default: now. Ignored on resume (the checkpoint's as-of holds); a different one is an error. */
  asOf?: number;
  /** Compute and report the movement matrix, write nothing (no checkpoint file either). */
  dryRun?: boolean;
  /** Continue from the checkpoint file. */
  resume?: boolean;
  /** Default .tiering-rerank-checkpoint.json in the current directory. */
  checkpointFile?: string;
  /** Requests in flight at once; default 4. */
  concurrency?: number;
  onProgress?: (done: number, total: number, phase: string) => void;
  signal?: AbortSignal;
  log?: Logger;
  /** FetchXML `aggregatelimit` below Dataverse's 50,000 (tests use it to force the splits). */
  aggregateLimit?: number;
  /** Transport retry policy (tests shorten the back-off). */
  retry?: Partial<RetryPolicy>;
}

export interface RerankSummary {
  asOf: string;
  accounts: number;
  activeInWindow: number;
  changed: number;
  written: number;
  historyRows: number;
  requests: number;
  matrix: Record<string, Record<string, number>>;
  dryRun: boolean;
  /** The run continued from a checkpoint. */
  resumed: boolean;
  /** The model's tier codes, best first (the matrix's order). */
  tiers: string[];
}

/** The options or the environment's data do not allow a run (exit code 2 in the CLI). */
export class RerankInputError extends Error {
  override name = "RerankInputError";
}

export const DEFAULT_CHECKPOINT = ".tiering-rerank-checkpoint.json";

/**
 * The full re-rank (issue 7): reads every active account's facts with grouped FetchXML aggregates, ranks the
 * population, stores the RankTable on the active ct_tiermodel, and writes only the accounts whose tier columns
 * change (UpdateMultiple) plus a ct_tierhistory row per tier change. Every finished step is checkpointed.
 */
export async function runRerank(options: RerankOptions): Promise<RerankSummary> {
  const log = options.log ?? pino({ level: "silent" });
  const dryRun = options.dryRun === true;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const progress = options.onProgress ?? (() => undefined);
  let server: string;
  try {
    server = serverOf(options.url);
  } catch (e) {
    if (e instanceof DataverseUrlError) throw new RerankInputError(e.message);
    throw e;
  }
  const client = new RerankClient({
    url: server,
    tokens: options.tokens ?? new StaticToken(options.token ?? ""),
    retry: options.retry,
    onRetry: (info) => log.warn(info, "retrying Dataverse call"),
  });
  const file = dryRun ? null : (options.checkpointFile ?? join(process.cwd(), DEFAULT_CHECKPOINT));

  let cp: Checkpoint | null = null;
  if (options.resume && file) {
    try {
      cp = Checkpoint.load(file);
    } catch (e) {
      if (e instanceof CheckpointError) throw new RerankInputError(e.message);
      throw e;
    }
    if (cp && cp.header.server !== server)
      throw new RerankInputError(`${file} belongs to a run against ${cp.header.server}, not ${server}`);
    if (cp && options.asOf !== undefined && options.asOf !== cp.header.asOf) {
      throw new RerankInputError(
        `${file} is a run as of ${isoInstant(cp.header.asOf)}; resume it without --as-of or with the same one`,
      );
    }
    if (!cp) log.info({ file }, "no checkpoint to resume: starting a new run");
  }
  const resumed = cp !== null;
  if (!cp) {
    let row;
    try {
      row = await activeModelRow(client, dryRun);
    } catch (e) {
      if (e instanceof ModelRowError) throw new RerankInputError(e.message);
      throw e;
    }
    cp = Checkpoint.fresh(file, {
      v: 1,
      server,
      asOf: options.asOf ?? Date.now(),
      runId: randomUUID(),
      modelId: row.id,
      modelJson: row.json,
    });
  }
  const { asOf, modelId } = cp.header;
  const model = modelOf(cp.header.modelJson, `ct_tiermodel ${modelId ?? "(defaults)"}`);
  log.info({ asOf: isoInstant(asOf), resumed, dryRun }, "re-rank started");

  const accountRows = new Map<number, Row[]>();
  await readPopulation(client, cp, options.signal, (n) => progress(n, n, "accounts"), accountRows);
  const population = populationRows(cp);
  const contactParents = await readContactParents(client, options.signal);
  const policies = await readTouchPolicies(client, log);
  // Touches are counted per cadence of the policies: over-touching is judged against the tier's own cadence.
  const kinds = factKinds(
    model,
    asOf,
    model.tiers.map((t) => policyFor(policies, t.code).cadenceDays),
  );
  await readUnits(
    {
      client,
      cp,
      concurrency,
      population: population.length,
      signal: options.signal,
      aggregateLimit: options.aggregateLimit,
      onUnit: (d, t) => progress(d, t, "facts"),
    },
    kinds,
  );
  const ranked = {
    ...rankFacts(assembleFacts(cp, population, kinds, model, asOf, contactParents), model),
    policies,
  };
  log.info(
    { accounts: population.length, activeInWindow: ranked.table.activeInWindow, requests: client.requests },
    "population ranked",
  );

  if (!dryRun && modelId !== null && !cp.modelStored) {
    options.signal?.throwIfAborted();
    await storeRankTable(client, modelId, cp.header.modelJson, ranked.table, asOf, buildPreviewSample(ranked));
    cp.markModelStored();
  }
  const chunks = await writeAll({
    client,
    cp,
    ranked,
    asOf,
    dryRun,
    concurrency,
    rows: accountRows,
    signal: options.signal,
    onChunk: (d, t) => progress(d, t, "write"),
  });
  if (!dryRun && !cp.programmeDone) {
    // The tier programme (issue 9) for every tier change this run wrote, once: reps for new top-tier accounts,
    // one task per rep, review tasks for accounts that left a rep tier.
    const changes = chunks.flatMap((c) => c.tierChanges ?? []);
    const programme = await applyProgrammeBulk(client.gateway(), changes, asOf, log);
    log.info(
      { tierChanges: changes.length, repTasks: programme.repTasks, reviewTasks: programme.reviewTasks },
      "tier programme applied",
    );
    cp.markProgrammeDone();
  }
  const sum = (f: (s: (typeof chunks)[number]) => number): number => chunks.reduce((n, s) => n + f(s), 0);
  const matrix: Matrix = mergeMatrices(chunks.map((c) => c.matrix));
  const summary: RerankSummary = {
    asOf: isoInstant(asOf),
    accounts: population.length,
    activeInWindow: ranked.table.activeInWindow,
    changed: sum((s) => s.changed),
    written: sum((s) => s.written),
    historyRows: sum((s) => s.historyRows),
    requests: client.requests,
    matrix,
    dryRun,
    resumed,
    tiers: model.tiers.map((t) => t.code),
  };
  if (!dryRun) cp.remove();
  // Counts only: the movement matrix and tier codes are for the operator's terminal, not the log (issue 17).
  const { matrix: _matrix, tiers: _tiers, ...counts } = summary;
  log.info(counts, "re-rank finished");
  return summary;
}

/** The tier policies' touch pattern; a policy sales ops mistyped leaves the defaults (and says so) rather than stop the run. */
async function readTouchPolicies(client: RerankClient, log: Logger): Promise<PolicySet> {
  try {
    return touchPolicies(await readPolicies(client.gateway()));
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    log.error({ err: e.message }, "tier policy unusable: the default touch pattern applies");
    return DEFAULT_POLICY_SET;
  }
}

export { formatMatrix } from "./matrix";

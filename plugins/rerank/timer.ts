import os from "node:os";
import path from "node:path";
import {
  app,
  type InvocationContext,
  type Timer,
  type TimerFunctionOptions,
  type TimerHandler,
} from "@azure/functions";
import { AuthConfigError, authFromEnv, serviceTokens } from "../dataverse/credential";
import type { TokenProvider } from "../dataverse/token";
import { TOKEN_CHARS } from "../config";
import { createLogger } from "../log";
import { runRerank, type RerankOptions, type RerankSummary } from "./index";

/** Every night at 02:00 UTC (NCRONTAB: second minute hour day month weekday). */
export const DEFAULT_SCHEDULE = "0 0 2 * * *";

export interface TimerConfig {
  url: string;
  tokens: TokenProvider;
  checkpointFile: string;
  concurrency: number;
  logLevel: string;
}

export class TimerConfigError extends Error {
  override name = "TimerConfigError";
}

/**
 * The timer's settings from the Function App's application settings: DATAVERSE_URL and the sign-in settings, read as
 * the webhook service reads them (dataverse/credential.ts authFromEnv); the errors name a setting, never its value.
 */
export function readTimerConfig(env: NodeJS.ProcessEnv = process.env): TimerConfig {
  const url = env.DATAVERSE_URL?.trim();
  if (!url) throw new TimerConfigError("DATAVERSE_URL: is required");
  // The token goes to this URL: plain http only to a loopback stand-in (issue 17).
  if (!/^https:\/\//i.test(url) && !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/i.test(url))
    throw new TimerConfigError("DATAVERSE_URL: must use https (plain http only to localhost)");
  let tokens: TokenProvider;
  if (env.DATAVERSE_TOKEN && !TOKEN_CHARS.test(env.DATAVERSE_TOKEN))
    throw new TimerConfigError("DATAVERSE_TOKEN: holds a character a bearer token cannot carry (RFC 6750 b64token)");
  try {
    tokens = serviceTokens(authFromEnv(env), url);
  } catch (err) {
    if (err instanceof AuthConfigError) throw new TimerConfigError(err.message);
    throw err;
  }
  const concurrency = Number(env.CT_RERANK_CONCURRENCY ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32)
    throw new TimerConfigError("CT_RERANK_CONCURRENCY: must be a whole number 1..32");
  return {
    url,
    tokens,
    // The instance's local disk: an invocation stopped by the host's time limit leaves it for the next one.
    checkpointFile: env.CT_RERANK_CHECKPOINT ?? path.join(os.tmpdir(), "tiering-rerank-checkpoint.json"),
    concurrency,
    logLevel: env.LOG_LEVEL ?? "info",
  };
}

/**
 * The scheduled re-rank: the same runRerank as `tiering rerank`, always with resume, so an invocation cut short by
 * the Functions time limit is finished by the next one instead of started over.
 * https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer?pivots=programming-language-javascript
 */
export function rerankTimerHandler(
  getConfig: () => TimerConfig = () => readTimerConfig(),
  run: (o: RerankOptions) => Promise<RerankSummary> = runRerank,
): TimerHandler {
  return async (timer: Timer, context: InvocationContext): Promise<void> => {
    const config = getConfig();
    if (timer.isPastDue) context.log("re-rank timer is past due: running now");
    const summary = await run({
      url: config.url,
      tokens: config.tokens,
      resume: true,
      checkpointFile: config.checkpointFile,
      concurrency: config.concurrency,
      log: createLogger(config.logLevel),
    });
    context.log(
      `re-rank as of ${summary.asOf}${summary.resumed ? " (resumed)" : ""}: ${summary.accounts} accounts, ${summary.written} written, ` +
        `${summary.historyRows} tier changes, ${summary.requests} Web API requests`,
    );
  };
}

export const rerankTimer: TimerFunctionOptions = {
  schedule: process.env.CT_RERANK_SCHEDULE?.trim() || DEFAULT_SCHEDULE,
  handler: rerankTimerHandler(),
};

app.timer("ctTieringRerank", rerankTimer);

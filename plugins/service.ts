import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PluginConfig } from "./config";
import { WebApiGateway, type DataverseGateway } from "./dataverse/gateway";
import { serviceTokens } from "./dataverse/credential";
import type { TokenProvider } from "./dataverse/token";
import { HttpTransport, type RetryPolicy } from "./dataverse/transport";
import { createLogger, type Logger } from "./log";
import { ModelCache } from "./recalc/model-cache";
import { Recalculator } from "./recalc/recalculate";
import { runRerank } from "./rerank/index";
import { RerankScheduler } from "./rerank/scheduler";
import { handleWebhook, type WebhookRequest, type WebhookResponse } from "./webhook/handler";

export interface Service {
  handle(req: WebhookRequest): Promise<WebhookResponse>;
  logger: Logger;
  config: PluginConfig;
  /** The re-rank a tier model save brings forward. */
  rerank?: RerankScheduler;
}

export interface ServiceOptions {
  logger?: Logger;
  gateway?: DataverseGateway;
  retry?: Partial<RetryPolicy>;
  now?: () => number;
  /** What a tier model save runs (tests stand in for it); default: the full re-rank against the same Dataverse. */
  rerank?: (log: Logger) => Promise<unknown>;
}

export function tokenProvider(config: PluginConfig): TokenProvider {
  return serviceTokens(config.auth, config.dataverseUrl);
}

/** Everything the service must never write out. */
export function serviceSecrets(config: PluginConfig): string[] {
  const a = config.auth;
  const secret = a.kind === "token" ? a.token : a.clientSecret;
  return secret ? [...config.webhookKeys, secret] : [...config.webhookKeys];
}

/** Wires config → transport → gateway → recalculator → handler; both hosts call this once. */
export function createService(config: PluginConfig, opts: ServiceOptions = {}): Service {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const transport = new HttpTransport({
    server: config.dataverseUrl,
    tokens: tokenProvider(config),
    retry: opts.retry,
    onRetry: (info) => logger.warn(info, "retrying Dataverse call"),
  });
  const gateway = opts.gateway ?? new WebApiGateway(transport);
  const recalculator = new Recalculator(
    gateway,
    new ModelCache(gateway),
    opts.now,
    undefined,
    config.shedding.maxQueuePerAccount,
  );
  // The same job as the timer (plugins/rerank/timer.ts), with a checkpoint of its own.
  const rerank = new RerankScheduler(
    opts.rerank ??
      ((log) =>
        runRerank({
          url: config.dataverseUrl,
          tokens: tokenProvider(config),
          checkpointFile: join(tmpdir(), `tiering-rerank-on-save-${process.pid}.json`),
          asOf: opts.now?.(),
          log,
        })),
  );
  const deps = {
    webhookKeys: config.webhookKeys,
    gateway,
    recalculator,
    logger,
    deadlineMs: config.deadlineMs,
    now: opts.now,
    rerank,
    retryAfterSeconds: config.shedding.retryAfterSeconds,
    secrets: serviceSecrets(config),
  };
  return { handle: (req) => handleWebhook(req, deps), logger, config, rerank };
}

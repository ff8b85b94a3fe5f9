import type { PluginConfig } from "./config";
import { WebApiGateway, type DataverseGateway } from "./dataverse/gateway";
import { ClientCredentialsToken, StaticToken, type TokenProvider } from "./dataverse/token";
import { FetchTransport, type RetryPolicy } from "./dataverse/transport";
import { createLogger, type Logger } from "./log";
import { ModelCache } from "./recalc/model-cache";
import { Recalculator } from "./recalc/recalculate";
import { handleWebhook, type WebhookRequest, type WebhookResponse } from "./webhook/handler";

export interface Service {
  handle(req: WebhookRequest): Promise<WebhookResponse>;
  logger: Logger;
  config: PluginConfig;
}

export interface ServiceOptions {
  logger?: Logger;
  gateway?: DataverseGateway;
  retry?: Partial<RetryPolicy>;
  now?: () => number;
}

export function tokenProvider(config: PluginConfig): TokenProvider {
  const a = config.auth;
  return a.kind === "token"
    ? new StaticToken(a.token)
    : new ClientCredentialsToken({ ...a, resource: config.dataverseUrl });
}

/** Everything the service must never write out. */
export function serviceSecrets(config: PluginConfig): string[] {
  const a = config.auth;
  return [...config.webhookKeys, a.kind === "token" ? a.token : a.clientSecret];
}

/** Wires config → transport → gateway → recalculator → handler; both hosts call this once. */
export function createService(config: PluginConfig, opts: ServiceOptions = {}): Service {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const transport = new FetchTransport({
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
  const deps = {
    webhookKeys: config.webhookKeys,
    gateway,
    recalculator,
    logger,
    deadlineMs: config.deadlineMs,
    retryAfterSeconds: config.shedding.retryAfterSeconds,
    secrets: serviceSecrets(config),
  };
  return { handle: (req) => handleWebhook(req, deps), logger, config };
}

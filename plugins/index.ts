/** Public surface of the plugin service for `npm start`, tests and other hosts. */
import { readConfig, type PluginConfig } from "./config";
import type { Logger } from "./log";
import { createWebhookServer, listen, shutdown } from "./server";
import { createService, type Service, type ServiceOptions } from "./service";
import { WEBHOOK_PATH } from "./webhook/handler";

export { readConfig, ConfigError, type PluginConfig } from "./config";
export { createService, type Service, type ServiceOptions } from "./service";
export { createWebhookServer, listen, shutdown } from "./server";
export {
  handleWebhook,
  MAX_BODY_BYTES,
  PROBE_HEADER,
  WEBHOOK_PATH,
  type WebhookRequest,
  type WebhookResponse,
} from "./webhook/handler";
export { KEY_HEADER } from "./webhook/auth";
export { createLogger } from "./log";
export { developerTokens, serviceTokens, authFromEnv, type ServiceAuth } from "./dataverse/credential";
export { failed, runDoctor, type CheckResult, type DoctorOptions, type Expectations, type Status } from "./doctor";
export { registerSteps, type RegisterStepsOptions, type RegisterStepsSummary } from "./register-steps";
export { replayFailedJobs, type ReplayOptions, type ReplaySummary, type ReplayJob } from "./replay";
export { redact, redactedMessage, REDACTED } from "./redact";
export { TOKEN_CHARS } from "./config";
export { DataverseHttpError } from "./dataverse/errors";
export {
  DEFAULT_CHECKPOINT,
  formatMatrix,
  RerankInputError,
  runRerank,
  type RerankOptions,
  type RerankSummary,
} from "./rerank";

export interface RunningPlugin {
  /** The webhook URL, e.g. http://127.0.0.1:7071/api/webhook */
  url: string;
  port: number;
  service: Service;
  close(): Promise<void>;
}

/**
 * Starts the standalone server in-process (what `npm run plugin` does, minus signal handling). Configuration comes
 * from `env` (default process.env) with the same variables; `port` 0 picks a free port.
 */
export async function startPlugin(
  opts: { env?: NodeJS.ProcessEnv; port?: number; logger?: Logger } & Pick<ServiceOptions, "now" | "retry"> = {},
): Promise<RunningPlugin> {
  const config: PluginConfig = readConfig(opts.env ?? process.env);
  const service = createService(config, { logger: opts.logger, now: opts.now, retry: opts.retry });
  const server = createWebhookServer(service);
  const port = await listen(server, opts.port ?? config.port, config.host);
  return { url: `http://${config.host}:${port}${WEBHOOK_PATH}`, port, service, close: () => shutdown(server) };
}

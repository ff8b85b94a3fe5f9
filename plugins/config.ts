import { z } from "zod";
import { AuthConfigError, authFromEnv, type ServiceAuth } from "./dataverse/credential";
import { TOKEN_CHARS } from "./token-chars";

/** Everything the service reads from the environment (issue 4), validated once at start-up. */
export interface PluginConfig {
  port: number;
  /** Interface the standalone server binds; loopback unless HOST says otherwise (e.g. 0.0.0.0 in a container). */
  host: string;
  /** Accepted webhook keys: the current one and, during a rotation, the next one. */
  webhookKeys: string[];
  dataverseUrl: string;
  /** How the service signs in to Dataverse (dataverse/credential.ts): managed identity and the like, or a fixed token. */
  auth: ServiceAuth;
  /** Whole-request budget; Dataverse gives a webhook 60 s, so answer well before. */
  deadlineMs: number;
  logLevel: string;
  /** Load shedding (issue 17): beyond these the service answers 503 with Retry-After, which Dataverse retries. */
  shedding: SheddingConfig;
}

export interface SheddingConfig {
  /** Webhook requests in flight at once in this process; /healthz is not counted. */
  maxInFlight: number;
  /** Saves of one account waiting behind its running recalculation (they share one waiting recalculation). */
  maxQueuePerAccount: number;
  /** Seconds Retry-After asks a shed caller to wait. */
  retryAfterSeconds: number;
}

/**
 * Defaults (docs/reliability-load.md), sized from `npm run load` on a quiet 2-core machine (60 s per rate): with 64
 * in flight, 300 deliveries/s shed 3 % with an accepted p99 of 0.7 s, 600/s kept p99 at 1.9 s and RSS under 300 MB;
 * with 256 nothing was shed at 600/s and p99 reached 28 s (RSS 359 MB). A shed delivery gets 503 and Dataverse
 * retries it. Waiting saves of one account share one recalculation, so 32 of them cost little; the cap keeps one
 * account from filling the process.
 */
export const DEFAULT_SHEDDING: SheddingConfig = { maxInFlight: 64, maxQueuePerAccount: 32, retryAfterSeconds: 5 };

export class ConfigError extends Error {
  override name = "ConfigError";
}

export { TOKEN_CHARS };

const LOOPBACK_HTTP = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/i;

const url = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(7071),
  HOST: z.string().min(1).default("127.0.0.1"),
  CT_WEBHOOK_KEY: z.string().trim().min(16, "must be at least 16 characters"),
  CT_WEBHOOK_KEY_NEXT: z.string().trim().min(16, "must be at least 16 characters").optional(),
  DATAVERSE_URL: url.refine(
    (u) => u.startsWith("https:") || LOOPBACK_HTTP.test(u),
    "must use https (plain http only to localhost): the token travels with every call",
  ),
  DATAVERSE_TOKEN: z
    .string()
    .min(1)
    .regex(TOKEN_CHARS, "holds a character a bearer token cannot carry (RFC 6750 b64token)")
    .optional(),
  DATAVERSE_AUTHORITY_HOST: url.optional(),
  AZURE_AUTHORITY_HOST: url.optional(),
  CT_DEADLINE_MS: z.coerce.number().int().min(1000).max(55_000).default(45_000),
  CT_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_SHEDDING.maxInFlight),
  CT_MAX_QUEUE_PER_ACCOUNT: z.coerce.number().int().min(0).max(10_000).default(DEFAULT_SHEDDING.maxQueuePerAccount),
  CT_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(DEFAULT_SHEDDING.retryAfterSeconds),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

/** Reads the configuration; the error names the variable, never its value (it may be a secret). */
export function readConfig(env: NodeJS.ProcessEnv = process.env): PluginConfig {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `${issue.path.join(".") || "environment"}: ${issue.code === "invalid_type" ? "is required" : issue.message}`,
    );
  }
  const e = parsed.data;
  let auth: ServiceAuth;
  try {
    auth = authFromEnv(env);
  } catch (err) {
    if (err instanceof AuthConfigError) throw new ConfigError(err.message);
    throw err;
  }
  return {
    port: e.PORT,
    host: e.HOST,
    webhookKeys: [e.CT_WEBHOOK_KEY, ...(e.CT_WEBHOOK_KEY_NEXT ? [e.CT_WEBHOOK_KEY_NEXT] : [])],
    dataverseUrl: e.DATAVERSE_URL.replace(/\/+$/, ""),
    auth,
    deadlineMs: e.CT_DEADLINE_MS,
    logLevel: e.LOG_LEVEL,
    shedding: {
      maxInFlight: e.CT_MAX_IN_FLIGHT,
      maxQueuePerAccount: e.CT_MAX_QUEUE_PER_ACCOUNT,
      retryAfterSeconds: e.CT_RETRY_AFTER_SECONDS,
    },
  };
}

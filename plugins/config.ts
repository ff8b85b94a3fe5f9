import { z } from "zod";
import { AuthConfigError, authFromEnv, type ServiceAuth } from "./dataverse/credential";

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
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const url = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(7071),
  HOST: z.string().min(1).default("127.0.0.1"),
  CT_WEBHOOK_KEY: z.string().trim().min(16, "must be at least 16 characters"),
  CT_WEBHOOK_KEY_NEXT: z.string().trim().min(16, "must be at least 16 characters").optional(),
  DATAVERSE_URL: url,
  DATAVERSE_AUTHORITY_HOST: url.optional(),
  AZURE_AUTHORITY_HOST: url.optional(),
  CT_DEADLINE_MS: z.coerce.number().int().min(1000).max(55_000).default(45_000),
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
  };
}

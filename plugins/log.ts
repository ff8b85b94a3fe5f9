import pino, { type DestinationStream, type Logger } from "pino";

/**
 * Structured logs: one JSON line per event with CorrelationId, OperationId, entity and message.
 * Secrets are redacted by key wherever they appear; amounts are never logged next to a customer name
 * (the service logs account ids, never names).
 */
export const REDACT_PATHS = [
  "key",
  "code",
  "token",
  "accessToken",
  "access_token",
  "clientSecret",
  "client_secret",
  "authorization",
  "headers.authorization",
  "headers['x-ct-webhook-key']",
  "*.key",
  "*.token",
  "*.authorization",
  "*.clientSecret",
];

export function createLogger(level = "info", destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "ct-tiering-plugin" },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };

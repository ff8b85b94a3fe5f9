// The service's text-safety exports without the service: what the CLI needs on every run (redaction, the token
// check), importable without loading zod, @azure/identity and the Dataverse client that plugins/index.ts brings.
export { redact, redactedMessage, REDACTED } from "./redact";
export { TOKEN_CHARS } from "./token-chars";

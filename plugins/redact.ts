/**
 * One place that takes secrets out of text meant for people: error messages, log lines and CLI output (issue 17).
 * Known secrets (the configured token, keys) are replaced wherever they appear; bearer tokens, `code=` / `key=`
 * query values and `client_secret=` form values are replaced by shape, so a secret we were not told about (an
 * Entra token, a key typed into the wrong argument) is caught too.
 */
export const REDACTED = "[redacted]";

const SHAPES: RegExp[] = [
  /(\bBearer\s+)[^\s"',;]+/gi,
  /([?&](?:code|key|sig|token|access_token|client_secret)=)[^&#\s"']+/gi,
  /(\bclient_secret=)[^&\s"']+/gi,
  /(\bx-ct-webhook-key["']?\s*[:=]\s*["']?)[^\s"',;]+/gi,
];

export function redact(text: string, secrets: readonly (string | undefined | null)[] = []): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  for (const s of [...secrets].filter((x): x is string => !!x && x.length >= 4).sort((a, b) => b.length - a.length))
    out = out.split(s).join(REDACTED);
  for (const re of SHAPES) out = out.replace(re, `$1${REDACTED}`);
  return out;
}

/** An error's message, redacted; never its stack (it may hold the same secret again). */
export function redactedMessage(e: unknown, secrets: readonly (string | undefined | null)[] = []): string {
  return redact(e instanceof Error ? e.message : String(e), secrets);
}

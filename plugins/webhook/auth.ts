import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Dataverse sends the webhook key either as `?code=KEY` (WebhookKey auth) or in a header of the registration's
 * choosing (HttpHeader auth; ours is `x-ct-webhook-key`).
 * https://learn.microsoft.com/power-apps/developer/data-platform/register-web-hook#authentication-options
 */
export const KEY_HEADER = "x-ct-webhook-key";

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. Every accepted key is checked. */
export function keyMatches(presented: string | null | undefined, accepted: readonly string[]): boolean {
  if (presented == null || presented === "") return false;
  const p = digest(presented);
  let ok = false;
  for (const key of accepted) ok = timingSafeEqual(p, digest(key)) || ok;
  return ok;
}

export function presentedKey(
  query: URLSearchParams,
  header: (name: string) => string | null | undefined,
): string | null {
  return header(KEY_HEADER) ?? query.get("code");
}

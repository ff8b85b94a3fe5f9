import { TOKEN_CHARS } from "../plugins/text-safety";
import { UsageError } from "./command";

/**
 * Options that carry or point at secrets (issue 17). Errors say what is wrong with a value without repeating it:
 * a key pasted into --url, or a URL carrying ?code=, must not end up on a terminal or in a CI log.
 */

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);
/** Query parameters that hold a key or token: a webhook key (?code=), a SAS signature, a token. */
const SECRET_PARAMS = ["code", "key", "sig", "token", "access_token", "client_secret"];

export const isLoopback = (url: URL): boolean => LOOPBACK.has(url.hostname);

/**
 * An absolute https URL; plain http only to a loopback host (a local stand-in), since the token or key sent with
 * it would otherwise cross the network in cleartext. No user-info and no secret in the query.
 */
export function secureUrlOption(value: string | undefined, name: string): URL {
  if (value === undefined || value === "") throw new UsageError(`--${name} is required`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${name} is not an absolute URL (value not shown: it may be a secret)`);
  }
  const shown = `${url.protocol}//${url.host}`;
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url)))
    throw new UsageError(
      `--${name} ${shown} must use https (plain http is allowed only to localhost / 127.0.0.1 / [::1])`,
    );
  if (url.username || url.password) throw new UsageError(`--${name} ${shown} must not carry a user name or password`);
  const carried = SECRET_PARAMS.filter((p) => url.searchParams.has(p));
  if (carried.length)
    throw new UsageError(
      `--${name} ${shown}… carries a secret in its query (${carried.map((p) => `${p}=`).join(", ")}); pass keys with their own option`,
    );
  return url;
}

/** The access token from --token or DATAVERSE_TOKEN, checked to hold only bearer-token characters (RFC 6750). */
export function tokenOption(value: string | undefined): string {
  const token = optionalTokenOption(value);
  if (!token) throw new UsageError("no access token: pass --token or set DATAVERSE_TOKEN");
  return token;
}

/** As tokenOption, for a command that may also run without a token (a local stand-in). */
export function optionalTokenOption(value: string | undefined): string | undefined {
  const token = value ?? process.env.DATAVERSE_TOKEN;
  if (token && !TOKEN_CHARS.test(token))
    throw new UsageError(
      `${value !== undefined ? "--token" : "DATAVERSE_TOKEN"} holds a character an access token cannot carry (token not shown)`,
    );
  return token;
}

/** Values of --token / --key in argv, and the secrets in the environment: what the CLI's output must never hold. */
export function secretsIn(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  argv.forEach((a, i) => {
    const m = /^--(token|key|client-secret)(?:=(.*))?$/.exec(a);
    if (m) out.push(m[2] ?? argv[i + 1] ?? "");
  });
  for (const v of ["DATAVERSE_TOKEN", "CT_WEBHOOK_KEY", "CT_WEBHOOK_KEY_NEXT", "DATAVERSE_CLIENT_SECRET"])
    if (env[v]) out.push(env[v]!);
  return out.filter((s) => s.length >= 4);
}

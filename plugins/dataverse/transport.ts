import type { WebApiRequest, WebApiResponse } from "dataverse-ify/lib/webapi/WebApiRequest";
import { currentDeadline, DeadlineExceeded } from "./deadline";
import { errorFromBody } from "./errors";
import { httpExchange, type HttpAnswer } from "./http-exchange";
import type { TokenProvider } from "./token";

type Method = "POST" | "PATCH" | "PUT" | "GET" | "DELETE";

export interface RetryPolicy {
  maxAttempts: number;
  /** First back-off step; each retry doubles it up to maxDelayMs, and the wait is drawn at random below it (full jitter). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Time kept in hand after the last try to answer the webhook. */
  reserveMs: number;
  /** One attempt may take this long, so a stalled connection leaves time for another. */
  attemptTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  reserveMs: 1500,
  attemptTimeoutMs: 20_000,
};

export interface TransportOptions {
  server: string;
  apiVersion?: string;
  tokens: TokenProvider;
  retry?: Partial<RetryPolicy>;
  /** Injected in tests so back-off is deterministic. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: { request: string; status: number | string; attempt: number; waitMs: number }) => void;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `Retry-After` in seconds or as an HTTP date; Dataverse's service protection limits send seconds.
 * https://learn.microsoft.com/power-apps/developer/data-platform/api-limits#retry-operations
 */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | null {
  if (header == null || header.trim() === "") return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * The HTTP leg under dataverse-ify's WebApiBase (its `WebApiRequest` interface) and under our `$batch` writes:
 * bearer token, 429 with `Retry-After`, 5xx and network failures with exponential back-off and full jitter, one
 * token refresh on 401, all within the current request's deadline. Non-2xx answers that remain become
 * DataverseHttpError; `request()` hands them back instead for callers that read error bodies themselves ($batch).
 */
export class HttpTransport implements WebApiRequest {
  readonly server: string;
  readonly apiVersion: string;
  private readonly policy: RetryPolicy;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: TransportOptions) {
    this.server = opts.server.replace(/\/+$/, "");
    this.apiVersion = opts.apiVersion ?? "9.2";
    this.policy = { ...DEFAULT_RETRY, ...opts.retry };
    this.random = opts.random ?? Math.random;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  get apiRoot(): string {
    return `${this.server}/api/data/v${this.apiVersion}/`;
  }

  /** dataverse-ify's entry point: throws for a non-2xx answer. */
  async send(
    method: Method,
    uri: string,
    headers: Record<string, string>,
    payload?: unknown,
    skipStringify?: boolean,
  ): Promise<WebApiResponse> {
    const body =
      method === "GET" || method === "DELETE" || payload === undefined
        ? undefined
        : skipStringify
          ? String(payload)
          : JSON.stringify(payload);
    const res = await this.request(method, uri, headers, body);
    if (!res.ok) throw errorFromBody(res.status, res.body, describe(method, uri));
    return res;
  }

  async request(method: Method, uri: string, headers: Record<string, string>, body?: string): Promise<WebApiResponse> {
    const url = uri.startsWith("http") ? uri : uri.startsWith("/") ? `${this.server}${uri}` : `${this.apiRoot}${uri}`;
    const what = describe(method, url);
    const deadline = currentDeadline();
    let refreshedToken = false;
    for (let attempt = 1; ; attempt++) {
      if (deadline?.expired()) throw new DeadlineExceeded(what);
      const h: Record<string, string> = {};
      // The pool manages the connection; a caller's `Connection` header would fight it.
      for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() !== "connection") h[k.toLowerCase()] = v;
      h.authorization = `Bearer ${await this.opts.tokens.get()}`;
      let status: number | string;
      let res: HttpAnswer | undefined;
      const signal = AbortSignal.timeout(
        Math.max(1, Math.min(this.policy.attemptTimeoutMs, deadline ? deadline.remaining() : Infinity)),
      );
      try {
        res = await httpExchange.send({ method, url, headers: h, body, signal });
        status = res.status;
      } catch {
        if (deadline?.expired()) throw new DeadlineExceeded(what);
        status = signal.aborted ? "timeout" : "network error";
      }
      if (res && res.status === 401 && !refreshedToken) {
        refreshedToken = true;
        this.opts.tokens.invalidate();
        continue;
      }
      const retriable = res === undefined || res.status === 429 || res.status >= 500;
      if (res && !retriable) return toResponse(res);
      let wait: number;
      if (res?.status === 429) {
        wait = retryAfterMs(res.headers["retry-after"] ?? null) ?? this.backoff(attempt);
      } else {
        wait = this.backoff(attempt);
      }
      const timeLeft = deadline ? deadline.remaining() - this.policy.reserveMs : Infinity;
      if (attempt >= this.policy.maxAttempts || wait > timeLeft) {
        if (res) return toResponse(res);
        throw new Error(`${what}: ${status} after ${attempt} attempt${attempt > 1 ? "s" : ""}`);
      }
      this.opts.onRetry?.({ request: what, status, attempt, waitMs: wait });
      await this.sleep(wait);
    }
  }

  private backoff(attempt: number): number {
    const cap = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(this.random() * cap);
  }
}

function toResponse(res: HttpAnswer): WebApiResponse {
  const ok = res.status >= 200 && res.status < 300;
  return { status: res.status, statusText: res.statusText, ok, headers: res.headers, body: res.body, data: {} };
}

/** Method and path without the query: FetchXML in a query string is long and may hold ids, not secrets, but is noise. */
function describe(method: string, url: string): string {
  const q = url.indexOf("?");
  return `${method} ${q >= 0 ? url.slice(0, q) : url}`;
}

import { randomUUID } from "node:crypto";
import { Deadline, DeadlineExceeded, withDeadline } from "../dataverse/deadline";
import { ConcurrencyConflict, DataverseHttpError } from "../dataverse/errors";
import type { DataverseGateway } from "../dataverse/gateway";
import type { Logger } from "../log";
import { redact } from "../redact";
import { TierCodeError } from "../recalc/account-fields";
import { Overloaded } from "../keyed-lock";
import { ModelRowError } from "../recalc/model-cache";
import { applyPolicy, type PolicyApplied } from "../recalc/policy-update";
import type { RecalcResult, Recalculator } from "../recalc/recalculate";
import { keyMatches, presentedKey } from "./auth";
import { parseContext, PayloadError, type WebhookContext } from "./context";
import { plan, UnresolvableEvent } from "./routing";

export const MAX_BODY_BYTES = 1024 * 1024;
export const WEBHOOK_PATH = "/api/webhook";
/**
 * The no-op probe (`tiering doctor`, docs/deploy.md): a POST with the webhook key and this header is answered
 * 200 {"result":"probe"} without reading the body or touching data; without the key it gets the usual 401.
 */
export const PROBE_HEADER = "x-ct-probe";

/** A request as both hosts can describe it. */
export interface WebhookRequest {
  method: string;
  query: URLSearchParams;
  header(name: string): string | null | undefined;
  /** Reads the body up to MAX_BODY_BYTES, or says "too-large"; called only once the caller is authenticated. */
  readBody(): Promise<Buffer | "too-large">;
}

export interface WebhookResponse {
  status: number;
  body: Record<string, unknown>;
  /** Extra response headers (Retry-After on a 503). */
  headers?: Record<string, string>;
}

/** Seconds Dataverse is asked to wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 30;

export interface HandlerDeps {
  webhookKeys: readonly string[];
  gateway: DataverseGateway;
  recalculator: Recalculator;
  logger: Logger;
  deadlineMs: number;
  /** The engine's clock (due dates of a policy save); wall-clock when absent. */
  now?: () => number;
  /** Brings the re-rank forward when the tier model is saved; absent: the next scheduled run picks the model up. */
  rerank?: { request(reason: string, log: Logger): "started" | "queued" };
  /** Retry-After on a shed request (503); default 5 s. */
  retryAfterSeconds?: number;
  /** Secrets the service holds (token, client secret, webhook keys): never in a log line or an answer. */
  secrets?: readonly string[];
}

const reply = (status: number, body: Record<string, unknown>): WebhookResponse => ({ status, body });
/** What a retry can fix: Dataverse retries a 503 (and 502, 504), and Retry-After says when. */
const retryable = (error: string): WebhookResponse => ({
  status: 503,
  body: { error },
  headers: { "Retry-After": String(RETRY_AFTER_SECONDS) },
});

/** Dataverse's own headers on a webhook call, for the log. https://learn.microsoft.com/power-apps/developer/data-platform/use-webhooks#request-headers */
const DATAVERSE_HEADERS = [
  "x-ms-dynamics-organization",
  "x-ms-dynamics-entity-name",
  "x-ms-dynamics-request-name",
  "x-ms-correlation-request-id",
];

/**
 * The webhook: authenticate, validate, route, recalculate, and answer 2xx only once every write committed, so a
 * failure shows up in Dataverse as a failed System Job.
 */
export async function handleWebhook(req: WebhookRequest, deps: HandlerDeps): Promise<WebhookResponse> {
  const requestId = randomUUID();
  let log = deps.logger.child({ requestId });
  if (req.method !== "POST")
    return reply(405, { error: `method ${req.method} not allowed; POST a RemoteExecutionContext` });
  if (
    !keyMatches(
      presentedKey(req.query, (n) => req.header(n)),
      deps.webhookKeys,
    )
  ) {
    log.warn("webhook call without a valid key");
    return reply(401, { error: "missing or wrong webhook key" });
  }
  if (req.header(PROBE_HEADER) != null) {
    log.info("probe answered");
    return reply(200, { result: "probe" });
  }
  const body = await req.readBody();
  if (body === "too-large") return reply(413, { error: `body over ${MAX_BODY_BYTES} bytes` });
  let json: unknown;
  try {
    // .NET serializers may lead with a byte-order mark.
    json = JSON.parse(body.toString("utf8").replace(/^\uFEFF/, ""));
  } catch (e) {
    return reply(400, { error: `body is not JSON: ${(e as Error).message}` });
  }
  const sizeExceeded = req.header("x-ms-dynamics-msg-size-exceeded") != null;
  let ctx: WebhookContext;
  try {
    ctx = parseContext(json, sizeExceeded);
  } catch (e) {
    if (e instanceof PayloadError) return reply(400, { error: `not a RemoteExecutionContext: ${e.message}` });
    throw e;
  }
  const dataverse = Object.fromEntries(
    DATAVERSE_HEADERS.map((h) => [h, req.header(h) ?? undefined]).filter(([, v]) => v),
  );
  log = log.child({
    CorrelationId: ctx.correlationId,
    OperationId: ctx.operationId,
    entity: ctx.entity,
    message: ctx.message,
    entityId: ctx.entityId,
  });
  log.info({ depth: ctx.depth, stripped: ctx.stripped, dataverse }, "webhook received");

  // Wall-clock, whatever clock the engine is given: this is about Dataverse's patience.
  const deadline = Deadline.in(deps.deadlineMs);
  let timer: NodeJS.Timeout | undefined;
  try {
    const work = withDeadline(deadline, async (): Promise<RecalcResult[] | PolicyApplied | string> => {
      const p = await plan(ctx, deps.gateway);
      if (p.kind === "noop") return p.reason;
      if (p.kind === "policy") {
        deps.recalculator.policies.invalidate();
        return applyPolicy(deps.gateway, p.policyId, (deps.now ?? Date.now)(), log);
      }
      if (p.kind === "rerank") {
        if (!deps.rerank) return "tier model saved; the next scheduled re-rank uses it";
        return `tier model saved: re-rank ${deps.rerank.request(`ct_tiermodel ${p.modelId} saved`, log)}`;
      }
      log.info({ accounts: p.accounts, trigger: p.trigger, via: p.via }, "recalculating");
      return Promise.all(p.accounts.map((id) => deps.recalculator.recalculate(id, p.trigger, log)));
    });
    // Work queued behind other saves of the same account must not hold the answer past the deadline either; if it
    // commits after a 504, Dataverse's retry finds nothing left to change.
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineExceeded(`${ctx.message} of ${ctx.entity}`)), deadline.remaining());
    });
    work.catch(() => undefined);
    const results = await Promise.race([work, expired]);
    if (typeof results === "string") {
      log.info({ reason: results }, "no-op");
      return reply(200, { result: "noop", reason: results });
    }
    if (!Array.isArray(results)) {
      log.info({ policy: results }, "done");
      return reply(200, { result: "ok", policy: results });
    }
    // Ids and outcomes only: whoever holds the webhook key must not learn a tier from the answer (issue 17).
    const accounts = results.map(publicResult);
    log.info({ results: accounts }, "done");
    // A deleted account is an outcome, not an error: 200, so the System Job succeeds and `tiering replay` clears it.
    if (results.length > 0 && results.every((r) => r.outcome === "missing"))
      return reply(200, { result: "account gone", accounts: results.map((r) => ({ accountId: r.accountId })) });
    return reply(200, { result: "ok", accounts });
  } catch (e) {
    return failure(e, log, deps.retryAfterSeconds ?? 5, deps.secrets ?? deps.webhookKeys);
  } finally {
    clearTimeout(timer);
  }
}

/** What a log line and an answer may say about a recalculation: no tier, no rep, nothing a tier implies. */
export function publicResult(r: RecalcResult): Record<string, unknown> {
  return {
    accountId: r.accountId,
    outcome: r.outcome,
    ...(r.tierChanged === undefined ? {} : { tierChanged: r.tierChanged }),
    attempts: r.attempts,
  };
}

/** The answer to a request shed under load: a 503 is a transient failure the caller retries (https://learn.microsoft.com/power-apps/developer/data-platform/use-webhooks). */
export function shed(reason: string, retryAfterSeconds: number): WebhookResponse {
  return {
    status: 503,
    body: { error: `overloaded: ${reason}; retry later` },
    headers: { "retry-after": String(retryAfterSeconds) },
  };
}

function failure(e: unknown, log: Logger, retryAfterSeconds: number, secrets: readonly string[]): WebhookResponse {
  if (e instanceof Overloaded) {
    log.warn({ err: e.message }, "shed: account queue full");
    return shed(e.message, retryAfterSeconds);
  }
  if (e instanceof UnresolvableEvent) {
    log.warn({ err: e.message }, "event cannot be resolved to an account");
    return reply(422, { error: e.message });
  }
  if (e instanceof DeadlineExceeded) {
    log.error({ err: e.message }, "deadline exceeded");
    return reply(504, { error: e.message });
  }
  if (e instanceof ConcurrencyConflict) {
    log.error({ err: e.message }, "account kept changing; gave up");
    return retryable(`the account kept changing while it was recalculated (412); a retry reads it again`);
  }
  // Statuses: Dataverse retries a webhook that answers 502, 503 or 504 and not one that answers another status;
  // the System Job shows the status line and our message to the admin.
  // https://learn.microsoft.com/power-apps/developer/data-platform/use-webhooks#troubleshooting
  if (e instanceof DataverseHttpError) {
    const message = redact(e.message, secrets);
    log.error({ status: e.status, code: e.code, err: message }, "Dataverse call failed");
    // e.message carries the request line, status, code and Dataverse's error message: never a response body.
    if (e.transient) return retryable(`Dataverse is unavailable or throttling: ${message}`);
    return reply(500, { error: `Dataverse refused a request (not retried; fix and resubmit): ${message}` });
  }
  if (e instanceof ModelRowError || e instanceof TierCodeError) {
    log.error({ err: e.message }, "tier model cannot be used");
    return reply(500, { error: `invalid tier model (not retried; fix the ct_tiermodel row): ${e.message}` });
  }
  log.error(
    {
      err:
        e instanceof Error
          ? { name: e.name, message: redact(e.message, secrets), stack: redact(e.stack ?? "", secrets) }
          : redact(String(e), secrets),
    },
    "unexpected failure",
  );
  return reply(500, { error: "internal error; see the service log" });
}

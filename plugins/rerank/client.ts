import { executeChangeSet, type ChangeOperation } from "../dataverse/batch";
import { AGGREGATE_LIMIT_CODE, errorFromBody, DataverseHttpError } from "../dataverse/errors";
import { entitySet } from "../dataverse/metadata";
import type { TokenProvider } from "../dataverse/token";
import { WebApiGateway } from "../dataverse/gateway";
import { HttpTransport, type RetryPolicy } from "../dataverse/transport";

export type Row = Record<string, unknown>;

export { AGGREGATE_LIMIT_CODE };

export class AggregateLimitError extends Error {
  override name = "AggregateLimitError";
}

export interface FetchPage {
  rows: Row[];
  moreRecords: boolean;
  pagingCookie: string | null;
}

export interface ClientOptions {
  url: string;
  tokens: TokenProvider;
  retry?: Partial<RetryPolicy>;
  onRetry?: (info: { request: string; status: number | string; attempt: number; waitMs: number }) => void;
}

/**
 * The re-rank's Web API calls, on the plugin's HttpTransport (token, 429 Retry-After, 5xx back-off), counting every
 * HTTP request it sends, retries included: the figure the service protection limits count.
 * https://learn.microsoft.com/power-apps/developer/data-platform/api-limits
 */
export class RerankClient {
  readonly transport: HttpTransport;
  private sent = 0;

  constructor(opts: ClientOptions) {
    this.transport = new HttpTransport({
      server: serverOf(opts.url),
      tokens: opts.tokens,
      // A re-rank has no webhook to answer: long back-offs and slow aggregates are fine, giving up early is not.
      retry: { maxAttempts: 8, maxDelayMs: 30_000, attemptTimeoutMs: 120_000, ...opts.retry },
      onRetry: (info) => {
        this.sent++;
        opts.onRetry?.(info);
      },
    });
  }

  get requests(): number {
    return this.sent;
  }

  /**
   * The plugin's gateway on the same transport, for the tier programme after the writes. Its requests are not in
   * `requests`; a run without tier changes makes none.
   */
  gateway(): WebApiGateway {
    return new WebApiGateway(this.transport);
  }

  /**
   * One page of a FetchXML query; the paging cookie comes back as an annotation when the server has one.
   * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/page-results#paging-cookies
   */
  async fetchPage(entity: string, fetchXml: string): Promise<FetchPage> {
    this.sent++;
    const res = await this.transport.request("GET", `${entitySet(entity)}?fetchXml=${encodeURIComponent(fetchXml)}`, {
      Accept: "application/json",
      "OData-MaxVersion": "4.0",
      "OData-Version": "4.0",
      Prefer:
        'odata.include-annotations="Microsoft.Dynamics.CRM.fetchxmlpagingcookie,Microsoft.Dynamics.CRM.morerecords"',
    });
    if (!res.ok) {
      const err = errorFromBody(res.status, res.body, `GET ${entitySet(entity)}?fetchXml`);
      if (err.code?.toLowerCase() === AGGREGATE_LIMIT_CODE.toLowerCase()) throw new AggregateLimitError(err.message);
      throw err;
    }
    const body = JSON.parse(res.body ?? "{}") as Record<string, unknown>;
    const cookie = body["@Microsoft.Dynamics.CRM.fetchxmlpagingcookie"];
    return {
      rows: (body.value as Row[] | undefined) ?? [],
      moreRecords: body["@Microsoft.Dynamics.CRM.morerecords"] === true,
      pagingCookie: typeof cookie === "string" ? innerCookie(cookie) : null,
    };
  }

  /** OData query on a table (small reads: the active tier model). */
  async query(path: string): Promise<Row[]> {
    this.sent++;
    const res = await this.transport.send("GET", path, {
      Accept: "application/json",
      "OData-MaxVersion": "4.0",
      "OData-Version": "4.0",
    });
    return ((JSON.parse(res.body ?? "{}") as { value?: Row[] }).value ?? []) as Row[];
  }

  /** POST (create) or PATCH; returns the OData-EntityId header's id for a create. */
  async write(method: "POST" | "PATCH", path: string, body: Row): Promise<string | null> {
    this.sent++;
    const res = await this.transport.send(
      method,
      path,
      {
        "Content-Type": "application/json",
        Accept: "application/json",
        "OData-MaxVersion": "4.0",
        "OData-Version": "4.0",
      },
      body,
    );
    const entityId = res.headers["odata-entityid"] ?? res.headers["OData-EntityId"];
    return entityId ? (/\(([^)]+)\)\s*$/.exec(entityId)?.[1] ?? null) : null;
  }

  /** One $batch change set (at most 1,000 operations: the $batch limit). */
  async changeSet(ops: readonly ChangeOperation[]): Promise<void> {
    if (ops.length === 0) return;
    if (ops.length > 1000) throw new RangeError(`a $batch holds at most 1,000 operations, got ${ops.length}`);
    this.sent++;
    await executeChangeSet(this.transport, ops);
  }
}

/**
 * The annotation is `<cookie pagenumber="2" pagingcookie="…" />` whose `pagingcookie` is the cookie to send back,
 * URL-encoded twice. https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/page-results#paging-cookies
 */
export function innerCookie(annotation: string): string {
  const m = /pagingcookie="([^"]*)"/.exec(annotation);
  if (!m) return annotation;
  let text = m[1];
  for (let i = 0; i < 2 && !text.includes("<"); i++) text = decodeURIComponent(text);
  return text;
}

/** The environment URL from either an environment URL or a full Web API base (…/api/data/v9.2/). */
export function serverOf(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DataverseUrlError(`--url "${url}" is not a URL`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new DataverseUrlError(`--url "${url}" must be http(s)`);
  const path = u.pathname.replace(/\/api\/data\/v\d+(\.\d+)?\/?$/, "").replace(/\/+$/, "");
  return `${u.origin}${path}`;
}

export class DataverseUrlError extends Error {
  override name = "DataverseUrlError";
}

export { DataverseHttpError };

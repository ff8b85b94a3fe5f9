/**
 * A Web API call that failed for good (after retries where retrying made sense). `code` is Dataverse's hex error
 * code from `{"error":{"code","message"}}`.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/compose-http-requests-handle-errors#parse-errors-from-the-response
 */
export class DataverseHttpError extends Error {
  override name = "DataverseHttpError";
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly request: string,
  ) {
    super(`${request} → ${status}${code ? ` ${code}` : ""}: ${message}`);
  }
  /** Throttled or the service failed: the caller may answer non-2xx so Dataverse retries the delivery. */
  get transient(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/**
 * AggregateQueryRecordLimit: a FetchXML aggregate evaluated more than 50,000 rows.
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/aggregate-data#limitations
 */
export const AGGREGATE_LIMIT_CODE = "0x8004E023";

export const isAggregateLimit = (e: unknown): boolean =>
  e instanceof DataverseHttpError && e.code?.toLowerCase() === AGGREGATE_LIMIT_CODE.toLowerCase();

/** The row changed since it was read (If-Match did not match): re-read and decide again. */
export class ConcurrencyConflict extends Error {
  override name = "ConcurrencyConflict";
}

export function errorFromBody(status: number, body: string | undefined, request: string): DataverseHttpError {
  let code: string | undefined;
  // Only Dataverse's JSON error message is kept: a body that is not one (a multipart $batch answer, an HTML
  // gateway page) is never echoed, as it may hold row data.
  let message = `HTTP ${status}`;
  try {
    const parsed = JSON.parse(body ?? "") as { error?: { code?: string; message?: string } };
    if (parsed.error) {
      code = parsed.error.code;
      message = parsed.error.message ?? message;
    }
  } catch {
    // not JSON: the status alone
  }
  return new DataverseHttpError(status, code, message, request);
}

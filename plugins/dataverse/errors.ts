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

/** The row changed since it was read (If-Match did not match): re-read and decide again. */
export class ConcurrencyConflict extends Error {
  override name = "ConcurrencyConflict";
}

export function errorFromBody(status: number, body: string | undefined, request: string): DataverseHttpError {
  let code: string | undefined;
  let message = body && body.length < 2000 ? body : `HTTP ${status}`;
  try {
    const parsed = JSON.parse(body ?? "") as { error?: { code?: string; message?: string } };
    if (parsed.error) {
      code = parsed.error.code;
      message = parsed.error.message ?? message;
    }
  } catch {
    // not JSON: keep the text
  }
  return new DataverseHttpError(status, code, message, request);
}

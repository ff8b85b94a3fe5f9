/**
 * Errors in Dataverse's Web API shape: `{"error":{"code":"0x…","message":"…"}}`.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/compose-http-requests-handle-errors#parse-errors-from-the-response
 */
export class DataverseError extends Error {
  override name = "DataverseError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
  toJSON(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** Error codes Dataverse uses for the failures the sandbox can produce (Web API error code reference). */
export const CODES = {
  /** ObjectDoesNotExist: "<table> With Id = <id> Does Not Exist". */
  notFound: "0x80040217",
  /** Query / payload the OData layer cannot bind (unknown property, bad literal, type mismatch). */
  badRequest: "0x80060888",
  /** ConcurrencyVersionMismatch: If-Match etag differs from the row's version (412). */
  concurrency: "0x80060882",
  /** DuplicateRecord: a row with this id already exists. */
  duplicate: "0x80040237",
  /** AggregateQueryRecordLimit exceeded (FetchXML aggregate over more than 50,000 rows). */
  aggregateLimit: "0x8004E023",
  /** InvalidArgument: an attribute value of the wrong type or out of range. */
  invalidArgument: "0x80040203",
  /** Service protection: number of requests exceeded the limit (429). */
  throttled: "0x80072322",
  /** Generic server error used for injected 503 faults. */
  unavailable: "0x80040216",
  /** Batch request could not be parsed. */
  batchFormat: "0x80048d19",
  /** Operation not supported on this resource. */
  notSupported: "0x80040800",
} as const;

export const notFound = (table: string, id: string): DataverseError =>
  new DataverseError(404, CODES.notFound, `${table} With Id = ${id} Does Not Exist`);

export const badRequest = (message: string): DataverseError => new DataverseError(400, CODES.badRequest, message);

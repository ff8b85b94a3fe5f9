import { randomUUID } from "node:crypto";
import { getBatchResponse, type WebApiResponse } from "dataverse-ify/lib/webapi/WebApiRequest";
import { ConcurrencyConflict, DataverseHttpError, errorFromBody } from "./errors";
import type { HttpTransport } from "./transport";

/**
 * One `$batch` change set: its operations commit together or not at all. dataverse-ify's batch writer has no per-operation
 * headers, and the account update needs `If-Match`, so the request is composed here; its response parser is reused.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/execute-batch-operations-using-web-api#change-sets
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/perform-conditional-operations-using-web-api#apply-optimistic-concurrency
 */
export interface ChangeOperation {
  method: "POST" | "PATCH" | "DELETE";
  /** Relative to the API root, e.g. `accounts(<id>)`. */
  path: string;
  body?: Record<string, unknown>;
  ifMatch?: string;
}

const CRLF = "\r\n";

export function composeChangeSet(
  ops: readonly ChangeOperation[],
  apiPath: string,
  batchId: string,
  changesetId: string,
): string {
  const lines: string[] = [
    `--batch_${batchId}`,
    `Content-Type: multipart/mixed; boundary=changeset_${changesetId}`,
    "",
  ];
  ops.forEach((op, i) => {
    lines.push(
      `--changeset_${changesetId}`,
      "Content-Type: application/http",
      "Content-Transfer-Encoding: binary",
      `Content-ID: ${i + 1}`,
      "",
    );
    lines.push(`${op.method} ${apiPath}${op.path} HTTP/1.1`);
    lines.push("Content-Type: application/json; type=entry");
    if (op.ifMatch) lines.push(`If-Match: ${op.ifMatch}`);
    lines.push("", op.body ? JSON.stringify(op.body) : "");
  });
  lines.push(`--changeset_${changesetId}--`, `--batch_${batchId}--`, "");
  return lines.join(CRLF);
}

/** A GET inside a `$batch`, outside any change set; relative to the API root. */
export interface ReadOperation {
  path: string;
}

export function composeReads(reads: readonly ReadOperation[], apiPath: string, batchId: string): string {
  const lines: string[] = [];
  for (const r of reads) {
    lines.push(`--batch_${batchId}`, "Content-Type: application/http", "Content-Transfer-Encoding: binary", "");
    lines.push(
      `GET ${apiPath}${r.path} HTTP/1.1`,
      "Accept: application/json",
      'Prefer: odata.include-annotations="*"',
      "",
      "",
    );
  }
  lines.push(`--batch_${batchId}--`, "");
  return lines.join(CRLF);
}

/**
 * dataverse-ify reads a part's status from between the first and second space of its status line, so a line without a
 * reason phrase (`HTTP/1.1 403`, which HTTP allows) gives NaN, ok false, and the whole line as statusText. The status
 * is read again from that line, so an error carries the part's real status (and a 503 part stays transient). A part
 * with no status at all makes the response unreadable.
 */
function withStatus(part: WebApiResponse): WebApiResponse {
  if (Number.isInteger(part.status)) return part;
  const status = Number(/^HTTP\/\S+\s+(\d{3})\b/.exec(part.statusText ?? "")?.[1]);
  if (!Number.isInteger(status)) throw new Error(`no status in a part's status line`);
  return { ...part, status, statusText: "", ok: status >= 200 && status <= 299 };
}

function boundaryOf(contentType: string | undefined): string | undefined {
  return /boundary=("?)([^";]+)\1/i.exec(contentType ?? "")?.[2];
}

/**
 * POSTs a composed `$batch` body and splits the multipart answer into its parts. A non-multipart answer is the whole
 * batch failing: 412 → ConcurrencyConflict, else a DataverseHttpError.
 */
async function postBatch(
  transport: HttpTransport,
  compose: (apiPath: string, batchId: string) => string,
  label: string,
  extraHeaders: Record<string, string> = {},
): Promise<{ status: number; ok: boolean; body?: string; parts: WebApiResponse[] }> {
  const batchId = randomUUID();
  const res = await transport.request(
    "POST",
    "$batch",
    {
      "Content-Type": `multipart/mixed; boundary=batch_${batchId}`,
      Accept: "application/json",
      "OData-MaxVersion": "4.0",
      "OData-Version": "4.0",
      ...extraHeaders,
    },
    compose(new URL(transport.apiRoot).pathname, batchId),
  );
  const boundary = boundaryOf(res.headers["content-type"]);
  if (!boundary || !res.body) {
    if (res.status === 412) throw new ConcurrencyConflict(`$batch: ${res.status}`);
    if (!res.ok) throw errorFromBody(res.status, res.body, label);
    throw new DataverseHttpError(res.status, undefined, "the $batch response is not multipart", label);
  }
  try {
    return {
      status: res.status,
      ok: res.ok,
      body: res.body,
      parts: getBatchResponse(res.body, boundary).batchresponse.map(withStatus),
    };
  } catch (e) {
    throw new DataverseHttpError(res.status, undefined, `unreadable $batch response: ${String(e)}`, label);
  }
}

/**
 * Several reads in one `$batch` request (one round trip, one request against the service protection limits'
 * request count). Without `Prefer: odata.continue-on-error` Dataverse stops at the first failed request (a deleted
 * account's 404) and answers no further parts; with it every part answers on its own.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/execute-batch-operations-using-web-api#handling-errors
 */
export async function executeReads(
  transport: HttpTransport,
  reads: readonly ReadOperation[],
): Promise<WebApiResponse[]> {
  const label = "POST $batch (reads)";
  const res = await postBatch(transport, (apiPath, batchId) => composeReads(reads, apiPath, batchId), label, {
    Prefer: "odata.continue-on-error",
  });
  if (!res.ok) throw errorFromBody(res.status, res.body, label);
  if (res.parts.length !== reads.length)
    throw new DataverseHttpError(
      res.status,
      undefined,
      `expected ${reads.length} responses, got ${res.parts.length}`,
      label,
    );
  return res.parts;
}

/** Sends the change set; resolves once it committed, else throws ConcurrencyConflict (412) or DataverseHttpError. */
export async function executeChangeSet(
  transport: HttpTransport,
  ops: readonly ChangeOperation[],
): Promise<WebApiResponse[]> {
  const res = await postBatch(
    transport,
    (apiPath, batchId) => composeChangeSet(ops, apiPath, batchId, randomUUID()),
    "POST $batch",
  );
  const failed = res.parts.find((p) => !p.ok);
  if (failed) {
    if (failed.status === 412) throw new ConcurrencyConflict("the account changed since it was read (412)");
    throw errorFromBody(failed.status, failed.body, "POST $batch (change set)");
  }
  if (!res.ok) throw errorFromBody(res.status, res.body, "POST $batch");
  if (res.parts.length !== ops.length) {
    throw new DataverseHttpError(
      res.status,
      undefined,
      `expected ${ops.length} responses in the change set, got ${res.parts.length}`,
      "POST $batch",
    );
  }
  return res.parts;
}

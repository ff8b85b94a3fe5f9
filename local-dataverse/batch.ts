/**
 * `$batch`: multipart/mixed requests, change sets as one transaction (any failure rolls the change set
 * back), `Content-ID` references (`$1`), and `Prefer: odata.continue-on-error`.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/execute-batch-operations-using-web-api
 */
import { randomUUID } from "node:crypto";
import { DataverseError, CODES } from "./errors";
import { parsePrefer } from "./codec";
import { type ApiRequest, type ApiResponse, errorResponse, type WebApi } from "./webapi";

interface Part {
  headers: Record<string, string>;
  content: string;
}

interface BatchOp {
  contentId?: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

type BatchItem = { kind: "op"; op: BatchOp } | { kind: "changeset"; ops: BatchOp[] };

const CRLF = "\r\n";
const MAX_OPERATIONS = 1000;

function boundaryOf(contentType: string | undefined): string | undefined {
  return /boundary=(?:"([^"]+)"|([^;\s]+))/i
    .exec(contentType ?? "")
    ?.slice(1)
    .find(Boolean);
}

function splitHeaders(text: string): { headers: Record<string, string>; rest: string } {
  const m = /\r?\n\r?\n/.exec(text);
  const head = m ? text.slice(0, m.index) : text;
  const rest = m ? text.slice(m.index + m[0].length) : "";
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, rest };
}

function parseMultipart(body: string, boundary: string): Part[] {
  const delimiter = `--${boundary}`;
  const segments = body.split(delimiter);
  if (segments.length < 2) throw batchError(`The batch body has no part delimited by '${delimiter}'.`);
  const parts: Part[] = [];
  for (const seg of segments.slice(1)) {
    if (seg.startsWith("--")) break; // closing delimiter
    const { headers, rest } = splitHeaders(seg.replace(/^\r?\n/, ""));
    parts.push({ headers, content: rest.replace(/\r?\n$/, "") });
  }
  return parts;
}

/**
 * Each request part carries `Content-Type: application/http` and `Content-Transfer-Encoding: binary`; inside a
 * change set each also a `Content-ID`, unique in the batch (OData 4.0 §11.7.3.1, which the Web API follows).
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/execute-batch-operations-using-web-api#batch-requests
 * https://docs.oasis-open.org/odata/odata/v4.0/os/part1-protocol/odata-v4.0-os-part1-protocol.html#_Toc372793752
 */
function checkFraming(part: Part, index: number, inChangeSet: boolean): void {
  const where = `${inChangeSet ? "change set " : ""}part ${index + 1}`;
  if (!/^application\/http\s*(;|$)/i.test(part.headers["content-type"] ?? ""))
    throw batchError(`${where} needs 'Content-Type: application/http', got '${part.headers["content-type"] ?? ""}'.`);
  if ((part.headers["content-transfer-encoding"] ?? "").toLowerCase() !== "binary")
    throw batchError(`${where} needs 'Content-Transfer-Encoding: binary'.`);
  if (inChangeSet && !part.headers["content-id"])
    throw batchError(`${where} needs a 'Content-ID' header: every request in a change set has one.`);
}

function parseOperation(part: Part): BatchOp {
  const { content } = part;
  const lineEnd = content.search(/\r?\n/);
  const requestLine = (lineEnd >= 0 ? content.slice(0, lineEnd) : content).trim();
  const m = /^(GET|POST|PATCH|PUT|DELETE)\s+(.+?)(\s+HTTP\/1\.[01])?$/i.exec(requestLine);
  if (!m) throw batchError(`'${requestLine}' is not an HTTP request line.`);
  const { headers, rest } = splitHeaders(lineEnd >= 0 ? content.slice(lineEnd).replace(/^\r?\n/, "") : "");
  return {
    contentId: part.headers["content-id"],
    method: m[1].toUpperCase(),
    url: m[2],
    headers,
    body: rest.replace(/\s+$/, ""),
  };
}

function batchError(message: string): DataverseError {
  return new DataverseError(400, CODES.batchFormat, `The batch request is not valid: ${message}`);
}

export function parseBatch(contentType: string | undefined, body: string): BatchItem[] {
  const boundary = boundaryOf(contentType);
  if (!boundary || !/^multipart\/mixed/i.test(contentType ?? ""))
    throw batchError("Content-Type must be multipart/mixed with a boundary.");
  const items: BatchItem[] = [];
  const contentIds = new Set<string>();
  let count = 0;
  for (const [i, part] of parseMultipart(body, boundary).entries()) {
    const type = part.headers["content-type"] ?? "";
    if (/^multipart\/mixed/i.test(type)) {
      const inner = boundaryOf(type);
      if (!inner) throw batchError("A change set part needs a boundary.");
      const parts = parseMultipart(part.content, inner);
      parts.forEach((p, j) => {
        checkFraming(p, j, true);
        const id = p.headers["content-id"];
        if (contentIds.has(id)) throw batchError(`Content-ID '${id}' appears twice in the batch.`);
        contentIds.add(id);
      });
      const ops = parts.map(parseOperation);
      if (ops.some((o) => o.method === "GET")) throw batchError("GET requests are not allowed within change sets.");
      count += ops.length;
      items.push({ kind: "changeset", ops });
    } else {
      checkFraming(part, i, false);
      items.push({ kind: "op", op: parseOperation(part) });
      count++;
    }
  }
  if (count > MAX_OPERATIONS)
    throw batchError(`A batch can contain up to ${MAX_OPERATIONS} requests; this one has ${count}.`);
  return items;
}

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  405: "Method Not Allowed",
  412: "Precondition Failed",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
};

function httpPart(res: ApiResponse, contentId?: string): string {
  const lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"];
  if (contentId !== undefined) lines.push(`Content-ID: ${contentId}`);
  lines.push("", `HTTP/1.1 ${res.status} ${STATUS_TEXT[res.status] ?? ""}`.trimEnd());
  for (const [k, v] of Object.entries(res.headers)) lines.push(`${k}: ${v}`);
  lines.push("", res.body ?? "");
  return lines.join(CRLF);
}

/** One part's outcome: its response part, and the error that stops the batch unless the client continues on error. */
interface PartOutcome {
  part: string;
  error?: ApiResponse;
}

export function executeBatch(api: WebApi, req: ApiRequest): ApiResponse {
  let items: BatchItem[];
  try {
    items = parseBatch(req.headers["content-type"], req.body);
  } catch (e) {
    if (e instanceof DataverseError) return errorResponse(e);
    throw e;
  }
  const continueOnError = parsePrefer(req.headers.prefer).continueOnError;
  const out: string[] = [];
  let failed: ApiResponse | undefined;
  for (const item of items) {
    const { part, error } = item.kind === "op" ? runOperation(api, req, item.op) : runChangeSet(api, req, item.ops);
    out.push(part);
    if (error && !continueOnError) {
      failed = error;
      break;
    }
  }
  return batchResponse(out, failed);
}

/** A request outside any change set: it runs alone, and a DataverseError becomes its error response. */
function runOperation(api: WebApi, outer: ApiRequest, op: BatchOp): PartOutcome {
  let res: ApiResponse;
  try {
    res = api.handle(toRequest(outer, op, new Map()));
  } catch (e) {
    if (!(e instanceof DataverseError)) throw e;
    res = errorResponse(e);
  }
  return { part: httpPart(res, op.contentId), error: res.status >= 400 ? res : undefined };
}

/** A change set is one transaction: the first failure rolls it back and answers alone, with its error. */
function runChangeSet(api: WebApi, outer: ApiRequest, ops: BatchOp[]): PartOutcome {
  const refs = new Map<string, string>();
  const resolve = contentIdResolver(refs);
  const tx = api.store.begin();
  const parts: string[] = [];
  for (const op of ops) {
    let res: ApiResponse;
    try {
      res = api.handle(toRequest(outer, op, refs), tx, resolve);
    } catch (e) {
      if (!(e instanceof DataverseError)) {
        api.store.rollback(tx);
        throw e;
      }
      res = errorResponse(e);
    }
    if (res.status >= 400) {
      // A failed change set answers with the one error; its earlier operations are rolled back.
      api.store.rollback(tx);
      return { part: httpPart(res), error: res };
    }
    const entityId = res.headers["OData-EntityId"];
    if (op.contentId !== undefined && entityId)
      refs.set(op.contentId, entityId.replace(/^.*\/api\/data\/v9\.\d\//, ""));
    parts.push(httpPart(res, op.contentId));
  }
  api.store.commit(tx);
  return { part: changeSetPart(parts) };
}

/** A value that is just `$n` (e.g. a lookup bound in a body) names the record the change set's request n created. */
function contentIdResolver(refs: Map<string, string>): (raw: string) => string {
  return (raw) => {
    const m = /^\$(\w+)$/.exec(raw.trim());
    if (!m) return raw;
    const target = refs.get(m[1]);
    if (!target) throw batchError(`Content-ID Reference: '$${m[1]}' does not exist in the batch context.`);
    return target;
  };
}

/** A part's request as the Web API handles it: a leading `$n` resolved, the URL made relative to the service root. */
function toRequest(outer: ApiRequest, op: BatchOp, refs: Map<string, string>): ApiRequest {
  let url = op.url;
  const ref = /^\$(\w+)(.*)$/.exec(url);
  if (ref) {
    const target = refs.get(ref[1]);
    if (!target) throw batchError(`Content-ID Reference: '$${ref[1]}' does not exist in the batch context.`);
    url = target + ref[2];
  }
  const rel = url
    .replace(/^https?:\/\/[^/]+/i, "")
    .replace(/^.*?\/api\/data\/v9\.\d\//, "")
    .replace(/^\//, "");
  const q = rel.indexOf("?");
  return {
    method: op.method,
    path: decodeURIComponent(q >= 0 ? rel.slice(0, q) : rel),
    query: new URLSearchParams(q >= 0 ? rel.slice(q + 1) : ""),
    // Headers of the outer request (bypass, correlation, Prefer) apply unless the part overrides them.
    headers: {
      ...pick(outer.headers, [
        "mscrm.bypasscustompluginexecution",
        "mscrm.bypassbusinesslogicexecution",
        "x-ms-correlation-request-id",
      ]),
      ...op.headers,
    },
    body: op.body,
    user: outer.user,
  };
}

function changeSetPart(parts: string[]): string {
  const cs = `changesetresponse_${randomUUID()}`;
  return [
    `Content-Type: multipart/mixed; boundary=${cs}`,
    "",
    ...parts.map((p) => `--${cs}${CRLF}${p}`),
    `--${cs}--`,
  ].join(CRLF);
}

/** The batch answers 200 unless a failure stopped it: then with that failure's status. */
function batchResponse(out: string[], failed: ApiResponse | undefined): ApiResponse {
  const boundary = `batchresponse_${randomUUID()}`;
  const body = out.map((p) => `--${boundary}${CRLF}${p}`).join(CRLF) + `${CRLF}--${boundary}--${CRLF}`;
  return {
    status: failed ? failed.status : 200,
    headers: { "Content-Type": `multipart/mixed; boundary=${boundary}`, "OData-Version": "4.0" },
    body,
  };
}

function pick(headers: Record<string, string>, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (headers[k] !== undefined) out[k] = headers[k];
  return out;
}

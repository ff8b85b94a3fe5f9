import { executeChangeSet } from "../../plugins/dataverse/batch";
import { DataverseHttpError, errorFromBody } from "../../plugins/dataverse/errors";
import { WebApiGateway, type DataverseGateway } from "../../plugins/dataverse/gateway";
import type { HttpTransport } from "../../plugins/dataverse/transport";
import { createLogger } from "../../plugins/log";
import { ModelCache } from "../../plugins/recalc/model-cache";
import { Recalculator } from "../../plugins/recalc/recalculate";
import { handleWebhook, type WebhookRequest } from "../../plugins/webhook/handler";
import { context, entity, money, option, ref } from "./payloads";

/**
 * What the webhook answers when it fails: Dataverse retries 502/503/504 and not other statuses, and shows the status
 * line and message in the System Job. A retry can fix throttling or an outage (503 + Retry-After); it cannot fix a
 * 4xx from Dataverse or an invalid model (500, naming the cause). A deleted account is an outcome (200).
 */
const KEY = "statuses-key-0123456789";
const ACCOUNT = "1d6f7f0e-1111-4a5b-9c0d-000000000001";

const req = (): WebhookRequest => ({
  method: "POST",
  query: new URLSearchParams({ code: KEY }),
  header: () => undefined,
  readBody: async () =>
    Buffer.from(
      JSON.stringify(
        context({
          message: "Create",
          entity: "invoice",
          id: "5b0c1a2e-2222-4d3c-8e9f-000000000010",
          target: entity("invoice", "5b0c1a2e-2222-4d3c-8e9f-000000000010", {
            customerid: ref("account", ACCOUNT),
            totalamount_base: money(5),
            statecode: option(2),
          }),
        }),
      ),
    ),
});

function run(gateway: DataverseGateway) {
  return handleWebhook(req(), {
    webhookKeys: [KEY],
    gateway,
    recalculator: new Recalculator(gateway, new ModelCache(gateway), Date.now, null),
    logger: createLogger("silent"),
    deadlineMs: 10_000,
  });
}

const failing = (e: Error): DataverseGateway => ({
  retrieve: () => Promise.reject(e),
  retrieveAccount: () => Promise.reject(e),
  fetch: () => Promise.reject(e),
  query: async () => [],
  commit: () => Promise.reject(e),
});

test("a 4xx from Dataverse is not retried: 500 naming the cause", async () => {
  const r = await run(
    failing(new DataverseHttpError(400, "0x80060888", "An undeclared property 'ct_accountid'", "POST $batch")),
  );
  expect(r.status).toBe(500);
  expect(String(r.body.error)).toMatch(/Dataverse refused a request.*0x80060888.*undeclared property/);
});

test("throttling or an outage is retried: 503 with Retry-After", async () => {
  const r = await run(failing(new DataverseHttpError(503, undefined, "HTTP 503", "GET accounts")));
  expect(r.status).toBe(503);
  expect(Number(r.headers?.["Retry-After"])).toBeGreaterThan(0);
});

test("an invalid model row is not retried: 500 naming the row", async () => {
  const gateway: DataverseGateway = {
    ...failing(new Error("unused")),
    query: async () => [{ ct_tiermodelid: "m1", ct_modeljson: "{not json", "@odata.etag": 'W/"1"' }],
    retrieve: async () => ({ ct_tiermodelid: "m1", ct_modeljson: "{not json" }),
  };
  const r = await run(gateway);
  expect(r.status).toBe(500);
  expect(String(r.body.error)).toMatch(/invalid tier model.*ct_tiermodel m1.*not JSON/);
});

test("Dataverse's $batch response body is never echoed", () => {
  const body =
    '--batchresponse_1\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n\r\n{"ct_tier":100000000}';
  const e = errorFromBody(400, body, "POST $batch");
  expect(e.message).not.toContain("batchresponse");
  expect(e.message).not.toContain("ct_tier");
});

/** A transport answering every $batch with one change-set part whose status line is `line`. */
function changeSetTransport(line: string): HttpTransport {
  const body =
    "--batchresponse_x\r\nContent-Type: multipart/mixed; boundary=changesetresponse_y\r\n\r\n" +
    "--changesetresponse_y\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
    `${line}\r\nContent-Type: application/json\r\n\r\n` +
    '{"error":{"code":"0x80040220","message":"missing prvCreateAccount"}}\r\n' +
    "--changesetresponse_y--\r\n--batchresponse_x--\r\n";
  return {
    apiRoot: "https://org.example/api/data/v9.2/",
    request: async () => ({
      status: 200,
      ok: true,
      headers: { "content-type": "multipart/mixed; boundary=batchresponse_x" },
      body,
    }),
  } as unknown as HttpTransport;
}

test("a failed change-set part carries its own status, with or without a reason phrase", async () => {
  for (const [line, status, transient] of [
    ["HTTP/1.1 403 Forbidden", 403, false],
    ["HTTP/1.1 403", 403, false],
    ["HTTP/1.1 503", 503, true],
  ] as const) {
    const e = (await executeChangeSet(changeSetTransport(line), [
      { method: "POST", path: "accounts", body: { name: "A" } },
    ]).catch((x: unknown) => x)) as DataverseHttpError;
    expect(e).toBeInstanceOf(DataverseHttpError);
    expect([e.status, e.code, e.transient]).toEqual([status, "0x80040220", transient]);
    expect(e.message).toContain(`→ ${status} 0x80040220`);
  }
});

/** A transport that answers the read $batch like Dataverse does for a deleted account, recording the request. */
function deletedAccountTransport(seen: { headers?: Record<string, string>; body?: string }): HttpTransport {
  return {
    apiRoot: "https://org.example/api/data/v9.2/",
    request: async (_method: string, _uri: string, headers: Record<string, string>, body?: string) => {
      seen.headers = headers;
      seen.body = body;
      const continueOnError = /odata\.continue-on-error/.test(headers.Prefer ?? "");
      const parts = (body ?? "").split(/--batch_[^\r]*\r\n/).filter((p) => p.startsWith("Content-Type")).length;
      const notFound =
        "--batchresponse_x\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
        'HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n{"error":{"code":"0x80040217","message":"account Does Not Exist"}}\r\n';
      const ok =
        "--batchresponse_x\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
        'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"value":[]}\r\n';
      // Without continue-on-error Dataverse stops at the first failure.
      const text = notFound + (continueOnError ? ok.repeat(parts - 1) : "") + "--batchresponse_x--\r\n";
      return {
        status: 200,
        ok: true,
        headers: { "content-type": "multipart/mixed; boundary=batchresponse_x" },
        body: text,
      };
    },
  } as unknown as HttpTransport;
}

test("a deleted account: the read $batch asks to continue on error and the webhook answers 200 'account gone'", async () => {
  const seen: { headers?: Record<string, string>; body?: string } = {};
  const gateway = new WebApiGateway(deletedAccountTransport(seen));
  gateway.query = async () => [];
  gateway.fetch = async () => ({ rows: [], moreRecords: false }); // the account's contacts: none
  const r = await run(gateway);
  expect(seen.headers?.Prefer).toBe("odata.continue-on-error");
  expect(r.status).toBe(200);
  expect(r.body.result).toBe("account gone");
  expect(JSON.stringify(r.body)).not.toMatch(/tier/i);
});

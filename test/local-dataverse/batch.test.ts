/**
 * `$batch` with change sets, modelled on the examples of
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/execute-batch-operations-using-web-api
 */
import type { Sandbox } from "../../local-dataverse";
import { ADMIN, call, create, start } from "./helpers";

const CRLF = "\r\n";

function part(lines: string[], body?: unknown, contentId?: string): string {
  return [
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    ...(contentId ? [`Content-ID: ${contentId}`] : []),
    "",
    ...lines,
    ...(body !== undefined ? ["Content-Type: application/json; type=entry", "", JSON.stringify(body)] : ["", ""]),
  ].join(CRLF);
}

function changeset(boundary: string, parts: string[]): string {
  return [
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "",
    ...parts.map((p) => `--${boundary}${CRLF}${p}`),
    `--${boundary}--`,
    "",
  ].join(CRLF);
}

function batch(boundary: string, items: string[]): string {
  return items.map((i) => `--${boundary}${CRLF}${i}`).join(CRLF) + `${CRLF}--${boundary}--${CRLF}`;
}

async function postBatch(
  sb: Sandbox,
  boundary: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; type: string }> {
  const res = await fetch(`${sb.url}$batch`, {
    method: "POST",
    headers: {
      "Content-Type": `multipart/mixed; boundary="${boundary}"`,
      ...ADMIN,
      Accept: "application/json",
      "OData-Version": "4.0",
      ...headers,
    },
    body,
  });
  return { status: res.status, text: await res.text(), type: res.headers.get("content-type") ?? "" };
}

describe("sandbox $batch", () => {
  let sb: Sandbox;
  let accountId: string;
  beforeEach(async () => {
    sb = await start();
    accountId = await create(sb, "accounts", { name: "Batch Co" });
  });
  afterEach(async () => {
    await sb.close();
  });

  test("a change set commits together; Content-ID references resolve ($1) and a GET outside it sees the rows", async () => {
    const body = batch("batch_AAA123", [
      changeset("changeset_BBB456", [
        part(
          ["POST /api/data/v9.2/phonecalls HTTP/1.1"],
          { subject: "call 1", "regardingobjectid_account_phonecall@odata.bind": `accounts(${accountId})` },
          "1",
        ),
        part(
          ["POST /api/data/v9.2/invoices HTTP/1.1"],
          { name: "INV-B", "customerid_account@odata.bind": `accounts(${accountId})`, totalamount: 5 },
          "2",
        ),
        part(["PATCH $2 HTTP/1.1"], { totalamount: 7 }, "3"),
      ]),
      part([`GET /api/data/v9.2/invoices?$select=name,totalamount&$filter=_customerid_value eq ${accountId} HTTP/1.1`]),
    ]);
    const r = await postBatch(sb, "batch_AAA123", body);
    expect(r.status).toBe(200);
    const boundary = /boundary=(batchresponse_[0-9a-f-]+)/.exec(r.type)![1];
    expect(r.text.startsWith(`--${boundary}\r\n`)).toBe(true);
    expect(r.text.trimEnd().endsWith(`--${boundary}--`)).toBe(true);
    expect(r.text).toMatch(/Content-Type: multipart\/mixed; boundary=changesetresponse_/);
    expect(r.text.match(/HTTP\/1\.1 204 No Content/g)).toHaveLength(3);
    expect(r.text).toMatch(
      /Content-ID: 1\r\n\r\nHTTP\/1\.1 204 No Content\r\nOData-Version: 4\.0\r\nOData-EntityId: .*phonecalls\(/,
    );
    expect(r.text).toContain('"totalamount":7');
    expect(sb.store.count("phonecall")).toBe(1);
    expect(sb.store.count("invoice")).toBe(1);
  });

  test("a failing change set rolls back the operations before it and answers with its one error", async () => {
    const body = batch("batch_X", [
      changeset("changeset_Y", [
        part(
          ["POST /api/data/v9.2/invoices HTTP/1.1"],
          { name: "INV-1", "customerid_account@odata.bind": `accounts(${accountId})`, totalamount: 1 },
          "1",
        ),
        part([`PATCH /api/data/v9.2/accounts(${accountId}) HTTP/1.1`], { name: "renamed" }, "2"),
        part(["POST /api/data/v9.2/invoices HTTP/1.1"], { name: "INV-2", totalamount: "not a number" }, "3"),
      ]),
    ]);
    const r = await postBatch(sb, "batch_X", body);
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/HTTP\/1\.1 400 Bad Request/);
    expect(r.text).toMatch(/\{"error":\{"code":"0x80060888","message":"Cannot convert the literal 'not a number'/);
    expect(r.text).not.toContain("changesetresponse_");
    expect(sb.store.count("invoice")).toBe(0);
    expect(sb.store.get("account", accountId)?.name).toBe("Batch Co");
  });

  test("without continue-on-error the batch stops at the first failure; with it the rest still runs", async () => {
    const items = (): string[] => [
      part(["POST /api/data/v9.2/invoices HTTP/1.1"], { name: "bad", nosuch: 1 }),
      part(["POST /api/data/v9.2/invoices HTTP/1.1"], { name: "good", totalamount: 3 }),
    ];
    const stop = await postBatch(sb, "b1", batch("b1", items()));
    expect(stop.status).toBe(400);
    expect(sb.store.count("invoice")).toBe(0);
    const go = await postBatch(sb, "b2", batch("b2", items()), { Prefer: "odata.continue-on-error" });
    expect(go.status).toBe(200);
    expect(go.text).toMatch(/HTTP\/1\.1 400 Bad Request[\s\S]*HTTP\/1\.1 204 No Content/);
    expect(sb.store.count("invoice")).toBe(1);
  });

  test("a reference to an undeclared Content-ID and a GET inside a change set are rejected", async () => {
    const ref = await postBatch(
      sb,
      "b",
      batch("b", [changeset("c", [part(["PATCH $9 HTTP/1.1"], { name: "x" }, "1")])]),
    );
    expect(ref.status).toBe(400);
    expect(ref.text).toContain("Content-ID Reference: '$9' does not exist in the batch context.");
    const get = await call(sb, "POST", "$batch", {
      body: batch("g", [changeset("c", [part(["GET /api/data/v9.2/accounts HTTP/1.1"], undefined, "1")])]),
      headers: { "Content-Type": 'multipart/mixed; boundary="g"' },
    });
    expect(get.status).toBe(400);
    expect(get.json.error?.message).toContain("GET requests are not allowed within change sets");
  });
});

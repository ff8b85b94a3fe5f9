/**
 * Webhook delivery to a local receiver: RemoteExecutionContext shape (use-webhooks "Request Body"
 * example), images, filtering attributes, one retry on 502/503/504, failed System Jobs
 * (register-web-hook "Query failed asynchronous jobs for a given step") and the bypass headers.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startSandbox, USERS, type Sandbox, type StepRegistration } from "../../local-dataverse";
import { WEBHOOK_ENDPOINT_NAME } from "../../solution/scripts/endpoint";
import { readStepRegistrations, SDK_MESSAGE_IDS } from "../../solution/scripts/steps";
import { registerSolutionSteps } from "../plugins/register";
import { ADMIN, call, create, start } from "./helpers";

const ADMIN_ID = USERS.find((u) => u.key === "admin")!.id;

interface Received {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown> & { InputParameters: { key: string; value: Record<string, unknown> }[] };
}

/** A webhook receiver answering with the next scripted status (200 once the script runs out). */
async function receiver(script: number[] = []): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        url: req.url ?? "",
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
      });
      res.writeHead(script.shift() ?? 200);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhook`, received };
}

const closeServer = (s: Server): Promise<void> => new Promise((r) => s.close(() => r()));

const step = (over: Partial<StepRegistration>): StepRegistration => ({
  id: "0e0e0e0e-0000-4000-8000-000000000001",
  name: "test step",
  message: "Create",
  primaryEntity: "invoice",
  stage: 40,
  mode: 1,
  rank: 1,
  filteringAttributes: [],
  images: [],
  serviceEndpoint: "Customer Tiering webhook",
  asyncAutoDelete: true,
  description: "",
  ...over,
});

const IMAGE_ID = "0e0e0e0e-0000-4000-8000-0000000000a1";

const attrs = (entity: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries((entity.Attributes as { key: string; value: unknown }[]).map((a) => [a.key, a.value]));

describe("sandbox webhooks", () => {
  let sb: Sandbox;
  let rx: Awaited<ReturnType<typeof receiver>>;
  afterEach(async () => {
    await sb?.close();
    await closeServer(rx.server);
  });

  async function setup(steps: StepRegistration[], script: number[] = []): Promise<void> {
    rx = await receiver(script);
    sb = await start({ steps, webhookUrl: rx.url, webhookKey: "hook-key", webhookRetryDelayMs: 0 });
  }

  test("a create posts a RemoteExecutionContext with typed values, post image and the key as `code`", async () => {
    await setup([
      step({
        name: "invoice create",
        images: [
          {
            id: IMAGE_ID,
            name: "post",
            messagePropertyName: "Id",
            entityAlias: "PostImage",
            imageType: 1,
            attributes: ["customerid", "totalamount_base", "statecode"],
          },
        ],
      }),
    ]);
    const accountId = await create(sb, "accounts", { name: "Hooked" });
    const invoiceId = await create(
      sb,
      "invoices",
      {
        name: "INV-W",
        "customerid_account@odata.bind": `accounts(${accountId})`,
        totalamount: 1500.5,
        statecode: 2,
        overriddencreatedon: "2024-06-01T12:00:00Z",
      },
      { "x-ms-correlation-request-id": "3f2504e0-4f89-41d3-9a0c-0305e82c3301" },
    );
    await sb.webhooks.idle();
    expect(rx.received).toHaveLength(1);
    const { url, headers, body } = rx.received[0];
    expect(new URL(url, "http://x").searchParams.get("code")).toBe("hook-key");
    expect(headers["x-ms-dynamics-entity-name"]).toBe("invoice");
    expect(headers["x-ms-dynamics-request-name"]).toBe("Create");
    expect(headers["x-ms-correlation-request-id"]).toBe("3f2504e0-4f89-41d3-9a0c-0305e82c3301");
    expect(body).toMatchObject({
      MessageName: "Create",
      PrimaryEntityName: "invoice",
      PrimaryEntityId: invoiceId,
      CorrelationId: "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
      Depth: 1,
      Stage: 40,
      Mode: 1,
      UserId: ADMIN_ID,
      InitiatingUserId: ADMIN_ID,
      BusinessUnitId: sb.api.identity.businessUnitId,
      OrganizationId: sb.api.identity.organizationId,
      SecondaryEntityName: "none",
      PreEntityImages: [],
      OutputParameters: [{ key: "id", value: invoiceId }],
      OwningExtension: { LogicalName: "sdkmessageprocessingstep", Name: "invoice create" },
    });
    expect(body.OperationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.OperationCreatedOn).toMatch(/^\/Date\(\d+\)\/$/);
    const target = body.InputParameters[0];
    expect(target.key).toBe("Target");
    expect(target.value).toMatchObject({
      __type: "Entity:http://schemas.microsoft.com/xrm/2011/Contracts",
      LogicalName: "invoice",
      Id: invoiceId,
    });
    const t = attrs(target.value);
    expect(t.totalamount).toEqual({ __type: "Money:http://schemas.microsoft.com/xrm/2011/Contracts", Value: 1500.5 });
    expect(t.statecode).toEqual({ __type: "OptionSetValue:http://schemas.microsoft.com/xrm/2011/Contracts", Value: 2 });
    expect(t.customerid).toEqual({
      __type: "EntityReference:http://schemas.microsoft.com/xrm/2011/Contracts",
      Id: accountId,
      KeyAttributes: [],
      LogicalName: "account",
      Name: "Hooked",
      RowVersion: null,
    });
    expect(t.createdon).toBe(`/Date(${Date.parse("2024-06-01T12:00:00Z")})/`);
    const post = body.PostEntityImages as { key: string; value: Record<string, unknown> }[];
    expect(post.map((p) => p.key)).toEqual(["PostImage"]);
    expect(Object.keys(attrs(post[0].value)).sort()).toEqual(["customerid", "statecode", "totalamount_base"]);
    expect(attrs(post[0].value).totalamount_base).toEqual({
      __type: "Money:http://schemas.microsoft.com/xrm/2011/Contracts",
      Value: 1500.5,
    });
  });

  test("update steps fire only for their filtering attributes, with pre and post images", async () => {
    await setup([
      step({
        name: "account override",
        message: "Update",
        primaryEntity: "account",
        filteringAttributes: ["ct_tieroverride", "ct_tieroverridereason"],
        images: [
          {
            id: IMAGE_ID,
            name: "both",
            messagePropertyName: "Target",
            entityAlias: "Image",
            imageType: 2,
            attributes: ["ct_tieroverride", "name"],
          },
        ],
      }),
    ]);
    const id = await create(sb, "accounts", { name: "Filtered" });
    await call(sb, "PATCH", `accounts(${id})`, { body: { ct_tierscore: 50 } });
    await sb.webhooks.idle();
    expect(rx.received).toHaveLength(0);
    await call(sb, "PATCH", `accounts(${id})`, {
      body: { ct_tieroverride: 100000000, ct_tieroverridereason: "strategic" },
    });
    await sb.webhooks.idle();
    expect(rx.received).toHaveLength(1);
    const body = rx.received[0].body;
    expect(Object.keys(attrs(body.InputParameters[0].value)).sort()).toEqual([
      "accountid",
      "ct_tieroverride",
      "ct_tieroverridereason",
      "modifiedon",
    ]);
    // Money written by an update carries its computed _base in the Target, which base-currency filters rely on.
    rx.received.length = 0;
    await call(sb, "PATCH", `accounts(${id})`, { body: { ct_revenue12m: 10, ct_tieroverride: 100000001 } });
    await sb.webhooks.idle();
    expect(attrs(rx.received[0].body.InputParameters[0].value).ct_revenue12m_base).toEqual({
      __type: "Money:http://schemas.microsoft.com/xrm/2011/Contracts",
      Value: 10,
    });
    const pre = (body.PreEntityImages as { key: string; value: Record<string, unknown> }[])[0];
    const post = (body.PostEntityImages as { key: string; value: Record<string, unknown> }[])[0];
    expect(attrs(pre.value)).toEqual({ name: "Filtered" });
    expect(attrs(post.value)).toEqual({
      name: "Filtered",
      ct_tieroverride: { __type: "OptionSetValue:http://schemas.microsoft.com/xrm/2011/Contracts", Value: 100000000 },
    });
  });

  test("a delete's Target is an EntityReference, with the pre image", async () => {
    await setup([
      step({
        name: "invoice delete",
        message: "Delete",
        images: [
          {
            id: IMAGE_ID,
            name: "pre",
            messagePropertyName: "Target",
            entityAlias: "PreImage",
            imageType: 0,
            attributes: [],
          },
        ],
      }),
    ]);
    const id = await create(sb, "invoices", { name: "gone", totalamount: 3 });
    await call(sb, "DELETE", `invoices(${id})`);
    await sb.webhooks.idle();
    const body = rx.received[0].body;
    expect(body.InputParameters[0].value).toEqual({
      __type: "EntityReference:http://schemas.microsoft.com/xrm/2011/Contracts",
      Id: id,
      KeyAttributes: [],
      LogicalName: "invoice",
      Name: null,
      RowVersion: null,
    });
    expect(attrs((body.PreEntityImages as { value: Record<string, unknown> }[])[0].value)).toMatchObject({
      name: "gone",
      invoiceid: id,
    });
  });

  test("one retry on 503 delivers the event", async () => {
    await setup([step({})], [503]);
    await create(sb, "invoices", { name: "retry", totalamount: 1 });
    await sb.webhooks.idle();
    expect(rx.received).toHaveLength(2);
    expect(rx.received[1].body.OperationId).toBe(rx.received[0].body.OperationId);
    expect(sb.webhooks.deliveries).toEqual([{ step: "test step", status: 200, attempts: 2, ok: true }]);
    expect(sb.store.count("asyncoperation")).toBe(0);
  });

  test("503 twice, or a 500 once, leaves a failed System Job readable at asyncoperations", async () => {
    await setup([step({})], [503, 503, 500]);
    const first = await create(sb, "invoices", { name: "fails twice", totalamount: 1 });
    await create(sb, "invoices", { name: "fails once", totalamount: 1 });
    await sb.webhooks.idle();
    expect(rx.received).toHaveLength(3); // 503 + retry 503, then 500 without retry
    const stepId = (rx.received[0].body.OwningExtension as { Id: string }).Id;
    const jobs = await call(
      sb,
      "GET",
      `asyncoperations?$orderby=completedon desc&$filter=statuscode eq 31 and _owningextensionid_value eq ${stepId}&$select=name,friendlymessage,errorcode,message,completedon,statecode,_regardingobjectid_value`,
    );
    expect(jobs.status).toBe(200);
    expect(jobs.json.value).toHaveLength(2);
    const job = jobs.json.value!.find((j) => j._regardingobjectid_value === first)!;
    expect(job).toMatchObject({ name: "test step", statecode: 3 });
    expect(String(job.message)).toContain("HTTP 503");
    expect(String(job.message)).not.toContain("hook-key");
    expect(jobs.json.value!.some((j) => String(j.message).includes("HTTP 500"))).toBe(true);
  });

  test("bypass headers: CustomAsync skips asynchronous steps, BypassCustomPluginExecution only synchronous ones", async () => {
    await setup([step({ name: "async", mode: 1 }), step({ name: "sync", mode: 0 })]);
    await create(sb, "invoices", { name: "a" }, { "MSCRM.BypassBusinessLogicExecution": "CustomAsync" });
    await sb.webhooks.idle();
    expect(rx.received.map((r) => (r.body.OwningExtension as { Name: string }).Name)).toEqual(["sync"]);
    rx.received.length = 0;
    await create(sb, "invoices", { name: "b" }, { "MSCRM.BypassCustomPluginExecution": "true" });
    await sb.webhooks.idle();
    expect(rx.received.map((r) => (r.body.OwningExtension as { Name: string }).Name)).toEqual(["async"]);
    rx.received.length = 0;
    await create(sb, "invoices", { name: "c" }, { "MSCRM.BypassBusinessLogicExecution": "CustomSync,CustomAsync" });
    await sb.webhooks.idle();
    expect(rx.received).toHaveLength(0);
  });

  test("a change set that rolls back sends no webhook", async () => {
    await setup([step({})]);
    const boundary = "batch_1";
    const cs = "changeset_1";
    let n = 0;
    const op = (body: unknown): string =>
      `--${cs}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: ${++n}\r\n\r\nPOST /api/data/v9.2/invoices HTTP/1.1\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(body)}\r\n`;
    const payload = `--${boundary}\r\nContent-Type: multipart/mixed; boundary=${cs}\r\n\r\n${op({ name: "ok" })}${op({ name: "bad", totalamount: "x" })}--${cs}--\r\n--${boundary}--\r\n`;
    const r = await fetch(`${sb.url}$batch`, {
      method: "POST",
      headers: { "Content-Type": `multipart/mixed; boundary=${boundary}`, ...ADMIN },
      body: payload,
    });
    expect(r.status).toBe(400);
    await sb.webhooks.idle();
    expect(rx.received).toHaveLength(0);
  });

  test("configuring the serviceendpoint row (as `tiering configure` does) redirects deliveries; its key is never read back", async () => {
    await setup([step({})]);
    const other = await receiver();
    try {
      const endpoint = await call(sb, "POST", "serviceendpoints", {
        body: { name: "Customer Tiering webhook", url: other.url, authtype: 4, authvalue: "new-key", contract: 8 },
      });
      expect(endpoint.status).toBe(204);
      await create(sb, "invoices", { name: "configured" });
      await sb.webhooks.idle();
      expect(rx.received).toHaveLength(0);
      expect(other.received).toHaveLength(1);
      expect(new URL(other.received[0].url, "http://x").searchParams.get("code")).toBe("new-key");
      const read = await call(sb, "GET", "serviceendpoints");
      expect(JSON.stringify(read.json)).not.toContain("new-key");
      expect((await call(sb, "GET", "serviceendpoints?$select=authvalue")).status).toBe(400);
    } finally {
      await closeServer(other.server);
    }
  });

  test("after a bare import nothing is registered: a save is delivered nowhere and queues no System Job", async () => {
    rx = await receiver();
    sb = await startDefault(rx.url);
    expect(sb.stepsSource).toBe("registered in sdkmessageprocessingsteps");
    expect(sb.webhooks.steps).toEqual([]);
    expect((await call(sb, "GET", "sdkmessageprocessingsteps")).json.value).toEqual([]);
    expect((await call(sb, "GET", "sdkmessageprocessingstepimages")).json.value).toEqual([]);
    // The endpoint row is the solution's (Customizations.xml); the platform's message filters are there to point at.
    const endpoints = await call(sb, "GET", "serviceendpoints?$select=name,url,authtype");
    expect(endpoints.json.value!.map((e) => e.name)).toEqual([WEBHOOK_ENDPOINT_NAME]);
    const filter = await call(
      sb,
      "GET",
      `sdkmessagefilters?$select=sdkmessagefilterid&$filter=${encodeURIComponent(
        `primaryobjecttypecode eq 'invoice' and _sdkmessageid_value eq ${SDK_MESSAGE_IDS.Create}`,
      )}`,
    );
    expect(filter.json.value).toHaveLength(1);
    const accountId = await create(sb, "accounts", { name: "Bare" });
    await create(sb, "invoices", { name: "bare import", "customerid_account@odata.bind": `accounts(${accountId})` });
    await sb.webhooks.idle();
    expect(rx.received).toEqual([]);
    expect(sb.webhooks.deliveries).toEqual([]);
    expect((await call(sb, "GET", "asyncoperations")).json.value).toEqual([]);
  });

  test("steps registered through the Web API (as `tiering configure` does) deliver; registering again adds no rows", async () => {
    rx = await receiver();
    sb = await startDefault(rx.url);
    const fromSolution = readStepRegistrations();
    const first = await registerSolutionSteps(sb);
    const imageCount = fromSolution.reduce((n, s) => n + s.images.length, 0);
    expect(first).toEqual({ steps: fromSolution.length, images: imageCount });
    const count = async (set: string): Promise<number> => (await call(sb, "GET", set)).json.value!.length;
    expect([await count("sdkmessageprocessingsteps"), await count("sdkmessageprocessingstepimages")]).toEqual([
      fromSolution.length,
      imageCount,
    ]);
    expect(sb.webhooks.steps.map(({ endpointId: _e, ...s }) => s)).toEqual(fromSolution);

    await registerSolutionSteps(sb);
    expect([await count("sdkmessageprocessingsteps"), await count("sdkmessageprocessingstepimages")]).toEqual([
      fromSolution.length,
      imageCount,
    ]);

    const invoiceCreate = fromSolution.find((s) => s.primaryEntity === "invoice" && s.message === "Create")!;
    const accountId = await create(sb, "accounts", { name: "Configured" });
    const invoiceId = await create(sb, "invoices", {
      name: "after configure",
      totalamount: 2,
      "customerid_account@odata.bind": `accounts(${accountId})`,
    });
    await sb.webhooks.idle();
    const delivered = rx.received.filter(
      (r) => (r.body.OwningExtension as { Name: string }).Name === invoiceCreate.name,
    );
    expect(delivered).toHaveLength(1);
    expect(delivered[0].body).toMatchObject({
      PrimaryEntityId: invoiceId,
      OwningExtension: { Id: invoiceCreate.id, LogicalName: "sdkmessageprocessingstep" },
    });
    const image = (delivered[0].body.PostEntityImages as { key: string; value: Record<string, unknown> }[])[0];
    expect(Object.keys(attrs(image.value)).sort()).toEqual(invoiceCreate.images[0].attributes.sort());

    // A disabled step stops delivering, as in Dataverse.
    const patch = await call(sb, "PATCH", `sdkmessageprocessingsteps(${invoiceCreate.id})`, {
      body: { statecode: 1, statuscode: 2 },
    });
    expect(patch.status).toBe(204);
    await create(sb, "invoices", { name: "disabled", "customerid_account@odata.bind": `accounts(${accountId})` });
    await sb.webhooks.idle();
    expect(
      rx.received.filter((r) => (r.body.OwningExtension as { Name: string }).Name === invoiceCreate.name),
    ).toHaveLength(1);
  });

  test("step rows take the Web API's navigation property names, case-sensitive", async () => {
    rx = await receiver();
    sb = await startDefault(rx.url);
    const endpointId = String([...sb.store.rows("serviceendpoint")][0].serviceendpointid);
    const r = await call(sb, "PATCH", "sdkmessageprocessingsteps(0e0e0e0e-0000-4000-8000-000000000009)", {
      body: {
        name: "wrong case",
        stage: 40,
        mode: 1,
        "EventHandler_ServiceEndpoint@odata.bind": `/serviceendpoints(${endpointId})`,
      },
    });
    expect(r.status).toBe(400);
    expect(r.json.error?.message).toContain("undeclared property 'EventHandler_ServiceEndpoint'");
    expect((await call(sb, "GET", "sdkmessageprocessingsteps")).json.value).toEqual([]);
  });
});
async function startDefault(webhookUrl: string): Promise<Sandbox> {
  return startSandbox({ webhookUrl, webhookKey: "k", webhookRetryDelayMs: 0, log: () => undefined });
}

import { app, HttpRequest, InvocationContext, type HttpFunctionOptions, type HttpResponseInit } from "@azure/functions";
import { startSandbox, type Sandbox } from "../../local-dataverse";
import { context, entity, money, ref } from "./payloads";

/**
 * The Azure Functions host: the module registers one HTTP trigger with app.http; the test takes the registered
 * options and invokes the handler with an HttpRequest, as the Functions runtime would.
 */
const KEY = "functions-test-key-0123456789";
const TOKEN = "functions-test-token";
let sandbox: Sandbox;
let registered: { name: string; options: HttpFunctionOptions } | undefined;
const saved = { ...process.env };

beforeAll(async () => {
  jest.spyOn(app, "http").mockImplementation((name: string, options: HttpFunctionOptions) => {
    registered = { name, options };
  });
  sandbox = await startSandbox({ port: 0, token: TOKEN, steps: [], log: () => undefined });
  Object.assign(process.env, {
    CT_WEBHOOK_KEY: KEY,
    DATAVERSE_URL: sandbox.origin,
    DATAVERSE_TOKEN: TOKEN,
    LOG_LEVEL: "silent",
  });
  // Loaded after the spy is in place, as the Functions host loads the app module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("../../plugins/functions");
});
afterAll(async () => {
  process.env = saved;
  jest.restoreAllMocks();
  await sandbox.close();
});

const invoke = async (req: HttpRequest): Promise<HttpResponseInit> =>
  (await registered!.options.handler(
    req,
    new InvocationContext({ functionName: registered!.name }),
  )) as HttpResponseInit;

describe("Azure Functions v4 adapter", () => {
  it("registers one anonymous POST trigger on route webhook (api/webhook under the host prefix)", () => {
    expect(registered).toBeDefined();
    expect(registered!.options).toMatchObject({ methods: ["POST"], authLevel: "anonymous", route: "webhook" });
  });

  it("recalculates the account of an invoice through the same handler", async () => {
    const ctx = {
      userId: "5a9d3e42-0c7b-4f7a-9a55-000000000001",
      correlationId: "c0ffee00-0000-4000-8000-000000000002",
      bypassSync: true,
      bypassAsync: true,
    };
    const accountId = sandbox.store.atomically((tx) => sandbox.store.create(tx, "account", { name: "Litware" }, ctx))
      .accountid as string;
    const invoiceId = sandbox.store.atomically((tx) =>
      sandbox.store.create(
        tx,
        "invoice",
        {
          name: "INV-9",
          customerid: { id: accountId, table: "account" },
          totalamount: 777.77,
          statecode: 0,
          overriddencreatedon: Date.now() - 86_400_000,
        },
        ctx,
      ),
    ).invoiceid as string;
    const body = context({
      message: "Create",
      entity: "invoice",
      id: invoiceId,
      target: entity("invoice", invoiceId, { customerid: ref("account", accountId), totalamount_base: money(777.77) }),
    });
    const res = await invoke(
      new HttpRequest({
        method: "POST",
        url: `http://localhost:7071/api/webhook?code=${KEY}`,
        headers: { "content-type": "application/json" },
        body: { string: JSON.stringify(body) },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.jsonBody).toMatchObject({ result: "ok", accounts: [{ accountId, outcome: "updated" }] });
    expect(sandbox.store.get("account", accountId)!.ct_revenue12m).toBe(777.77);
  });

  it("401 without the key, 400 for garbage, 413 over the limit", async () => {
    const url = "http://localhost:7071/api/webhook";
    expect((await invoke(new HttpRequest({ method: "POST", url, body: { string: "{}" } }))).status).toBe(401);
    const garbage = await invoke(
      new HttpRequest({ method: "POST", url, headers: { "x-ct-webhook-key": KEY }, body: { string: "garbage" } }),
    );
    expect(garbage.status).toBe(400);
    expect(garbage.jsonBody).toMatchObject({ error: expect.stringMatching(/^body is not JSON/) });
    const big = await invoke(
      new HttpRequest({ method: "POST", url: `${url}?code=${KEY}`, body: { string: "x".repeat(1024 * 1024 + 1) } }),
    );
    expect(big.status).toBe(413);
  });
});

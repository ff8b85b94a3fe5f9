import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { configureCommand } from "../../cli/commands/configure";
import type { CliIo } from "../../cli/command";
import { WEBHOOK_ENDPOINT_NAME } from "../../solution/scripts/endpoint";
import { readStepRegistrations, SDK_MESSAGE_IDS } from "../../solution/scripts/steps";

/**
 * `tiering configure` against a local stand-in of the Dataverse Web API (127.0.0.1, ephemeral port) that records
 * every request exactly: the endpoint lookup and PATCH, then the step registration (filter look-ups, step and image
 * upserts). test/local-dataverse/webhooks.test.ts runs the same registration against the local Dataverse.
 */

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

const ID = "6f3c0d2e-8a41-4c5b-9e0f-1d2a3b4c5d61";
const KEY = "s3cr3t-Key/with+chars==";
const TOKEN = "eyJ0eXAiOiJKV1Qi.test-token";

let server: Server;
let base: string;
let requests: Recorded[];
let reply: (req: Recorded, res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const r = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      requests.push(r);
      reply(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
});
beforeEach(() => {
  requests = [];
  reply = dataverse([{ serviceendpointid: ID, name: WEBHOOK_ENDPOINT_NAME, contract: 8 }]);
});

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json; odata.metadata=minimal", "OData-Version": "4.0" });
  res.end(JSON.stringify(body));
}

const STEPS = readStepRegistrations();
const MESSAGE_NAMES = new Map<string, string>(Object.entries(SDK_MESSAGE_IDS).map(([name, id]) => [id, name]));

/** The stand-in's sdkmessagefilterid for a message on a table: readable, and different for each pair. */
function filterIdFor(message: string, table: string): string {
  const i = STEPS.findIndex((s) => s.message === message && s.primaryEntity === table);
  return `f17e0000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`;
}

/** Answers the calls configure makes the way the Web API does (an upsert PATCH answers 204 either way). */
function dataverse(endpoints: unknown[]) {
  return (req: Recorded, res: ServerResponse): void => {
    const url = decodeURIComponent(req.url);
    if (req.method === "GET" && url.startsWith("/api/data/v9.2/serviceendpoints?"))
      return json(res, 200, { "@odata.context": "x", value: endpoints });
    const filter =
      /^\/api\/data\/v9\.2\/sdkmessagefilters\?\$select=sdkmessagefilterid&\$filter=primaryobjecttypecode eq '([a-z_]+)' and _sdkmessageid_value eq ([0-9a-f-]{36})$/.exec(
        url,
      );
    if (req.method === "GET" && filter) {
      const message = MESSAGE_NAMES.get(filter[2]) ?? "?";
      return json(res, 200, { value: [{ sdkmessagefilterid: filterIdFor(message, filter[1]) }] });
    }
    if (
      req.method === "PATCH" &&
      (req.url === `/api/data/v9.2/serviceendpoints(${ID})` ||
        /^\/api\/data\/v9\.2\/sdkmessageprocessingstep(image)?s\([0-9a-f-]{36}\)$/.test(req.url))
    ) {
      res.writeHead(204, { "OData-Version": "4.0" });
      return void res.end();
    }
    json(res, 404, { error: { code: "0x80060888", message: "Resource not found for the segment" } });
  };
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  const io: CliIo = { stdout, stderr, cwd: process.cwd() };
  const code = await configureCommand.run(args, io);
  return { code, out, err };
}

const ok = () => [
  "--url",
  base,
  "--endpoint-url",
  "https://tiering.contoso.com/api/webhook",
  "--key",
  KEY,
  "--token",
  TOKEN,
];

describe("tiering configure", () => {
  test("finds the endpoint by name, then PATCHes its url, auth type and key", async () => {
    const r = await run(ok());
    expect(r).toEqual({
      code: 0,
      out: expect.stringContaining(
        `"${WEBHOOK_ENDPOINT_NAME}" (${ID}) now sends to https://tiering.contoso.com/api/webhook`,
      ),
      err: "",
    });
    expect(requests.slice(0, 2).map((q) => `${q.method} ${decodeURIComponent(q.url)}`)).toEqual([
      `GET /api/data/v9.2/serviceendpoints?$select=serviceendpointid,name,contract&$filter=name eq '${WEBHOOK_ENDPOINT_NAME}'`,
      `PATCH /api/data/v9.2/serviceendpoints(${ID})`,
    ]);
    for (const q of requests) {
      expect(q.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(q.headers["odata-version"]).toBe("4.0");
      expect(q.headers["odata-maxversion"]).toBe("4.0");
      expect(q.headers.accept).toBe("application/json");
    }
    const patch = requests[1];
    expect(patch.headers["if-match"]).toBe("*");
    expect(patch.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(patch.body)).toEqual({
      url: "https://tiering.contoso.com/api/webhook",
      authtype: 4,
      authvalue: KEY,
    });
  });

  test("then registers every step and image by its fixed id (upsert PATCH), after the endpoint has its URL", async () => {
    const r = await run(ok());
    const images = STEPS.reduce((n, s) => n + s.images.length, 0);
    expect(r.out).toContain(`Registered ${STEPS.length} webhook steps (${images} images) on it`);
    const want: string[] = [];
    for (const s of STEPS) {
      want.push(
        `GET /api/data/v9.2/sdkmessagefilters?$select=sdkmessagefilterid&$filter=primaryobjecttypecode eq '${s.primaryEntity}' and _sdkmessageid_value eq ${SDK_MESSAGE_IDS[s.message]}`,
        `PATCH /api/data/v9.2/sdkmessageprocessingsteps(${s.id})`,
        ...s.images.map((i) => `PATCH /api/data/v9.2/sdkmessageprocessingstepimages(${i.id})`),
      );
    }
    expect(requests.slice(2).map((q) => `${q.method} ${decodeURIComponent(q.url)}`)).toEqual(want);
    // No POST anywhere: a second run upserts the same ids, so it creates no duplicates.
    expect(requests.filter((q) => q.method === "POST")).toEqual([]);

    const bodies = requests.filter((q) => q.method === "PATCH").map((q) => ({ url: q.url, body: JSON.parse(q.body) }));
    const invoiceUpdate = STEPS.find((s) => s.primaryEntity === "invoice" && s.message === "Update")!;
    const step = bodies.find((b) => b.url.endsWith(`sdkmessageprocessingsteps(${invoiceUpdate.id})`))!;
    expect(step.body).toEqual({
      name: "CustomerTiering: Update of invoice",
      description: invoiceUpdate.description,
      mode: 1,
      stage: 40,
      rank: 1,
      invocationsource: 0,
      supporteddeployment: 0,
      asyncautodelete: true,
      filteringattributes: "customerid,statecode,totalamount,totalamount_base",
      "sdkmessageid@odata.bind": `/sdkmessages(${SDK_MESSAGE_IDS.Update})`,
      "sdkmessagefilterid@odata.bind": `/sdkmessagefilters(${filterIdFor("Update", "invoice")})`,
      "eventhandler_serviceendpoint@odata.bind": `/serviceendpoints(${ID})`,
    });
    const pre = invoiceUpdate.images.find((i) => i.imageType === 0)!;
    expect(bodies.find((b) => b.url.endsWith(`sdkmessageprocessingstepimages(${pre.id})`))!.body).toEqual({
      "sdkmessageprocessingstepid@odata.bind": `/sdkmessageprocessingsteps(${invoiceUpdate.id})`,
      name: "PreImage",
      entityalias: "PreImage",
      imagetype: 0,
      messagepropertyname: "Target",
      attributes: "customerid,totalamount_base,statecode,createdon",
    });
    const create = STEPS.find((s) => s.primaryEntity === "ct_tierpolicy" && s.message === "Create")!;
    const createBody = bodies.find((b) => b.url.endsWith(`sdkmessageprocessingsteps(${create.id})`))!.body;
    expect(createBody.filteringattributes).toBeNull();
    expect(
      bodies.find((b) => b.url.endsWith(`sdkmessageprocessingstepimages(${create.images[0].id})`))!.body,
    ).toMatchObject({ messagepropertyname: "Id", imagetype: 1, attributes: "ct_tier,statecode" });

    // A second run sends the same requests: nothing new.
    const first = requests.map((q) => `${q.method} ${q.url} ${q.body}`);
    requests = [];
    expect((await run(ok())).code).toBe(0);
    expect(requests.map((q) => `${q.method} ${q.url} ${q.body}`)).toEqual(first);
  });

  test("a step the environment refuses stops configure with the Web API's message", async () => {
    const answer = dataverse([{ serviceendpointid: ID, name: WEBHOOK_ENDPOINT_NAME, contract: 8 }]);
    reply = (req, res) =>
      req.url.includes("sdkmessageprocessingsteps(")
        ? json(res, 403, { error: { code: "0x80040220", message: "missing prvCreateSdkMessageProcessingStep" } })
        : answer(req, res);
    const r = await run(ok());
    expect(r.code).toBe(1);
    expect(r.err).toContain(`tiering configure: error: registering the webhook steps on ${base}:`);
    expect(r.err).toContain("403 0x80040220: missing prvCreateSdkMessageProcessingStep");
    expect(requests.filter((q) => q.url.includes("sdkmessageprocessingsteps("))).toHaveLength(1);
  });

  test("the key is never printed", async () => {
    const r = await run(ok());
    expect(r.out + r.err).not.toContain(KEY);
    // Not even when the server echoes it back in an error.
    const lookup = dataverse([{ serviceendpointid: ID, name: WEBHOOK_ENDPOINT_NAME, contract: 8 }]);
    reply = (req, res) =>
      req.method === "GET"
        ? lookup(req, res)
        : json(res, 400, { error: { message: `bad authvalue ${JSON.parse(req.body).authvalue}` } });
    const failed = await run(ok());
    expect(failed.code).toBe(1);
    expect(failed.err).toContain("updating service endpoint");
    expect(failed.err).toContain("bad authvalue [redacted]");
    expect(failed.out + failed.err).not.toContain(KEY);
  });

  test("takes the token from DATAVERSE_TOKEN when --token is not given", async () => {
    const saved = process.env.DATAVERSE_TOKEN;
    process.env.DATAVERSE_TOKEN = "from-env";
    try {
      const r = await run(ok().slice(0, 6));
      expect(r.code).toBe(0);
      expect(requests[0].headers.authorization).toBe("Bearer from-env");
    } finally {
      if (saved === undefined) delete process.env.DATAVERSE_TOKEN;
      else process.env.DATAVERSE_TOKEN = saved;
    }
  });

  test("a name with a quote is escaped as OData wants ('')", async () => {
    reply = dataverse([{ serviceendpointid: ID, name: "O'Brien hook", contract: 8 }]);
    expect((await run([...ok(), "--name", "O'Brien hook"])).code).toBe(0);
    expect(decodeURIComponent(requests[0].url)).toContain("$filter=name eq 'O''Brien hook'");
  });

  test("says what to do when the solution is not imported, the name is ambiguous, or it is no webhook", async () => {
    reply = dataverse([]);
    let r = await run(ok());
    expect([r.code, r.err]).toEqual([
      1,
      expect.stringContaining(
        `no service endpoint named "${WEBHOOK_ENDPOINT_NAME}" in ${base}: import the CustomerTiering solution first`,
      ),
    ]);
    reply = dataverse([
      { serviceendpointid: ID, name: WEBHOOK_ENDPOINT_NAME, contract: 8 },
      { serviceendpointid: ID, name: WEBHOOK_ENDPOINT_NAME, contract: 8 },
    ]);
    r = await run(ok());
    expect(r.err).toContain("2 service endpoints are named");
    reply = dataverse([{ serviceendpointid: ID, name: WEBHOOK_ENDPOINT_NAME, contract: 1 }]);
    r = await run(ok());
    expect(r.err).toContain("has contract 1, not 8 (Webhook)");
    expect(requests.filter((q) => q.method === "PATCH")).toEqual([]);
  });

  test("reports the Web API's error message and status", async () => {
    reply = (_req, res) =>
      json(res, 401, {
        error: { code: "0x80040220", message: "Principal user is missing prvReadServiceEndpoint privilege" },
      });
    const r = await run(ok());
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `tiering configure: error: looking up service endpoint "${WEBHOOK_ENDPOINT_NAME}" at ${base} failed with HTTP 401: Principal user is missing prvReadServiceEndpoint privilege\n`,
    );
  });

  test("an environment that does not answer is an error, not a crash", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await run(["--url", `http://127.0.0.1:${port}`, ...ok().slice(2)]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`tiering configure: error: cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n`);
  });

  test("without a token and without a developer sign-in, it says how to sign in", async () => {
    // The test machines have no `az` and no VS Code sign-in (credential.test.ts covers a signed-in `az`).
    const saved = { token: process.env.DATAVERSE_TOKEN };
    delete process.env.DATAVERSE_TOKEN;
    try {
      const r = await run(["--url", base, "--endpoint-url", "https://x.example/hook", "--key", KEY]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^tiering configure: error: no access token for http:\/\/127\.0\.0\.1:\d+: run `az login`/);
    } finally {
      if (saved.token !== undefined) process.env.DATAVERSE_TOKEN = saved.token;
    }
    expect(requests).toEqual([]);
  });

  test("bad usage is a UsageError naming the option", async () => {
    await expect(
      run(["--url", base, "--endpoint-url", "http://tiering.contoso.com/hook", "--key", KEY, "--token", TOKEN]),
    ).rejects.toThrow(/--endpoint-url http:\/\/tiering.contoso.com must use https/);
    await expect(
      run(["--url", "contoso", "--endpoint-url", "https://x.example/hook", "--key", KEY, "--token", TOKEN]),
    ).rejects.toThrow(/--url is not an absolute URL \(value not shown/);
    await expect(run(["--url", base, "--endpoint-url", "https://x.example/hook", "--token", TOKEN])).rejects.toThrow(
      /--key is required/,
    );
    expect(requests).toEqual([]);
  });
});

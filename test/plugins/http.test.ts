import { request } from "node:http";
import { context, entity } from "./payloads";
import { KEY, startStack, type Stack } from "./stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const noop = () => {
  const id = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  return JSON.stringify(
    context({ message: "Update", entity: "lead", id, target: entity("lead", id, { subject: "x" }) }),
  );
};

async function post(
  query: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(stack.pluginUrl + query, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("webhook endpoint over HTTP", () => {
  it("accepts the key as ?code= (WebhookKey) and as the x-ct-webhook-key header (HttpHeader)", async () => {
    expect((await post(`?code=${KEY}`, noop())).status).toBe(200);
    expect((await post("", noop(), { "x-ct-webhook-key": KEY })).status).toBe(200);
  });

  it.each([
    ["no key", "", {}],
    ["a wrong key", "?code=wrong-key-wrong-key-wrong", {}],
    ["a key differing in its last character", `?code=${KEY.slice(0, -1)}X`, {}],
    ["the key in another header", "", { "x-functions-key": KEY }],
  ])("401 with %s", async (_label, query, headers) => {
    const r = await post(query, noop(), headers as Record<string, string>);
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ error: "missing or wrong webhook key" });
  });

  it("401 comes before the body is looked at", async () => {
    expect((await post("", "not json")).status).toBe(401);
  });

  it("400 for a body that is not JSON", async () => {
    const r = await post(`?code=${KEY}`, "<xml/>");
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/^body is not JSON/);
  });

  it("400 naming the property for JSON that is not a RemoteExecutionContext", async () => {
    const body = JSON.parse(noop()) as Record<string, unknown>;
    delete body.OperationId;
    const r = await post(`?code=${KEY}`, JSON.stringify(body));
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/^not a RemoteExecutionContext: OperationId: /);
    expect((await post(`?code=${KEY}`, "[]")).json.error).toMatch(/not a RemoteExecutionContext: \(body\)/);
  });

  it("413 for a body over 1 MiB, declared or streamed", async () => {
    const big = JSON.stringify({ pad: "x".repeat(1024 * 1024) });
    expect((await post(`?code=${KEY}`, big)).status).toBe(413);
    // Chunked, no Content-Length: the server stops reading at the limit.
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(stack.pluginUrl + `?code=${KEY}`);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method: "POST",
          headers: { "transfer-encoding": "chunked" },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      for (let i = 0; i < 17; i++) req.write("y".repeat(64 * 1024));
      req.end();
    });
    expect(status).toBe(413);
  });

  it("405 for another method and 404 for another path", async () => {
    expect((await fetch(`${stack.pluginUrl}?code=${KEY}`)).status).toBe(405);
    expect(
      (await fetch(stack.pluginUrl.replace("/api/webhook", "/api/other"), { method: "POST", body: "{}" })).status,
    ).toBe(404);
  });

  it("an unrelated table is answered 200 with the no-op reason", async () => {
    const r = await post(`?code=${KEY}`, noop());
    expect(r.json).toEqual({ result: "noop", reason: "table lead does not affect tiers" });
    expect(stack.logs.some((l) => l.includes('"msg":"no-op"') && l.includes("table lead does not affect tiers"))).toBe(
      true,
    );
  });
});

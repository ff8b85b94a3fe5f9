import { createWebhookServer, listen, shutdown } from "../../plugins/server";
import type { Service } from "../../plugins/service";
import { createLogger } from "../../plugins/log";
import { readConfig } from "../../plugins/config";
import { startPlugin } from "../../plugins";

describe("standalone server", () => {
  it("graceful shutdown: stops accepting, lets the request in flight finish with its answer", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const inFlight = new Promise<void>((r) => (started = r));
    const service: Service = {
      logger: createLogger("silent"),
      config: readConfig({ CT_WEBHOOK_KEY: "k".repeat(16), DATAVERSE_URL: "http://127.0.0.1:9", DATAVERSE_TOKEN: "t" }),
      handle: async () => {
        started();
        await gate;
        return { status: 200, body: { result: "ok" } };
      },
    };
    const server = createWebhookServer(service);
    const port = await listen(server, 0, "127.0.0.1");
    const url = `http://127.0.0.1:${port}/api/webhook`;
    const answer = fetch(url, { method: "POST", body: "{}" }).then(async (r) => [r.status, await r.json()] as const);
    await inFlight;
    let closed = false;
    const stopping = shutdown(server, 10_000).then(() => (closed = true));
    expect(server.listening).toBe(false);
    expect(closed).toBe(false);
    release();
    await expect(answer).resolves.toEqual([200, { result: "ok" }]);
    await stopping;
    expect(closed).toBe(true);
  });

  it("GET /healthz answers without a key; other paths are 404", async () => {
    const service = {
      logger: createLogger("silent"),
      config: {} as Service["config"],
      handle: () => Promise.reject(new Error("not reached")),
    } as Service;
    const server = createWebhookServer(service);
    const port = await listen(server, 0, "127.0.0.1");
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    await shutdown(server, 1000);
  });
});

describe("startPlugin (in-process, for npm start)", () => {
  it("listens on the configured host and a free port, and closes", async () => {
    const p = await startPlugin({
      env: {
        CT_WEBHOOK_KEY: "k".repeat(16),
        DATAVERSE_URL: "http://127.0.0.1:9",
        DATAVERSE_TOKEN: "t",
        LOG_LEVEL: "silent",
      },
      port: 0,
    });
    expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/webhook$/);
    expect((await fetch(p.url, { method: "POST", body: "{}" })).status).toBe(401);
    await p.close();
  });
});

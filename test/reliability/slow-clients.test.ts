import type { Server } from "node:http";
import { readConfig } from "../../plugins/config";
import { createLogger } from "../../plugins/log";
import { createWebhookServer, listen, shutdown } from "../../plugins/server";
import { createService } from "../../plugins/service";
import { MAX_BODY_BYTES } from "../../plugins/webhook/handler";
import { emptyGateway, rawClient, statusOf, trackBytesRead } from "./helpers";

const KEY = "slow-client-key-0123456789abcdef";

describe("slow, stalled and oversized clients (raw sockets)", () => {
  let server: Server;
  let bytesRead: number[];
  let p: number;
  // The request limit of the server each test gets; the oversized-body tests raise it (below).
  let requestMs = 600;

  beforeEach(async () => {
    const service = createService(
      readConfig({ CT_WEBHOOK_KEY: KEY, DATAVERSE_URL: "http://127.0.0.1:9", DATAVERSE_TOKEN: "t" }),
      {
        gateway: emptyGateway,
        logger: createLogger("silent"),
      },
    );
    // Short limits so the test does not wait; the defaults are 10 s for headers and 30 s for the request.
    server = createWebhookServer(service, { headersMs: 300, requestMs, checkIntervalMs: 50 });
    bytesRead = trackBytesRead(server);
    p = await listen(server, 0, "127.0.0.1");
  });
  afterEach(() => shutdown(server, 100));

  it("headers that never finish: 408 and the connection is closed", async () => {
    const c = await rawClient(p);
    c.socket.write(`POST /api/webhook?code=${KEY} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n`);
    const raw = await c.closed;
    expect(statusOf(raw)).toBe(408);
  });

  it("headers dripped a byte at a time (slowloris): cut off, not held open", async () => {
    const c = await rawClient(p);
    const text = `POST /api/webhook?code=${KEY} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${"a".repeat(400)}\r\n\r\n{}`;
    let i = 0;
    const drip = setInterval(() => {
      if (!c.socket.destroyed && i < text.length) c.socket.write(text[i++]);
    }, 10);
    const raw = await c.closed;
    clearInterval(drip);
    expect(i).toBeLessThan(text.length);
    expect(statusOf(raw)).toBe(408);
  });

  it("a body that stalls half-way: the connection is closed, the handler never sees it", async () => {
    const c = await rawClient(p);
    c.socket.write(
      `POST /api/webhook?code=${KEY} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{"MessageName":`,
    );
    const raw = await c.closed;
    // Node answers 408 when it can; either way no 2xx/5xx and no socket left open.
    expect(raw === "" || statusOf(raw) === 408).toBe(true);
  });

  describe("oversized bodies", () => {
    // Sending a megabyte on a loaded machine may take longer than the slow-client limit; these tests are about size.
    beforeAll(() => void (requestMs = 10_000));
    afterAll(() => void (requestMs = 600));

    it("a declared oversized body: 413 at once, the body is not read", async () => {
      const c = await rawClient(p);
      c.socket.write(
        `POST /api/webhook?code=${KEY} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${50 * MAX_BODY_BYTES}\r\n\r\n`,
      );
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      // Keep sending until the server hangs up.
      let sent = 0;
      while (!c.socket.destroyed && sent < 50 * MAX_BODY_BYTES) {
        sent += chunk.length;
        if (!c.socket.write(chunk)) await new Promise((r) => setTimeout(r, 5));
        if (statusOf(c.received()) > 0) break;
      }
      const raw = await c.closed;
      expect(statusOf(raw)).toBe(413);
      await new Promise((r) => setTimeout(r, 20));
      expect(bytesRead.length).toBe(1);
      expect(bytesRead[0]).toBeLessThan(MAX_BODY_BYTES);
    });

    it("an undeclared (chunked) oversized body: 413 at the limit, the rest is not read", async () => {
      const c = await rawClient(p);
      c.socket.write(`POST /api/webhook?code=${KEY} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      while (!c.socket.destroyed && sent < 40 * MAX_BODY_BYTES && statusOf(c.received()) !== 413) {
        sent += chunk.length;
        c.socket.write(`${chunk.length.toString(16)}\r\n`);
        if (!c.socket.write(Buffer.concat([chunk, Buffer.from("\r\n")]))) await new Promise((r) => setTimeout(r, 5));
      }
      const raw = await c.closed;
      expect(statusOf(raw)).toBe(413);
      await new Promise((r) => setTimeout(r, 20));
      // Read up to the limit plus what was in flight on loopback, far short of the 40 MiB offered.
      expect(bytesRead[0]).toBeLessThan(8 * MAX_BODY_BYTES);
    });
  });

  it("without the key, a large body is refused (401) without being read", async () => {
    const c = await rawClient(p);
    c.socket.write(`POST /api/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${MAX_BODY_BYTES - 10}\r\n\r\n`);
    c.socket.write(Buffer.alloc(1024, 0x20));
    const raw = await c.closed;
    expect(statusOf(raw)).toBe(401);
    await new Promise((r) => setTimeout(r, 20));
    expect(bytesRead[0]).toBeLessThan(MAX_BODY_BYTES / 2);
  });

  it("a normal request on the same server still answers", async () => {
    const res = await fetch(`http://127.0.0.1:${p}/api/webhook?code=${KEY}`, { method: "POST", body: "{}" });
    expect(res.status).toBe(400);
  });
});

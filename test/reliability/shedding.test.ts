import { connect } from "node:net";
import { Writable } from "node:stream";
import { readConfig } from "../../plugins/config";
import type { DataverseGateway } from "../../plugins/dataverse/gateway";
import { createLogger } from "../../plugins/log";
import { KeyedLock, Overloaded } from "../../plugins/keyed-lock";
import { ModelCache } from "../../plugins/recalc/model-cache";
import { Recalculator } from "../../plugins/recalc/recalculate";
import { createWebhookServer, listen, MAX_SHED_DRAIN_BYTES, shutdown } from "../../plugins/server";
import type { Service } from "../../plugins/service";
import { handleWebhook } from "../../plugins/webhook/handler";
import { context, entity, money, option, ref } from "../plugins/payloads";

/**
 * Issue 17: every request gets an answer and the service sheds load. A cap on requests in flight and a bounded
 * per-account queue answer 503 with Retry-After beyond them; /healthz is answered whatever the load; an unexpected
 * error after the body was read is a 500, not a socket left open.
 */
const KEY = "shedding-test-webhook-key-0123456";
const ACCOUNT = "1d6f7f0e-1111-4a5b-9c0d-000000000017";
const INVOICE = "2e6f7f0e-1111-4a5b-9c0d-000000000017";

function config(env: Record<string, string> = {}) {
  return readConfig({ CT_WEBHOOK_KEY: KEY, DATAVERSE_URL: "http://127.0.0.1:9", DATAVERSE_TOKEN: "t", ...env });
}

function logSink(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  return {
    lines,
    stream: new Writable({
      write(c: Buffer, _e, done) {
        lines.push(...c.toString("utf8").split("\n").filter(Boolean));
        done();
      },
    }),
  };
}

const delivery = JSON.stringify(
  context({
    message: "Update",
    entity: "invoice",
    id: INVOICE,
    target: entity("invoice", INVOICE, { totalamount_base: money(100), statecode: option(2) }),
    post: { customerid: ref("account", ACCOUNT), totalamount_base: money(100), statecode: option(2) },
  }),
);

describe("the server answers every request", () => {
  it("an unexpected error after the body was read is answered 500 (not decided by req.destroyed)", async () => {
    const service: Service = {
      logger: createLogger("silent"),
      config: config(),
      handle: async (req) => {
        await req.readBody(); // once read, req.destroyed is true: the old catch then sent nothing
        throw new RangeError("Maximum call stack size exceeded");
      },
    };
    const server = createWebhookServer(service);
    const url = `http://127.0.0.1:${await listen(server, 0, "127.0.0.1")}/api/webhook`;
    try {
      const res = await fetch(url, { method: "POST", body: "{}", signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: "internal error; see the service log" });
    } finally {
      await shutdown(server, 1000);
    }
  });
});

describe("load shedding", () => {
  it("beyond CT_MAX_IN_FLIGHT: 503 with Retry-After, the body unread; /healthz still answers; the cap frees up", async () => {
    const releases: Array<() => void> = [];
    let started = 0;
    const service: Service = {
      logger: createLogger("silent"),
      config: config({ CT_MAX_IN_FLIGHT: "2", CT_RETRY_AFTER_SECONDS: "7" }),
      handle: async () => {
        started++;
        await new Promise<void>((r) => releases.push(r));
        return { status: 200, body: { result: "ok" } };
      },
    };
    expect(service.config.shedding).toEqual({ maxInFlight: 2, maxQueuePerAccount: 32, retryAfterSeconds: 7 });
    const server = createWebhookServer(service);
    const base = `http://127.0.0.1:${await listen(server, 0, "127.0.0.1")}`;
    try {
      const held = [1, 2].map(() => fetch(`${base}/api/webhook`, { method: "POST", body: "{}" }));
      while (started < 2) await new Promise((r) => setTimeout(r, 5));
      const shed = await fetch(`${base}/api/webhook`, { method: "POST", body: "{}" });
      expect(shed.status).toBe(503);
      expect(shed.headers.get("retry-after")).toBe("7");
      expect(((await shed.json()) as { error: string }).error).toMatch(/^overloaded: 2 requests in flight/);
      expect(started).toBe(2);
      const t0 = performance.now();
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "ok", inFlight: 2 });
      expect(performance.now() - t0).toBeLessThan(1000);
      releases.forEach((r) => r());
      expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
      // Once answered, they no longer count.
      const again = fetch(`${base}/api/webhook`, { method: "POST", body: "{}" });
      while (started < 3) await new Promise((r) => setTimeout(r, 5));
      releases[2]();
      expect((await again).status).toBe(200);
    } finally {
      releases.forEach((r) => r());
      await shutdown(server, 1000);
    }
  });

  it("a shed delivery of a few KB keeps its connection open; a larger one is not read and the connection closes", async () => {
    let release!: () => void;
    const service: Service = {
      logger: createLogger("silent"),
      config: config({ CT_MAX_IN_FLIGHT: "1" }),
      handle: async () => {
        await new Promise<void>((r) => (release = r));
        return { status: 200, body: { result: "ok" } };
      },
    };
    const server = createWebhookServer(service);
    const port = await listen(server, 0, "127.0.0.1");
    // Raw sockets: what matters is whether one connection carries the next request.
    const exchange = (bytes: string, answers: number): Promise<{ text: string; closed: boolean }> =>
      new Promise((resolve, reject) => {
        const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
        let text = "";
        const done = (closed: boolean): void => {
          socket.destroy();
          resolve({ text, closed });
        };
        socket.on("data", (c: Buffer) => {
          text += c.toString("latin1");
          if ((text.match(/HTTP\/1\.1 /g) ?? []).length >= answers && /\r\n\r\n[^]*\}$/.test(text)) done(false);
        });
        socket.on("end", () => done(true));
        setTimeout(() => done(false), 3000).unref();
        socket.on("error", reject);
      });
    const post = (declared: number, body: string): string =>
      `POST /api/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n${body}`;
    try {
      const held = fetch(`http://127.0.0.1:${port}/api/webhook`, { method: "POST", body: "{}" });
      while (!release) await new Promise((r) => setTimeout(r, 5));
      const small = await exchange(post(delivery.length, delivery) + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 2);
      expect(small.text).toMatch(/^HTTP\/1\.1 503 [^]*HTTP\/1\.1 200 [^]*"status":"ok"/);
      expect(small.text.toLowerCase()).not.toContain("connection: close");
      // Waits for a second answer that never comes: the server's close ends the exchange.
      const large = await exchange(post(MAX_SHED_DRAIN_BYTES + 1, "x".repeat(1000)), 2);
      expect(large.text).toMatch(/^HTTP\/1\.1 503 /);
      expect(large.text.toLowerCase()).toContain("connection: close");
      expect(large.closed).toBe(true);
      release();
      expect((await held).status).toBe(200);
    } finally {
      release?.();
      await shutdown(server, 1000);
    }
  });

  it("KeyedLock refuses beyond maxWaiting, and accepts again once the queue drains", async () => {
    const lock = new KeyedLock(1);
    let release!: () => void;
    const first = lock.run("a", () => new Promise<string>((r) => (release = () => r("first"))));
    const second = lock.run("a", async () => "second");
    await expect(lock.run("a", async () => "third")).rejects.toBeInstanceOf(Overloaded);
    // Another key has its own queue.
    await expect(lock.run("b", async () => "other")).resolves.toBe("other");
    release();
    await expect(first).resolves.toBe("first");
    await expect(second).resolves.toBe("second");
    await expect(lock.run("a", async () => "later")).resolves.toBe("later");
    expect(lock.size).toBe(0);
  });

  it("KeyedLock: callers of one group join the waiting task, never the running one; joined callers count", async () => {
    const lock = new KeyedLock(3);
    let release!: () => void;
    let runs = 0;
    const task = (v: string) => async (): Promise<string> => (runs++, v);
    const first = lock.run("a", () => new Promise<string>((r) => (release = () => r("first"))), { group: "g" });
    await Promise.resolve(); // the first task has started
    let joins = 0;
    const onJoin = (): void => void joins++;
    const waiting = [1, 2].map(() => lock.run("a", task("second"), { group: "g", onJoin }));
    const other = lock.run("a", task("other group"), { group: "h", onJoin });
    // Three callers wait (two sharing one task): a fourth is refused.
    await expect(lock.run("a", task("fourth"), { group: "h" })).rejects.toBeInstanceOf(Overloaded);
    release();
    expect(await Promise.all([first, ...waiting, other])).toEqual(["first", "second", "second", "other group"]);
    expect([runs, joins]).toEqual([2, 1]);
    expect(lock.size).toBe(0);
  });

  /**
   * A webhook whose recalculations wait at the account read until `release()`; `reads()` counts the account reads.
   * `maxQueuePerAccount` is the Recalculator's bound on saves waiting behind the running one.
   */
  function blockedWebhook(maxQueuePerAccount: number, retryAfterSeconds?: number) {
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    let reads = 0;
    const gateway: DataverseGateway = {
      retrieve: async () => null,
      retrieveAccount: async (id) => {
        reads++;
        await blocked;
        return { id, etag: 'W/"1"', row: { accountid: id, statecode: 0 } };
      },
      fetch: async () => ({ rows: [], moreRecords: false }),
      query: async () => [],
      commit: async () => undefined,
    };
    const sink = logSink();
    const deps = {
      webhookKeys: [KEY],
      gateway,
      recalculator: new Recalculator(
        gateway,
        new ModelCache(gateway),
        () => Date.UTC(2025, 4, 17),
        null,
        maxQueuePerAccount,
      ),
      logger: createLogger("info", sink.stream),
      deadlineMs: 10_000,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    };
    const req = {
      method: "POST",
      query: new URLSearchParams({ code: KEY }),
      header: () => undefined,
      readBody: async () => Buffer.from(delivery),
    };
    const save = () => handleWebhook(req, deps);
    const firstRead = async (): Promise<void> => {
      while (reads < 1) await new Promise((r) => setTimeout(r, 5));
    };
    return { save, firstRead, release, reads: () => reads, sink };
  }

  it("saves of one account waiting behind a running recalculation share one recalculation", async () => {
    const w = blockedWebhook(32);
    const running = w.save();
    await w.firstRead();
    const burst = Array.from({ length: 20 }, () => w.save());
    const joined = (): number =>
      w.sink.lines.filter((l) => l.includes("joins the recalculation already waiting")).length;
    // The first of the 20 queues a recalculation; the other 19 join it.
    while (joined() < 19) await new Promise((r) => setTimeout(r, 5));
    w.release();
    const answers = await Promise.all([running, ...burst]);
    expect(answers.map((a) => a.status)).toEqual(Array(21).fill(200));
    // The running recalculation, and one more for the 20 saves that came while it ran.
    expect(w.reads()).toBe(2);
    expect(joined()).toBe(19);
  });

  it("saves of one account beyond CT_MAX_QUEUE_PER_ACCOUNT are answered 503 with Retry-After", async () => {
    const w = blockedWebhook(1, 3);
    const running = w.save();
    await w.firstRead();
    const queued = w.save();
    const refused = await w.save();
    expect(refused.status).toBe(503);
    expect(refused.headers).toEqual({ "retry-after": "3" });
    w.release();
    expect((await running).status).toBe(200);
    expect((await queued).status).toBe(200);
    expect(w.sink.lines.some((l) => l.includes("shed: account queue full"))).toBe(true);
  });
});

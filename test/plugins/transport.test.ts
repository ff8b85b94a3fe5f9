import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Deadline, DeadlineExceeded, withDeadline } from "../../plugins/dataverse/deadline";
import { DataverseHttpError } from "../../plugins/dataverse/errors";
import { StaticToken, type TokenProvider } from "../../plugins/dataverse/token";
import { HttpTransport, retryAfterMs } from "../../plugins/dataverse/transport";

/** A scripted HTTP server: each request gets the next answer of the script. */
async function scripted(
  answers: ((req: IncomingMessage, res: ServerResponse) => void)[],
): Promise<{ url: string; seen: IncomingMessage[]; close: () => Promise<void> }> {
  const seen: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req);
    req.resume();
    const next = answers.shift();
    if (!next) {
      res.writeHead(500);
      res.end();
      return;
    }
    next(req, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (_: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
const ok = json(200, { value: [] });
const throttled = (retryAfter: string) =>
  json(
    429,
    { error: { code: "0x80072322", message: "Number of requests exceeded the limit" } },
    { "retry-after": retryAfter },
  );
const unavailable = json(503, { error: { code: "0x80040216", message: "unavailable" } });

function transport(url: string, waits: number[], tokens: TokenProvider = new StaticToken("t0k3n")): HttpTransport {
  return new HttpTransport({
    server: url,
    tokens,
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, reserveMs: 50 },
    random: () => 0.5,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
}

describe("HttpTransport retries", () => {
  it("honours Retry-After on 429 and sends the bearer token", async () => {
    const s = await scripted([throttled("2"), ok]);
    const waits: number[] = [];
    const res = await transport(s.url, waits).send("GET", `${s.url}/api/data/v9.2/accounts`, {});
    expect(res.status).toBe(200);
    expect(waits).toEqual([2000]);
    expect(s.seen.map((r) => r.headers.authorization)).toEqual(["Bearer t0k3n", "Bearer t0k3n"]);
    await s.close();
  });

  it("backs off exponentially with jitter on 5xx", async () => {
    const s = await scripted([unavailable, unavailable, unavailable, ok]);
    const waits: number[] = [];
    await transport(s.url, waits).send("GET", "accounts", {});
    // Full jitter with random() = 0.5: half of 100, 200, 400.
    expect(waits).toEqual([50, 100, 200]);
    await s.close();
  });

  it("gives up after maxAttempts with the service's error", async () => {
    const s = await scripted([unavailable, unavailable, unavailable, unavailable, ok]);
    const err = await transport(s.url, [])
      .send("GET", "accounts", {})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataverseHttpError);
    expect(err).toMatchObject({ status: 503, code: "0x80040216", transient: true });
    expect(s.seen).toHaveLength(4);
    await s.close();
  });

  it("does not wait past the deadline: a Retry-After longer than the time left ends the call", async () => {
    const s = await scripted([throttled("30"), ok]);
    const waits: number[] = [];
    const err = await withDeadline(Deadline.in(5_000), () => transport(s.url, waits).send("GET", "accounts", {})).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ status: 429 });
    expect(waits).toEqual([]);
    expect(s.seen).toHaveLength(1);
    await s.close();
  });

  it("an expired deadline stops before sending", async () => {
    const s = await scripted([ok]);
    const err = await withDeadline(new Deadline(0), () => transport(s.url, []).send("GET", "accounts", {})).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeadlineExceeded);
    expect(s.seen).toHaveLength(0);
    await s.close();
  });

  it("4xx other than 429 is not retried", async () => {
    const s = await scripted([
      json(404, { error: { code: "0x80040217", message: "account With Id = x Does Not Exist" } }),
      ok,
    ]);
    const err = await transport(s.url, [])
      .send("GET", "accounts(x)", {})
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404, code: "0x80040217", transient: false });
    expect(s.seen).toHaveLength(1);
    await s.close();
  });

  it("on 401 fetches a new token once and retries", async () => {
    const s = await scripted([json(401, { error: { code: "0x80072560", message: "not authenticated" } }), ok]);
    let n = 0;
    let invalidated = 0;
    const tokens: TokenProvider = { get: async () => `token-${++n}`, invalidate: () => void invalidated++ };
    await transport(s.url, [], tokens).send("GET", "accounts", {});
    expect(invalidated).toBe(1);
    expect(s.seen.map((r) => r.headers.authorization)).toEqual(["Bearer token-1", "Bearer token-2"]);
    await s.close();
  });

  it("parses Retry-After as seconds or an HTTP date", () => {
    expect(retryAfterMs("3")).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs("soon")).toBeNull();
    expect(retryAfterMs(null)).toBeNull();
  });
});

describe("stalled connections", () => {
  it("an attempt that gets no answer is abandoned after attemptTimeoutMs and retried", async () => {
    const s = await scripted([() => undefined /* never answers */, ok]);
    const waits: number[] = [];
    const t = new HttpTransport({
      server: s.url,
      tokens: new StaticToken("x"),
      retry: { attemptTimeoutMs: 200, baseDelayMs: 10 },
      random: () => 0,
      sleep: async (ms) => void waits.push(ms),
    });
    const res = await t.send("GET", "accounts", {});
    expect(res.status).toBe(200);
    expect(s.seen).toHaveLength(2);
    await s.close();
  });
});

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { readLimited } from "./body";
import { ConfigError, readConfig } from "./config";
import { createService, type Service } from "./service";
import { MAX_BODY_BYTES, shed, WEBHOOK_PATH } from "./webhook/handler";

/** A shed request's body up to this size is discarded rather than the connection closed (a Dataverse delivery is a few KB). */
export const MAX_SHED_DRAIN_BYTES = 64 * 1024;

/** How long a client may take; a slow or stalled one is answered 408 and cut off rather than held open. */
export interface ServerTimeouts {
  /** Until the request headers are complete. */
  headersMs: number;
  /** Until the whole request (headers and body) is in. */
  requestMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
  /** How often Node looks for connections past headersMs / requestMs (its default, 30 s, would let them linger). */
  checkIntervalMs: number;
}

export const DEFAULT_TIMEOUTS: ServerTimeouts = {
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 5_000,
  checkIntervalMs: 1_000,
};

/** The standalone host: node:http on PORT (7071, like the Functions host), POST /api/webhook. */
export function createWebhookServer(service: Service, timeouts: Partial<ServerTimeouts> = {}): Server {
  const t = { ...DEFAULT_TIMEOUTS, ...timeouts };
  const gate = { inFlight: 0 };
  const server = createServer(
    {
      headersTimeout: t.headersMs,
      requestTimeout: t.requestMs,
      keepAliveTimeout: t.keepAliveMs,
      connectionsCheckingInterval: t.checkIntervalMs,
      // Node's default, stated so it cannot widen unnoticed: Dataverse sends a handful of headers; more is refused (431).
      maxHeaderSize: 16 * 1024,
    },
    (req, res) => {
      void serve(service, gate, req, res);
    },
  );
  return server;
}

function send(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

async function serve(
  service: Service,
  gate: { inFlight: number },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let counted = false;
  try {
    const url = new URL(req.url ?? "/", "http://localhost");
    // Answered before the cap and without touching Dataverse, so a loaded service still shows it is alive.
    if (url.pathname === "/healthz" && req.method === "GET")
      return send(res, 200, { status: "ok", inFlight: gate.inFlight });
    if (url.pathname !== WEBHOOK_PATH)
      return send(res, 404, { error: `no route ${url.pathname}; the webhook is POST ${WEBHOOK_PATH}` });
    const { maxInFlight, retryAfterSeconds } = service.config.shedding;
    // NaN when the body is unsized (chunked) or the header is not a number.
    const declared = Number(req.headers["content-length"]);
    if (gate.inFlight >= maxInFlight) {
      // Shed (issue 17). A small declared body is left for Node to discard so the connection stays open: a caller
      // that reconnects after every 503 costs both sides a new connection (and TLS handshake) each time, which
      // under overload is what starves the requests that were accepted. A large or unsized body is not read.
      const out = shed(`${gate.inFlight} requests in flight`, retryAfterSeconds);
      if (!(declared <= MAX_SHED_DRAIN_BYTES)) res.setHeader("connection", "close");
      return send(res, out.status, out.body, out.headers);
    }
    gate.inFlight++;
    counted = true;
    let tooLarge = false;
    const readBody = async (): Promise<Buffer | "too-large"> => {
      const body =
        Number.isFinite(declared) && declared > MAX_BODY_BYTES ? "too-large" : await readLimited(req, MAX_BODY_BYTES);
      tooLarge = body === "too-large";
      return body;
    };
    const header = (name: string): string | undefined => {
      const v = req.headers[name.toLowerCase()];
      return Array.isArray(v) ? v.join(", ") : v;
    };
    const out = await service.handle({ method: req.method ?? "GET", query: url.searchParams, header, readBody });
    // An unread (rejected or oversized) body is not drained: close the connection instead.
    if (tooLarge || !req.readableEnded) res.setHeader("connection", "close");
    send(res, out.status, out.body, out.headers);
  } catch (e) {
    // Decided by the response, not the request: req.destroyed is true once a body has been read, and a caller
    // whose body was read still waits for an answer (issue 17: a stack overflow left such sockets open for ever).
    const err = e instanceof Error ? e.name : typeof e;
    if (res.destroyed || res.writableEnded) {
      service.logger.warn({ err }, "request failed after its answer was sent or its client went away");
    } else if (!res.headersSent) {
      service.logger.error({ err }, "request failed");
      res.setHeader("connection", "close");
      send(res, 500, { error: "internal error; see the service log" });
    } else {
      service.logger.error({ err }, "request failed mid-answer");
      res.destroy();
    }
  } finally {
    if (counted) gate.inFlight--;
  }
}

/** Starts listening; resolves with the bound port. */
export function listen(server: Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const addr = server.address();
      resolve(typeof addr === "object" && addr ? addr.port : port);
    });
  });
}

/** Stops accepting, lets requests in flight finish (their writes must commit), then closes idle connections. */
export function shutdown(server: Server, graceMs = 20_000): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    // A keep-alive connection turns idle once its last answer is sent: close it then, not at its keep-alive timeout.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearTimeout(force);
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}

async function main(): Promise<void> {
  let service: Service;
  try {
    service = createService(readConfig());
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`configuration error: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const server = createWebhookServer(service);
  const port = await listen(server, service.config.port, service.config.host);
  service.logger.info({ host: service.config.host, port, path: WEBHOOK_PATH }, "plugin service listening");
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    service.logger.info({ signal }, "shutting down");
    void shutdown(server).then(() => {
      service.logger.flush();
      process.exit(0);
    });
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

if (require.main === module) void main();

import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/** One HTTP answer, body read in full. */
export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
}

export interface HttpExchangeRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

// Keep-alive pools for the service's few origins (Dataverse, the local one in tests). Idle sockets are unref'd by
// Node, so a CLI run still exits; Node drops a pooled socket before the server's advertised Keep-Alive timeout.
const httpAgent = new HttpAgent({ keepAlive: true });
const httpsAgent = new HttpsAgent({ keepAlive: true });

function collect(res: IncomingMessage): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("error", reject);
    res.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers))
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      resolve({
        status: res.statusCode ?? 0,
        statusText: res.statusMessage ?? "",
        headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
    });
  });
}

/**
 * node:http(s) under the transport. Measured against global fetch (undici) in `npm run load`: fetch's web streams,
 * abort signals and header objects were a fifth of the plugin's CPU under overload (issue 17). No redirect is
 * followed, so a bearer token never travels to another host.
 * `send` is looked up on this object at each call, so a test can wrap it (count or interrupt requests).
 */
export const httpExchange = {
  send(r: HttpExchangeRequest): Promise<HttpAnswer> {
    const url = new URL(r.url);
    const secure = url.protocol === "https:";
    const headers: Record<string, string | number> = { ...r.headers };
    if (r.body !== undefined) headers["content-length"] = Buffer.byteLength(r.body);
    return new Promise((resolve, reject) => {
      const req = (secure ? httpsRequest : httpRequest)(
        url,
        { method: r.method, headers, agent: secure ? httpsAgent : httpAgent, signal: r.signal },
        (res) => collect(res).then(resolve, reject),
      );
      req.on("error", reject);
      req.end(r.body);
    });
  },
};

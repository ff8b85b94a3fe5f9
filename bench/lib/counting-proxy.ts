import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CountingProxy {
  origin: string;
  /** HTTP requests forwarded since the last reset, by method ($batch POSTs under "BATCH"). */
  counts: Record<string, number>;
  total(): number;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of the sandbox that counts the Web API requests a client (the plugin, the re-rank)
 * makes: the figure Dataverse's service protection limits are about. Listens on 127.0.0.1, ephemeral port.
 */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const to = new URL(target);
  const counts: Record<string, number> = {};
  const server: Server = createServer((req, res) => {
    const kind = req.method === "POST" && (req.url ?? "").includes("$batch") ? "BATCH" : (req.method ?? "GET");
    counts[kind] = (counts[kind] ?? 0) + 1;
    const up = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", (e) => {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`counting proxy: ${e.message}`);
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    counts,
    total: () => Object.values(counts).reduce((a, b) => a + b, 0),
    reset: () => Object.keys(counts).forEach((k) => delete counts[k]),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CountingProxy {
  origin: string;
  /** HTTP requests forwarded since the last reset, by method ($batch POSTs under "BATCH"). */
  counts: Record<string, number>;
  total(): number;
  /**
   * The same requests with every `$batch` counted as the requests inside it (an UpdateMultiple inside counts once):
   * Learn says a batch counts once against the service-protection request-count limit, while Power Platform request
   * entitlements count each operation in it, so both figures are reported.
   * https://learn.microsoft.com/power-apps/developer/data-platform/api-limits
   * https://learn.microsoft.com/power-platform/admin/api-request-limits-allocations
   */
  batchPartsCounted(): number;
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
  let batchParts = 0;
  const server: Server = createServer((req, res) => {
    const kind = req.method === "POST" && (req.url ?? "").includes("$batch") ? "BATCH" : (req.method ?? "GET");
    counts[kind] = (counts[kind] ?? 0) + 1;
    if (kind === "BATCH") {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => (batchParts += countBatchParts(Buffer.concat(chunks).toString("utf8"))));
    }
    const up = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
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
    batchPartsCounted: () => Object.entries(counts).reduce((a, [k, v]) => a + (k === "BATCH" ? 0 : v), 0) + batchParts,
    reset: () => {
      Object.keys(counts).forEach((k) => delete counts[k]);
      batchParts = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The HTTP request lines inside a `$batch` body (in change sets or not). */
export function countBatchParts(body: string): number {
  return body.match(/^(GET|POST|PATCH|PUT|DELETE) \S+ HTTP\/1\.1\r?$/gm)?.length ?? 0;
}

import type { Server } from "node:http";
import { Writable } from "node:stream";
import { readConfig } from "../../plugins/config";
import { WebApiGateway, type DataverseGateway } from "../../plugins/dataverse/gateway";
import { StaticToken } from "../../plugins/dataverse/token";
import { HttpTransport } from "../../plugins/dataverse/transport";
import { createLogger } from "../../plugins/log";
import { createWebhookServer, listen, shutdown } from "../../plugins/server";
import { createService, type Service } from "../../plugins/service";

export const KEY = "reliability-webhook-key-0123456789";
export const TOKEN = "reliability-sandbox-token";

export interface PluginHostOptions {
  now?: () => number;
  /** Wraps the real gateway of each service instance (e.g. to force 412 conflicts). */
  wrapGateway?: (g: DataverseGateway) => DataverseGateway;
  logLevel?: string;
}

/**
 * The plugin service on a fixed loopback port that can be stopped and started again (a restart: a new service with
 * cold caches and no locks, on the port the sandbox's endpoint points at). Every body it receives is recorded, so a
 * test can deliver it again (duplicates, out of order).
 */
export class PluginHost {
  readonly bodies: Buffer[] = [];
  readonly logs: string[] = [];
  readonly statuses: number[] = [];
  /** Dataverse calls the transport retried (429, 5xx, network). */
  retries = 0;
  private server: Server | null = null;
  private service: Service | null = null;
  private dataverseUrl = "";
  port = 0;

  constructor(private readonly opts: PluginHostOptions = {}) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/api/webhook`;
  }

  /** Binds the port before the sandbox exists (its endpoint needs the URL); requests answer 503 until `connect`. */
  async reserve(): Promise<void> {
    await this.listen(0);
  }

  async connect(dataverseUrl: string): Promise<void> {
    this.dataverseUrl = dataverseUrl;
    this.service = this.build();
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const s = this.server;
    this.server = null;
    await shutdown(s, 2000);
  }

  async restart(): Promise<void> {
    await this.stop();
    this.service = this.build();
    await this.listen(this.port);
  }

  /** A delivery straight to the service over HTTP, as Dataverse would make it. */
  async post(body: Buffer | string): Promise<number> {
    const res = await fetch(`${this.url}?code=${encodeURIComponent(KEY)}`, {
      method: "POST",
      body: typeof body === "string" ? body : new Uint8Array(body),
      headers: { "content-type": "application/json" },
    });
    await res.arrayBuffer();
    return res.status;
  }

  private build(): Service {
    const sink = new Writable({
      write: (chunk: Buffer, _e, done) => {
        this.logs.push(...chunk.toString("utf8").split("\n").filter(Boolean));
        done();
      },
    });
    const config = readConfig({
      CT_WEBHOOK_KEY: KEY,
      DATAVERSE_URL: this.dataverseUrl,
      DATAVERSE_TOKEN: TOKEN,
      LOG_LEVEL: this.opts.logLevel ?? "info",
    });
    const retry = { baseDelayMs: 2, maxDelayMs: 20 };
    const gateway = new WebApiGateway(
      new HttpTransport({
        server: this.dataverseUrl,
        tokens: new StaticToken(TOKEN),
        retry,
        onRetry: () => void this.retries++,
      }),
    );
    return createService(config, {
      logger: createLogger(config.logLevel, sink),
      retry,
      gateway: this.opts.wrapGateway ? this.opts.wrapGateway(gateway) : gateway,
      now: this.opts.now,
    });
  }

  private async listen(port: number): Promise<void> {
    const server = createWebhookServer({
      handle: async (req) => {
        const service = this.service;
        if (!service) return { status: 503, body: { error: "not connected yet" } };
        const body = await req.readBody();
        if (body !== "too-large") this.bodies.push(body);
        const out = await service.handle({ ...req, readBody: async () => body });
        this.statuses.push(out.status);
        return out;
      },
      get logger() {
        return createLogger("silent");
      },
      get config() {
        return readConfig({ CT_WEBHOOK_KEY: KEY, DATAVERSE_URL: "http://127.0.0.1:9", DATAVERSE_TOKEN: TOKEN });
      },
    });
    this.port = await listen(server, port, "127.0.0.1");
    this.server = server;
  }
}

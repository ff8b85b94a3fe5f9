import { Writable } from "node:stream";
import type { Server } from "node:http";
import { startSandbox, userTokens, type Sandbox, type SandboxOptions } from "../../local-dataverse";
import { readConfig } from "../../plugins/config";
import { createLogger } from "../../plugins/log";
import { createWebhookServer, listen, shutdown } from "../../plugins/server";
import { WebApiGateway, type DataverseGateway } from "../../plugins/dataverse/gateway";
import { StaticToken } from "../../plugins/dataverse/token";
import { HttpTransport } from "../../plugins/dataverse/transport";
import { createService, type Service, type ServiceOptions } from "../../plugins/service";
import { registerSolutionSteps } from "./register";

export const KEY = "test-webhook-key-0123456789abcdef";
export const TOKEN = "sandbox-bearer-token-for-tests";

export interface Stack {
  sandbox: Sandbox;
  service: Service;
  pluginUrl: string;
  logs: string[];
  /** Web API call as a client of the sandbox. */
  api(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: Record<string, unknown> }>;
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Sandbox (Dataverse stand-in) + plugin service, both over real HTTP on 127.0.0.1, ephemeral ports; the solution's
 * webhook steps registered on the sandbox's endpoint, as after `tiering configure`.
 */
export async function startStack(
  opts: {
    sandbox?: Partial<SandboxOptions>;
    service?: ServiceOptions;
    env?: Record<string, string>;
    wrapGateway?: (g: DataverseGateway) => DataverseGateway;
  } = {},
): Promise<Stack> {
  // The plugin's port must be known before the sandbox starts, and the sandbox's before the service is built.
  const late: { service?: Service } = {};
  const server: Server = createWebhookServer({
    handle: (r) => late.service!.handle(r),
    get logger() {
      return late.service!.logger;
    },
    get config() {
      return late.service!.config;
    },
  });
  const port = await listen(server, 0, "127.0.0.1");
  const pluginUrl = `http://127.0.0.1:${port}/api/webhook`;
  const sandbox = await startSandbox({
    port: 0,
    token: TOKEN,
    webhookUrl: pluginUrl,
    webhookKey: KEY,
    webhookRetryDelayMs: 10,
    log: () => undefined,
    ...opts.sandbox,
  });
  // The solution ships no steps: register them as `tiering configure` does, unless the test brings its own.
  if (!opts.sandbox?.steps) await registerSolutionSteps(sandbox, TOKEN);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  const config = readConfig({
    CT_WEBHOOK_KEY: KEY,
    DATAVERSE_URL: sandbox.origin,
    DATAVERSE_TOKEN: TOKEN,
    LOG_LEVEL: "debug",
    ...opts.env,
  });
  const retry = { baseDelayMs: 5, maxDelayMs: 50 };
  const gateway = opts.wrapGateway?.(
    new WebApiGateway(new HttpTransport({ server: sandbox.origin, tokens: new StaticToken(TOKEN), retry })),
  );
  const service = (late.service = createService(config, {
    logger: createLogger("debug", sink),
    retry,
    gateway,
    ...opts.service,
  }));
  const api: Stack["api"] = async (method, path, body, headers = {}) => {
    const res = await fetch(sandbox.url + path, {
      method,
      headers: {
        // The test's own writes and reads are an administrator's (seeding users, teams, policies, saving invoices);
        // the plugin calls as the service's application user (TOKEN).
        authorization: `Bearer ${userTokens(TOKEN).admin}`,
        "content-type": "application/json",
        prefer: "return=representation",
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  return {
    sandbox,
    service,
    pluginUrl,
    logs,
    api,
    settle: () => sandbox.webhooks.idle(),
    async close() {
      await sandbox.close();
      await shutdown(server, 1000);
    },
  };
}

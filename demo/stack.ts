/**
 * The whole loop on one machine (issue 5, `npm start`): the sandbox with the demo page, the plugin service with a
 * generated webhook key, `tiering configure` run against the sandbox as its administrator (the solution's service
 * endpoint pointed at the plugin, then the webhook steps registered on it: an import alone registers none), and a
 * first re-rank so tiers exist. Used by sandbox/start.ts and, in-process, by the end-to-end test.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import pino from "pino";
import { startPlugin, type RunningPlugin } from "../plugins";
import { runRerank, type RerankSummary } from "../plugins/rerank";
import { readDefaults } from "../solution/scripts/defaults";
import { configureCommand } from "../cli/commands/configure";
import { CHANNEL_OPTIONS, TIER_OPTIONS } from "../src/engine/choices";
import { loadExportFolder, loadState, saveState } from "../local-dataverse/data-io";
import { sampleSeed } from "../local-dataverse/seed";
import { startSandbox, userTokens, type Sandbox } from "../local-dataverse/server";
import { createDemoHandler } from "./handler";

export interface StackOptions {
  /** Sandbox (Web API + demo page) port; 0 = any free port. */
  sandboxPort: number;
  /** Plugin service port; 0 = any free port. */
  pluginPort: number;
  /** JSON-lines snapshot: loaded at start when it exists, saved by close(). */
  state?: string;
  /** An export folder to load instead of the generated sample. */
  data?: string;
  sampleAccounts?: number;
  sampleSeed?: number;
  /** The built TierBadge (default out/controls/control). */
  controlDir?: string;
  /** SANDBOX_TOKEN: the sandbox then requires it, and the plugin and the demo page send it. */
  token?: string;
  /** The plugin's pino level (default warn: the console stays readable). */
  logLevel?: string;
  /** Progress lines for the console. */
  log?: (line: string) => void;
  /** The sandbox's diagnostics (default: stderr). */
  sandboxLog?: (message: string) => void;
}

export interface Stack {
  demoUrl: string;
  webApiUrl: string;
  webhookUrl: string;
  /** The generated webhook key (WebhookKey auth: sent as ?code=). */
  webhookKey: string;
  seeded: string;
  rerank: RerankSummary;
  /** How long the first re-rank took (for the console; never asserted). */
  rerankMs: number;
  sandbox: Sandbox;
  plugin: RunningPlugin;
  /** Lets webhooks in flight finish, stops the plugin and the sandbox, saves the state file if one was given. */
  close(): Promise<{ savedRows?: number }>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const log = options.log ?? (() => undefined);
  const webhookKey = randomBytes(24).toString("hex");
  let seeded = "";
  // The demo handler is created before the sandbox it waits on exists.
  const dispatcher: { idle?: () => Promise<void> } = {};
  // The service's application user (plugin, re-rank), the administrator (configure, default policies) and the
  // demo page's people each have their own token; the page's are attached by the demo proxy, never sent to it.
  const tokens = userTokens(options.token);
  const sandbox = await startSandbox({
    port: options.sandboxPort,
    token: options.token,
    fallback: createDemoHandler({
      controlDir: options.controlDir,
      tokens,
      webhooksIdle: () => dispatcher.idle?.() ?? Promise.resolve(),
    }),
    log: options.sandboxLog,
    seed: async (store) => {
      if (options.state && existsSync(options.state)) {
        seeded = `${await loadState(store, options.state)} rows from state file ${options.state}`;
      } else if (options.data) {
        const summary = loadExportFolder(store, options.data);
        seeded = `export folder ${options.data}: ${Object.entries(summary)
          .map(([t, n]) => `${n} ${t}`)
          .join(", ")}`;
      } else {
        seeded = (await sampleSeed(store, { accounts: options.sampleAccounts ?? 300, seed: options.sampleSeed ?? 1 }))
          .description;
      }
    },
  });
  dispatcher.idle = () => sandbox.webhooks.idle();
  let plugin: RunningPlugin | undefined;
  try {
    const dataverseToken = tokens.service;
    plugin = await startPlugin({
      port: options.pluginPort,
      env: {
        CT_WEBHOOK_KEY: webhookKey,
        DATAVERSE_URL: sandbox.origin,
        DATAVERSE_TOKEN: dataverseToken,
        HOST: "127.0.0.1",
        LOG_LEVEL: options.logLevel ?? "warn",
      },
    });
    await pointEndpointAt(sandbox.origin, plugin.url, webhookKey, tokens.admin);
    log(`data: ${seeded}`);
    log("first re-rank …");
    const checkpointDir = mkdtempSync(join(tmpdir(), "ct-start-rerank-"));
    let rerank: RerankSummary;
    const started = Date.now();
    try {
      rerank = await runRerank({
        url: sandbox.origin,
        token: dataverseToken,
        checkpointFile: join(checkpointDir, "checkpoint.json"),
        log: pino({ level: "silent" }),
      });
    } finally {
      rmSync(checkpointDir, { recursive: true, force: true });
    }
    const rerankMs = Date.now() - started;
    const policies = await ensurePolicies(sandbox.url, tokens.admin);
    if (policies > 0) log(`created the ${policies} default tier policies (solution/data/defaults.json)`);
    const running = plugin;
    return {
      demoUrl: `${sandbox.origin}/`,
      webApiUrl: sandbox.url,
      webhookUrl: plugin.url,
      webhookKey,
      seeded,
      rerank,
      rerankMs,
      sandbox,
      plugin,
      async close() {
        // Deliveries in flight need the plugin, and the plugin's writes need the sandbox: stop in that order.
        await sandbox.webhooks.idle();
        await running.close();
        await sandbox.close();
        return options.state ? { savedRows: await saveState(sandbox.store, options.state) } : {};
      },
    };
  } catch (e) {
    await plugin?.close().catch(() => undefined);
    await sandbox.close().catch(() => undefined);
    throw e;
  }
}

/**
 * The four ct_tierpolicy rows of solution/data/defaults.json, created through the Web API when the environment has
 * none, as the service does on first run (the re-rank likewise creates the default ct_tiermodel row). The badge
 * shows the tier's service privileges from them. Returns how many rows were created.
 */
async function ensurePolicies(webApiUrl: string, token: string): Promise<number> {
  const headers = {
    Authorization: `Bearer ${token}`,
    Accept: "application/json",
    "Content-Type": "application/json; charset=utf-8",
    "OData-Version": "4.0",
  };
  const existing = await fetch(`${webApiUrl}ct_tierpolicies?$select=ct_tierpolicyid&$top=1`, { headers });
  if (!existing.ok)
    throw new Error(`reading ct_tierpolicies failed with HTTP ${existing.status}: ${await existing.text()}`);
  if (((await existing.json()) as { value: unknown[] }).value.length > 0) return 0;
  const { policies } = readDefaults();
  for (const p of policies) {
    const res = await fetch(`${webApiUrl}ct_tierpolicies`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        ct_name: p.name,
        ct_tier: TIER_OPTIONS[p.tier],
        ct_cadencedays: p.cadenceDays,
        ct_touchchannel: CHANNEL_OPTIONS[p.channel],
        ct_gracedays: p.graceDays,
        ct_touchdormant: p.touchDormant,
        ct_serviceprivileges: p.servicePrivileges,
        ct_responsetimehours: p.responseTimeHours,
      }),
    });
    if (!res.ok)
      throw new Error(`creating the ${p.tier} tier policy failed with HTTP ${res.status}: ${await res.text()}`);
  }
  return policies.length;
}

/**
 * `tiering configure` against the sandbox, as the administrator: the solution's service endpoint now posts to the
 * plugin with the key, and the webhook steps are registered on it (plugins/register-steps.ts, over HTTP).
 */
async function pointEndpointAt(origin: string, webhookUrl: string, key: string, token: string): Promise<void> {
  const out = new PassThrough();
  const err = new PassThrough();
  let errors = "";
  err.on("data", (d: Buffer) => (errors += d.toString()));
  out.resume();
  const code = await configureCommand.run(
    ["--url", origin, "--endpoint-url", webhookUrl, "--key", key, "--token", token],
    {
      stdout: out,
      stderr: err,
      cwd: process.cwd(),
    },
  );
  if (code !== 0) throw new Error(`pointing the sandbox's service endpoint at the plugin failed: ${errors.trim()}`);
}

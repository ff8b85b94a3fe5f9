import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { Writable } from "node:stream";
import { DEFAULT_MODEL } from "../../src/engine/model";
import { rankFacts } from "../../src/engine/rank";
import { rankTableToColumns } from "../../src/engine/rank-table-columns";
import { loadFacts } from "../../src/export-reader/load";
import { readConfig } from "../../plugins/config";
import { WebApiGateway, type DataverseGateway } from "../../plugins/dataverse/gateway";
import { StaticToken } from "../../plugins/dataverse/token";
import { HttpTransport } from "../../plugins/dataverse/transport";
import { createLogger } from "../../plugins/log";
import { createWebhookServer, listen, shutdown } from "../../plugins/server";
import { createService, type Service } from "../../plugins/service";
import { loadExportFolder, startSandbox, userTokens } from "../../local-dataverse";
import { registerSteps } from "../../plugins";
import { WEBHOOK_ENDPOINT_NAME } from "../../solution/scripts/endpoint";
import { readStepRegistrations } from "../../solution/scripts/steps";
import { childMain, type SuiteOptions } from "../lib/child";
import { startCountingProxy } from "../lib/counting-proxy";
import { ensureSample } from "../lib/data";
import type { Figure } from "../lib/report";
import { median, quantile } from "../lib/stats";

const KEY = "bench-webhook-key-0123456789abcdef";
const TOKEN = "bench-sandbox-token";
export const P99_TARGET_MS = 20;
export const REQUESTS_TARGET = 3;

/**
 * Measures the time the plugin spends waiting on Dataverse, so "own" time = webhook time − waiting time. Calls can
 * overlap (the plugin reads in parallel), so it is the union of their intervals: the clock runs while any is in flight.
 */
function timedGateway(inner: DataverseGateway, clock: { ms: number; writes: number }): DataverseGateway {
  let inFlight = 0;
  let since = 0n;
  const time = async <T>(p: () => Promise<T>): Promise<T> => {
    if (inFlight++ === 0) since = process.hrtime.bigint();
    try {
      return await p();
    } finally {
      if (--inFlight === 0) clock.ms += Number(process.hrtime.bigint() - since) / 1e6;
    }
  };
  return {
    retrieve: (t, id, c) => time(() => inner.retrieve(t, id, c)),
    retrieveAccount: (id, c) => time(() => inner.retrieveAccount(id, c)),
    fetch: (e, x) => time(() => inner.fetch(e, x)),
    query: (t, o) => time(() => inner.query(t, o)),
    readAccountAndFetches: (id, c, f) => time(() => inner.readAccountAndFetches!(id, c, f)),
    commit: (ops) => {
      if (ops.length) clock.writes++;
      return time(() => inner.commit(ops));
    },
  };
}

/**
 * On-save (issue 7): the sandbox posts the solution's webhooks to the plugin service over loopback HTTP, no injected
 * latency. Per save: webhook handling time, the plugin's own part of it (minus time waiting on the Web API), Web API
 * requests (counted by a proxy) and write requests. Three saves on each of many accounts: the account's first
 * invoice since the re-rank state was loaded (`first`: the account gets its stored tier, a tier change, so the tier
 * programme also reads the policies), another new invoice (`changed`: facts change, the tier mostly not) and re-saving
 * that invoice with the same amount (`unchanged`: the plugin should write nothing).
 */
type SaveKind = "first" | "changed" | "unchanged";

export async function onSaveSuite(o: SuiteOptions): Promise<Figure[]> {
  const { dir } = await ensureSample(o.size === "tiny" ? "tiny" : "1k", o.log);
  const now = Date.now();
  const ranked = rankFacts(await loadFacts(dir, DEFAULT_MODEL, now), DEFAULT_MODEL);
  const late: { service?: Service } = {};
  const pluginServer: Server = createWebhookServer({
    handle: (r) => late.service!.handle(r),
    get logger() {
      return late.service!.logger;
    },
    get config() {
      return late.service!.config;
    },
  });
  const port = await listen(pluginServer, 0, "127.0.0.1");
  const sandbox = await startSandbox({
    port: 0,
    token: TOKEN,
    webhookUrl: `http://127.0.0.1:${port}/api/webhook`,
    webhookKey: KEY,
    log: () => undefined,
    seed: (store) => {
      loadExportFolder(store, dir);
      // The state after a re-rank: an active model row with the population's cut-points and KPI quantiles.
      store.load("ct_tiermodel", {
        ct_tiermodelid: randomUUID(),
        ct_name: "bench",
        ct_modeljson: "{}",
        ...rankTableToColumns(ranked.table),
        statecode: 0,
        statuscode: 1,
      });
    },
  });
  // The solution ships no steps: registered as `tiering configure` does, before the proxy starts counting.
  const endpoint = [...sandbox.store.rows("serviceendpoint")].find((r) => r.name === WEBHOOK_ENDPOINT_NAME);
  await registerSteps({
    url: sandbox.origin,
    tokens: new StaticToken(userTokens(TOKEN).admin),
    endpointId: String(endpoint?.serviceendpointid),
    steps: readStepRegistrations(),
  });
  const proxy = await startCountingProxy(sandbox.origin);
  const clock = { ms: 0, writes: 0 };
  const gateway = timedGateway(
    new WebApiGateway(new HttpTransport({ server: proxy.origin, tokens: new StaticToken(TOKEN) })),
    clock,
  );
  const config = readConfig({
    CT_WEBHOOK_KEY: KEY,
    DATAVERSE_URL: proxy.origin,
    DATAVERSE_TOKEN: TOKEN,
    LOG_LEVEL: "warn",
  });
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const service = createService(config, { logger: createLogger("warn", sink), gateway });
  const samples: {
    kind: SaveKind;
    total: number;
    own: number;
    requests: number;
    parts: number;
    writes: number;
    status: number;
  }[] = [];
  late.service = {
    ...service,
    handle: async (req) => {
      clock.ms = 0;
      clock.writes = 0;
      proxy.reset();
      const t0 = process.hrtime.bigint();
      const res = await service.handle(req);
      const total = Number(process.hrtime.bigint() - t0) / 1e6;
      samples.push({
        kind: pending,
        total,
        own: total - clock.ms,
        requests: proxy.total(),
        parts: proxy.batchPartsCounted(),
        writes: clock.writes,
        status: res.status,
      });
      return res;
    },
  };
  let pending: SaveKind = "first";
  // The saves are a person's (the administrator's); the plugin calls as its application user (TOKEN), which may not
  // create invoices.
  const api = async (method: string, path: string, body: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(sandbox.url + path, {
      method,
      headers: {
        authorization: `Bearer ${userTokens(TOKEN).admin}`,
        "content-type": "application/json",
        prefer: "return=representation",
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  try {
    const accounts = ranked.facts.accounts;
    const saves = o.size === "tiny" ? 6 : o.quick ? 60 : 200;
    for (let i = 0; i < saves; i++) {
      const a = accounts[(i * 7919) % accounts.length].accountid;
      pending = "first";
      await api("POST", "invoices", {
        name: `BENCH-${i}-0`,
        "customerid_account@odata.bind": `/accounts(${a})`,
        totalamount: 1000 + i,
      });
      await sandbox.webhooks.idle();
      pending = "changed";
      const inv = await api("POST", "invoices", {
        name: `BENCH-${i}`,
        "customerid_account@odata.bind": `/accounts(${a})`,
        totalamount: 100 + i,
      });
      await sandbox.webhooks.idle();
      pending = "unchanged";
      await api("PATCH", `invoices(${String(inv.invoiceid)})`, { totalamount: 100 + i });
      await sandbox.webhooks.idle();
    }
  } finally {
    await sandbox.close();
    await proxy.close();
    await shutdown(pluginServer, 1000);
  }
  const failed = samples.filter((s) => s.status >= 300);
  if (failed.length) throw new Error(`${failed.length} webhooks answered ${failed[0].status}`);
  // The first save warms the model cache and the JIT; it is reported by the max, not by the medians.
  const steady = samples.slice(3);
  const of = (kind: string): typeof samples => steady.filter((s) => s.kind === kind);
  const figures: Figure[] = [];
  for (const kind of ["first", "changed", "unchanged"] as const) {
    const s = of(kind);
    const p = `on_save.${kind}`;
    const own99 = quantile(
      s.map((x) => x.own),
      0.99,
    );
    figures.push(
      {
        name: `${p}.own_p50`,
        value: quantile(
          s.map((x) => x.own),
          0.5,
        ),
        unit: "ms",
      },
      {
        name: `${p}.own_p99`,
        value: own99,
        unit: "ms",
        peer: "target",
        peerValue: P99_TARGET_MS,
        ratio: own99 / P99_TARGET_MS,
      },
      {
        name: `${p}.webhook_p50`,
        value: quantile(
          s.map((x) => x.total),
          0.5,
        ),
        unit: "ms",
      },
      {
        name: `${p}.webhook_p99`,
        value: quantile(
          s.map((x) => x.total),
          0.99,
        ),
        unit: "ms",
      },
      {
        name: `${p}.requests`,
        value: median(s.map((x) => x.requests)),
        unit: "requests/save",
        peer: "target",
        peerValue: REQUESTS_TARGET,
        ratio: median(s.map((x) => x.requests)) / REQUESTS_TARGET,
      },
      { name: `${p}.requests_max`, value: Math.max(...s.map((x) => x.requests)), unit: "requests/save" },
      { name: `${p}.requests_batch_parts_counted`, value: median(s.map((x) => x.parts)), unit: "requests/save" },
      { name: `${p}.write_requests`, value: median(s.map((x) => x.writes)), unit: "writes/save" },
    );
  }
  figures.push({ name: "on_save.webhooks", value: samples.length, unit: "webhooks" });
  return figures;
}

if (require.main === module) childMain(onSaveSuite);

import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { DAY_MS } from "../../src/engine";
import type { Store } from "../../local-dataverse";
import { context, entity, money, option, ref } from "../plugins/payloads";

/**
 * The bounded load run of issue 8: webhook deliveries at a fixed rate (open loop: a slow answer does not slow the
 * sender) against the plugin service, which reads and writes the sandbox. Stops by itself after `seconds`.
 */

export const LOAD_KEY = "load-run-webhook-key-0123456789abc";
export const LOAD_TOKEN = "load-run-sandbox-token";
export const LOAD_AS_OF = Date.UTC(2025, 4, 17, 9, 30);
const sys = {
  userId: "5a9d3e42-0c7b-4f7a-9a55-000000000001",
  correlationId: "c0ffee00-0000-4000-8000-0000000000bb",
  bypassSync: true,
  bypassAsync: true,
};

export interface LoadAccount {
  accountId: string;
  invoiceId: string;
}

/** `accounts` accounts with a few paid invoices each, written without webhooks; returns one invoice per account. */
export function seedLoadData(store: Store, accounts: number): LoadAccount[] {
  const out: LoadAccount[] = [];
  store.atomically((tx) => {
    for (let k = 0; k < accounts; k++) {
      const a = store.create(tx, "account", { name: `Load customer ${k}` }, sys).accountid as string;
      let invoiceId = "";
      for (let j = 0; j < 4; j++) {
        const amount = 100 + ((k * 7919 + j * 104729) % 20_000);
        invoiceId = store.create(
          tx,
          "invoice",
          {
            name: "INV",
            customerid: { id: a, table: "account" },
            totalamount: amount,
            statecode: 2,
            overriddencreatedon: LOAD_AS_OF - ((k + j * 97) % 700) * DAY_MS,
          },
          sys,
        ).invoiceid as string;
      }
      out.push({ accountId: a, invoiceId });
    }
  });
  return out;
}

/** An invoice Update delivery, as the solution's step sends it. */
export function deliveryBody(a: LoadAccount): string {
  return JSON.stringify(
    context({
      message: "Update",
      entity: "invoice",
      id: a.invoiceId,
      target: entity("invoice", a.invoiceId, { totalamount_base: money(100), statecode: option(2) }),
      post: { customerid: ref("account", a.accountId), totalamount_base: money(100), statecode: option(2) },
    }),
  );
}

/** Resident set size of a process in bytes (Linux /proc; the load run is for this machine). */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : NaN;
}

export interface LoadOptions {
  url: string;
  key: string;
  rate: number;
  seconds: number;
  /** Seconds of the same load sent first and left out of the figures (JIT, caches, first writes). */
  warmupSeconds?: number;
  bodies: string[];
  /** Processes whose RSS is sampled each second (name → pid). */
  watch?: Record<string, number>;
  /** Statuses that are an answer, not an error: 503 when the service sheds load (issue 17). */
  expected?: number[];
  /** GET this URL every 100 ms while sending and report the slowest answer (/healthz under load). */
  healthUrl?: string;
  onSecond?: (s: SecondStats) => void;
}

export interface SecondStats {
  second: number;
  sent: number;
  done: number;
  errors: number;
  inFlight: number;
  rss: Record<string, number>;
}

export interface LoadResult {
  sent: number;
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** The same over the deliveries answered 200 only (the accepted ones). */
  acceptedLatencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Share of deliveries answered 503 (shed). */
  shedShare: number;
  /** Slowest /healthz answer while sending, ms (NaN when not probed). */
  healthMaxMs: number;
  /** Index into `bodies` of each delivery not answered 200: what Dataverse would retry. */
  notAccepted: number[];
  /** Highest RSS sampled per watched process. */
  rssMax: Record<string, number>;
  /** Deliveries sent per second while sending. */
  achievedRate: number;
  /** Deliveries answered per second over the whole run, drain included: the throughput. */
  answeredRate: number;
  /** Seconds after the last send until the last answer. */
  drainSeconds: number;
  warmupSeconds: number;
  seconds: SecondStats[];
  /** Per process: mean RSS of the first and of the last 10 s (or a tenth of the run), and the growth. */
  memory: Record<string, { first: number; last: number; growth: number; window: number }>;
  firstError?: string;
}

const quantile = (sorted: number[], q: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;

function post(agent: Agent, url: URL, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  // Idle sockets are dropped before the server's 5 s keep-alive timeout, so a request never races a closing socket
  // (the ECONNRESET every keep-alive client must avoid this way).
  const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 4000 });
  const target = new URL(`${o.url}?code=${encodeURIComponent(o.key)}`);
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  const seconds: SecondStats[] = [];
  let sent = 0;
  let done = 0;
  let errors = 0;
  let firstError: string | undefined;
  const accepted: number[] = [];
  const notAccepted: number[] = [];
  const rssMax: Record<string, number> = {};
  const expected = new Set([200, ...(o.expected ?? [])]);
  const pending = new Set<Promise<void>>();
  // Deliveries sent during the warm-up count for nothing but the statuses: their latencies are cold-start figures.
  const warmupDeliveries = o.rate * (o.warmupSeconds ?? 0);
  let measuring = false;
  const fire = (): void => {
    const index = sent % o.bodies.length;
    const body = o.bodies[index];
    const measured = sent >= warmupDeliveries;
    sent++;
    const t0 = performance.now();
    let ok = false;
    const p = post(agent, target, body)
      .then(({ status, text }) => {
        statuses[status] = (statuses[status] ?? 0) + 1;
        ok = status === 200;
        if (!expected.has(status)) {
          errors++;
          firstError ??= `HTTP ${status}: ${text.slice(0, 200)}`;
        }
      })
      .catch((e: Error) => {
        errors++;
        statuses.network = (statuses.network ?? 0) + 1;
        firstError ??= e.message;
      })
      .finally(() => {
        const ms = performance.now() - t0;
        if (measured) latencies.push(ms);
        if (ok && measured) accepted.push(ms);
        else if (!ok) notAccepted.push(index);
        done++;
        pending.delete(p);
      });
    pending.add(p);
  };
  let healthMaxMs = Number.NaN;
  let probing = !!o.healthUrl;
  const probe = async (): Promise<void> => {
    const healthAgent = new Agent({ keepAlive: false });
    while (probing) {
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        const req = request(o.healthUrl!, { agent: healthAgent }, (res) => {
          res.resume();
          res.on("end", resolve);
        });
        req.on("error", () => resolve());
        req.end();
      });
      const ms = performance.now() - t0;
      if (measuring) healthMaxMs = Number.isNaN(healthMaxMs) ? ms : Math.max(healthMaxMs, ms);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const probing$ = o.healthUrl ? probe() : Promise.resolve();

  const warmup = o.warmupSeconds ?? 0;
  const start = performance.now();
  const total = o.rate * (o.seconds + warmup);
  let nextSecond = 1;
  let sendingSeconds = 0;
  // Ticks of 10 ms; each sends what the schedule says is due, so timer jitter does not lower the rate.
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = (performance.now() - start) / 1000;
      const due = Math.min(total, Math.floor(elapsed * o.rate));
      measuring = elapsed >= warmup;
      while (sent < due) fire();
      if (elapsed >= nextSecond) {
        const rss = Object.fromEntries(Object.entries(o.watch ?? {}).map(([name, pid]) => [name, rssOf(pid)]));
        for (const [name, v] of Object.entries(rss)) rssMax[name] = Math.max(rssMax[name] ?? 0, v);
        const s = { second: nextSecond - warmup, sent, done, errors, inFlight: pending.size, rss };
        if (s.second > 0) seconds.push(s);
        o.onSecond?.(s);
        nextSecond++;
      }
      if (sent >= total) {
        sendingSeconds = (performance.now() - start) / 1000;
        clearInterval(tick);
        resolve();
      }
    }, 10);
  });
  await Promise.all([...pending]);
  probing = false;
  await probing$;
  const elapsed = (performance.now() - start) / 1000;
  const drainSeconds = elapsed - sendingSeconds;
  agent.destroy();

  const window = Math.max(1, Math.min(10, Math.floor(seconds.length / 10) || 1));
  const memory: LoadResult["memory"] = {};
  for (const name of Object.keys(o.watch ?? {})) {
    const mean = (xs: SecondStats[]): number => xs.reduce((s, x) => s + x.rss[name], 0) / xs.length;
    const first = mean(seconds.slice(0, window));
    const last = mean(seconds.slice(-window));
    memory[name] = { first, last, growth: (last - first) / first, window };
  }
  latencies.sort((a, b) => a - b);
  accepted.sort((a, b) => a - b);
  return {
    sent,
    ok: statuses[200] ?? 0,
    errors,
    statuses,
    latencyMs: {
      p50: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95),
      p99: quantile(latencies, 0.99),
      max: latencies[latencies.length - 1] ?? NaN,
    },
    acceptedLatencyMs: {
      p50: quantile(accepted, 0.5),
      p95: quantile(accepted, 0.95),
      p99: quantile(accepted, 0.99),
      max: accepted[accepted.length - 1] ?? NaN,
    },
    shedShare: (statuses[503] ?? 0) / Math.max(1, sent),
    healthMaxMs,
    notAccepted,
    rssMax,
    achievedRate: sent / sendingSeconds,
    answeredRate: done / elapsed,
    drainSeconds,
    warmupSeconds: warmup,
    seconds,
    memory,
    firstError,
  };
}

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { unzipSync } from "fflate";
import { startSandbox, userTokens, type Sandbox } from "../../local-dataverse";
import { sampleSeed } from "../../local-dataverse/seed";
import { registerSolutionSteps } from "./register";

/**
 * `npm run package:service`: the zip, unpacked alone into an empty folder, is loaded the way the Functions host loads
 * an app (its package.json "main", registering through its own @azure/functions), and its two functions are driven
 * against the local Dataverse: the nightly re-rank timer, then a webhook delivered by the local Dataverse for a save.
 */
const ROOT = resolve(__dirname, "../..");
const KEY = "package-test-webhook-key-0123456789";
const TOKEN = "package-test-token";

type Fns = typeof import("@azure/functions");
interface Registered {
  http: Map<string, import("@azure/functions").HttpFunctionOptions>;
  timer: Map<string, import("@azure/functions").TimerFunctionOptions>;
}

let work: string;
let appDir: string;
let zipBytes: number;
let sandbox: Sandbox;
let host: Server;
let fns: Fns;
const registered: Registered = { http: new Map(), timer: new Map() };
const logs: string[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "ct-package-"));
  const zip = join(work, "service.zip");
  execFileSync(process.execPath, [join(ROOT, "scripts", "package-service.mjs"), zip], { cwd: ROOT, stdio: "pipe" });
  const bytes = readFileSync(zip);
  zipBytes = bytes.length;
  appDir = join(work, "wwwroot");
  for (const [name, data] of Object.entries(unzipSync(new Uint8Array(bytes)))) {
    if (name.endsWith("/")) continue;
    mkdirSync(dirname(join(appDir, name)), { recursive: true });
    writeFileSync(join(appDir, name), data);
  }

  // The Functions host: a loopback HTTP front that hands each request to the registered HTTP function, as the host
  // would at /api/<route>.
  host = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const fn = [...registered.http.values()].find((f) => req.url?.startsWith(`/api/${f.route}`));
        if (!fn) return void res.writeHead(404).end();
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === "string"),
        );
        const request = new fns.HttpRequest({
          method: req.method,
          url: `http://127.0.0.1${req.url}`,
          headers,
          body: { bytes: new Uint8Array(Buffer.concat(chunks)) },
        });
        const context = new fns.InvocationContext({
          functionName: "ctTieringWebhook",
          logHandler: (_level, ...args) => logs.push(args.join(" ")),
        });
        // Our handler answers with a plain HttpResponseInit (plugins/functions.ts).
        const out = (await fn.handler(request, context)) as import("@azure/functions").HttpResponseInit;
        res.writeHead(out.status ?? 200, { "content-type": "application/json" });
        res.end(JSON.stringify(out.jsonBody ?? {}));
      })();
    });
  });
  await new Promise<void>((r) => host.listen(0, "127.0.0.1", r));
  const hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}/api/webhook`;

  sandbox = await startSandbox({
    token: TOKEN,
    webhookUrl: hostUrl,
    webhookKey: KEY,
    log: () => undefined,
    seed: async (store) => void (await sampleSeed(store, { accounts: 30, seed: 7 })),
  });
  // The solution ships no steps: registered as `tiering configure` does.
  await registerSolutionSteps(sandbox, TOKEN);

  // The Function App's application settings.
  Object.assign(process.env, {
    DATAVERSE_URL: sandbox.origin,
    DATAVERSE_AUTH: "token",
    DATAVERSE_TOKEN: TOKEN,
    CT_WEBHOOK_KEY: KEY,
    CT_RERANK_CHECKPOINT: join(work, "checkpoint.json"),
    LOG_LEVEL: "silent",
  });
}, 120_000);

afterAll(async () => {
  process.env = saved;
  await sandbox?.close();
  await new Promise<void>((r) => (host ? host.close(() => r()) : r()));
  rmSync(work, { recursive: true, force: true });
});

describe("the service package", () => {
  it("holds index.js, host.json, package.json and production node_modules only", () => {
    const pkg = JSON.parse(readFileSync(join(appDir, "package.json"), "utf8")) as {
      main: string;
      dependencies: Record<string, string>;
    };
    expect(pkg.main).toBe("index.js");
    expect(Object.keys(pkg.dependencies)).toEqual(["@azure/functions"]);
    expect(JSON.parse(readFileSync(join(appDir, "host.json"), "utf8"))).toEqual(
      JSON.parse(readFileSync(join(ROOT, "host.json"), "utf8")),
    );
    const files = Object.keys(unzipSync(new Uint8Array(readFileSync(join(work, "service.zip")))));
    expect(files.filter((f) => !f.startsWith("node_modules/")).sort()).toEqual([
      "host.json",
      "index.js",
      "package.json",
    ]);
    // No dev tooling and no repository sources travel along.
    expect(files.some((f) => /node_modules\/(typescript|jest|esbuild|@azure\/identity)\//.test(f))).toBe(false);
    expect(zipBytes).toBeLessThan(2 * 1024 * 1024);
  });

  it("registers the webhook and the timer through its own @azure/functions when loaded", () => {
    // The package's own copy of the programming model, the one its index.js requires.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    fns = require(join(appDir, "node_modules", "@azure", "functions")) as Fns;
    jest.spyOn(fns.app, "http").mockImplementation((name, options) => void registered.http.set(name, options));
    jest.spyOn(fns.app, "timer").mockImplementation((name, options) => void registered.timer.set(name, options));
    const started = performance.now();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(join(appDir, "index.js"));
    const loadMs = performance.now() - started;
    expect([...registered.http.keys()]).toEqual(["ctTieringWebhook"]);
    expect([...registered.timer.keys()]).toEqual(["ctTieringRerank"]);
    expect(registered.http.get("ctTieringWebhook")).toMatchObject({ route: "webhook", methods: ["POST"] });
    expect(registered.timer.get("ctTieringRerank")!.schedule).toBe("0 0 2 * * *");
    process.stdout.write(`package: ${(zipBytes / 1024).toFixed(0)} KiB; index.js loaded in ${loadMs.toFixed(0)} ms\n`);
  });

  it("the timer re-ranks the local Dataverse, creating the default model from the compiled-in defaults", async () => {
    expect([...sandbox.store.rows("ct_tiermodel")]).toHaveLength(0);
    const context = new fns.InvocationContext({
      functionName: "ctTieringRerank",
      logHandler: (_level, ...args) => logs.push(args.join(" ")),
    });
    const timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: {} } as never;
    await (registered.timer.get("ctTieringRerank")!.handler as (t: unknown, c: unknown) => Promise<void>)(
      timer,
      context,
    );
    const models = [...sandbox.store.rows("ct_tiermodel")];
    expect(models).toHaveLength(1);
    expect(models[0].ct_name).toBe("Default tier model");
    expect(models[0].ct_lastrerankon).not.toBeNull();
    const cuts = JSON.parse(String(models[0].ct_cutpointsjson)) as { v: number; n: number };
    expect(cuts.v).toBe(1);
    expect(cuts.n).toBeGreaterThan(20); // the accounts active in the window
    expect(models[0].ct_rerankaccountcount).toBe(cuts.n);
    const active = [...sandbox.store.rows("account")].filter((a) => a.statecode === 0);
    expect(active.filter((a) => a.ct_tier != null)).toHaveLength(active.length);
    expect(logs).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^re-rank as of .*: ${active.length} accounts, `))]),
    );
  });

  it("the webhook recalculates an account when the local Dataverse delivers a save", async () => {
    const account = [...sandbox.store.rows("account")].find((a) => a.ct_revenue12m != null)!;
    const id = String(account.accountid);
    const before = Number(account.ct_revenue12m);
    const res = await fetch(`${sandbox.url}invoices`, {
      method: "POST",
      // A salesperson saves the invoice; the service's user only reads invoices.
      headers: { authorization: `Bearer ${userTokens(TOKEN).salesperson}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "INV-PACKAGE-1",
        "customerid_account@odata.bind": `/accounts(${id})`,
        totalamount: 98765.43,
      }),
    });
    expect(res.status).toBe(204);
    await sandbox.webhooks.idle();
    expect(sandbox.webhooks.deliveries.at(-1)).toMatchObject({ step: "CustomerTiering: Create of invoice", ok: true });
    expect(logs).toContain("webhook answered 200");
    expect(Number(sandbox.store.get("account", id)!.ct_revenue12m)).toBeCloseTo(before + 98765.43, 2);
  });

  it("answers an unsigned call 401 and the documented probe 200 without reading or writing data", async () => {
    const url = [...sandbox.store.rows("serviceendpoint")][0].url as string;
    const version = sandbox.store.currentVersion();
    expect((await fetch(url, { method: "POST", headers: { "x-ct-probe": "1" }, body: "{}" })).status).toBe(401);
    const probe = await fetch(`${url}?code=${KEY}`, { method: "POST", headers: { "x-ct-probe": "1" }, body: "x" });
    expect(probe.status).toBe(200);
    expect(await probe.json()).toEqual({ result: "probe" });
    expect(sandbox.store.currentVersion()).toBe(version);
  });
});

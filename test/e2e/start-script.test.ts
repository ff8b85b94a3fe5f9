/**
 * `npm start`'s start script (sandbox/start.ts, compiled to dist/sandbox/start.js) as a child process on free ports:
 * it prints the URLs and the generated webhook key, everything it prints answers, and SIGINT / SIGTERM stop it
 * cleanly (exit 0, ports closed, --state saved and loaded again). Run from source through tsx so the test does not
 * depend on a fresh `npm run build:node`; the compiled file is the same code.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const STATE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "ct-start-state-"));
const STATE = path.join(STATE_DIR, "state.ndjson");

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const running: Run[] = [];
let firstKey = "";

function start(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, ["--import", "tsx", "demo/start.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, SANDBOX_PORT: "0", PORT: "0", LOG_LEVEL: "silent", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const run = { child, output: () => out, exited };
  running.push(run);
  return run;
}

async function waitFor(run: Run, text: string, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!run.output().includes(text)) {
    if (run.child.exitCode !== null)
      throw new Error(`start script exited with ${run.child.exitCode}:\n${run.output()}`);
    if (Date.now() > until) throw new Error(`no '${text}' after ${timeoutMs} ms:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const line = (output: string, label: string): string => {
  const m = new RegExp(`^${label}:\\s+(\\S+)`, "m").exec(output);
  if (!m) throw new Error(`no '${label}:' line in:\n${output}`);
  return m[1];
};

afterAll(async () => {
  for (const run of running) {
    if (run.child.exitCode === null) {
      run.child.kill("SIGKILL");
      await run.exited;
    }
  }
  fs.rmSync(STATE_DIR, { recursive: true, force: true });
});

describe("npm start's start script", () => {
  test("prints the URLs and the key, serves them, and stops cleanly on SIGINT, saving --state", async () => {
    const run = start(["--sample-accounts", "40", "--state", STATE]);
    await waitFor(run, "Press Ctrl-C to stop.");
    const out = run.output();
    const demo = line(out, "Demo page");
    const webApi = line(out, "Dataverse Web API");
    const webhook = line(out, "Plugin webhook");
    const key = line(out, "Webhook key");
    expect(demo).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(webApi).toBe(`${demo}api/data/v9.2/`);
    expect(webhook).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/webhook$/);
    expect(key).toMatch(/^[0-9a-f]{48}$/);
    firstKey = key;
    expect(out).toContain("tiering sample (40 accounts, seed 1,");

    const page = await fetch(demo);
    expect(page.status).toBe(200);
    await expect(page.text()).resolves.toContain("<h1>Accounts</h1>");
    // The first re-rank ran: active accounts have a tier.
    const ranked = (await (
      await fetch(`${webApi}accounts?$select=ct_tier&$filter=${encodeURIComponent("statecode eq 0")}`)
    ).json()) as { value: { ct_tier: number | null }[] };
    expect(ranked.value.length).toBeGreaterThan(0);
    expect(ranked.value.filter((a) => a.ct_tier == null)).toEqual([]);
    expect(out).toContain(`: ${ranked.value.length} accounts (`);
    // The printed key is the one the plugin checks: without it 401, with it the body is what gets judged (400).
    expect((await fetch(webhook, { method: "POST", body: "{}" })).status).toBe(401);
    expect((await fetch(`${webhook}?code=${key}`, { method: "POST", body: "{}" })).status).toBe(400);

    run.child.kill("SIGINT");
    await expect(run.exited).resolves.toBe(0);
    expect(run.output()).toMatch(/SIGINT: stopping …\nsaved \d+ rows to .*state\.ndjson\nstopped\.\n$/);
    await expect(fetch(demo)).rejects.toThrow();
    await expect(fetch(webhook, { method: "POST" })).rejects.toThrow();
    expect(fs.statSync(STATE).size).toBeGreaterThan(0);
  }, 120_000);

  test("with the saved --state it starts from that data, with a new key, and stops on SIGTERM", async () => {
    expect(fs.existsSync(STATE)).toBe(true);
    const run = start(["--state", STATE]);
    await waitFor(run, "Press Ctrl-C to stop.");
    expect(run.output()).toMatch(/data: \d+ rows from state file .*state\.ndjson/);
    expect(line(run.output(), "Webhook key")).toMatch(/^[0-9a-f]{48}$/);
    expect(line(run.output(), "Webhook key")).not.toBe(firstKey);
    expect(run.output()).toMatch(/re-rank \(\d+ ms\): \d+ accounts/);
    run.child.kill("SIGTERM");
    await expect(run.exited).resolves.toBe(0);
    expect(run.output()).toContain("SIGTERM: stopping …");
  }, 120_000);

  test("with SANDBOX_TOKEN the sandbox requires it, and the plugin, the re-rank and the demo page use it", async () => {
    const token = "local-test-token-0123456789";
    const run = start(["--sample-accounts", "20"], { SANDBOX_TOKEN: token });
    await waitFor(run, "Press Ctrl-C to stop.");
    const demo = line(run.output(), "Demo page");
    const webApi = line(run.output(), "Dataverse Web API");
    expect(run.output()).not.toContain(token);
    expect(run.output()).toMatch(/^Preflight: .* --token "\$SANDBOX_TOKEN\.admin" /m);
    expect((await fetch(`${webApi}accounts?$select=ct_tier`)).status).toBe(401);
    const res = await fetch(`${webApi}accounts?$select=ct_tier&$filter=${encodeURIComponent("statecode eq 0")}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const rows = ((await res.json()) as { value: { ct_tier: number | null }[] }).value;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.ct_tier == null)).toEqual([]);
    // The page never receives a credential: the demo proxy attaches the chosen demo user's token server-side.
    const config = await (await fetch(`${demo}demo/config.json`)).text();
    expect(config).not.toContain(token);
    expect(JSON.parse(config)).toMatchObject({ webApi: "/demo/api/data/v9.2/" });
    const restricted = await fetch(`${demo}demo/api/data/v9.2/accounts?$select=ct_tier&$top=5`, {
      headers: { "X-Demo-User": "salesperson-restricted" },
    });
    expect(restricted.status).toBe(200);
    const hidden = ((await restricted.json()) as { value: { ct_tier: number | null }[] }).value;
    expect(hidden.length).toBeGreaterThan(0);
    expect(hidden.filter((r) => r.ct_tier !== null)).toEqual([]);
    run.child.kill("SIGINT");
    await expect(run.exited).resolves.toBe(0);
  }, 120_000);

  test("a bad port stops it at once with the variable's name", async () => {
    const bad = spawn(process.execPath, ["--import", "tsx", "demo/start.ts"], {
      cwd: ROOT,
      env: { ...process.env, SANDBOX_PORT: "http" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    bad.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => bad.once("exit", resolve));
    expect(code).toBe(2);
    expect(err).toContain("SANDBOX_PORT must be a port number, got 'http'");
  });
});

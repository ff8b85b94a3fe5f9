/** `npm run sandbox` as a process: the banner, `--state FILE` saved on SIGTERM and loaded on the next start. */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADMIN } from "./helpers";

const ROOT = join(__dirname, "..", "..");

interface Running {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output: () => string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "local-dataverse", "main.ts"), "--port", "0", ...args],
    {
      cwd: ROOT,
      env: { ...process.env, SANDBOX_TOKEN: "", ...env },
    },
  );
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const m = /listening at (http:\/\/127\.0\.0\.1:\d+\/api\/data\/v9\.2\/)/.exec(out);
      if (m && out.includes("  auth: ")) resolve({ child, url: m[1], output: () => out });
    };
    child.stdout.on("data", check);
    child.on("exit", (code) => reject(new Error(`sandbox exited with ${code}: ${out}`)));
  });
}

function stop(r: Running, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  return new Promise((resolve) => {
    r.child.removeAllListeners("exit");
    r.child.on("exit", (code) => resolve(code));
    r.child.kill(signal);
  });
}

describe("sandbox process", () => {
  const dir = mkdtempSync(join(tmpdir(), "sandbox-main-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("--state FILE is saved on SIGTERM and loaded by the next start", async () => {
    const state = join(dir, "state.ndjson");
    const first = await run(["--state", state]);
    let accountId: string;
    try {
      expect(first.output()).toContain("webhook steps:");
      const res = await fetch(`${first.url}accounts`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...ADMIN },
        body: JSON.stringify({ name: "Persisted" }),
      });
      expect(res.status).toBe(204);
      accountId = /\(([^)]+)\)$/.exec(res.headers.get("OData-EntityId")!)![1];
    } finally {
      expect(await stop(first)).toBe(0);
    }
    expect(first.output()).toMatch(/saved \d+ rows to /);
    expect(existsSync(state)).toBe(true);
    const second = await run(["--state", state]);
    try {
      expect(second.output()).toMatch(/rows from state file/);
      const r = await fetch(`${second.url}accounts(${accountId})?$select=name`, { headers: ADMIN });
      expect(((await r.json()) as { name: string }).name).toBe("Persisted");
    } finally {
      expect(await stop(second, "SIGINT")).toBe(0);
    }
  });

  test("a bad knob stops the start with a message naming it", async () => {
    await expect(run([], { SANDBOX_FAULT_503: "2" })).rejects.toThrow(
      /SANDBOX_FAULT_503 must be a rate between 0 and 1/,
    );
  });
});

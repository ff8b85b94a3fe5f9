import { existsSync } from "node:fs";
import path from "node:path";
import { runCli } from "../../cli/main";
import type { Sandbox } from "../../local-dataverse";
import { memoryIo } from "../sample/sample-fixture";
import { AS_OF, removeFolders, sampleFolder, sandboxFrom, tempFile } from "./env";

/** `tiering rerank` in-process against a sandbox that wants a bearer token. */
const TOKEN = "cli-rerank-secret-token-42";
let sandbox: Sandbox;
const saved = process.env.DATAVERSE_TOKEN;

beforeAll(async () => {
  sandbox = await sandboxFrom(await sampleFolder(400, 3), { token: TOKEN });
}, 60_000);
afterAll(async () => {
  if (saved === undefined) delete process.env.DATAVERSE_TOKEN;
  else process.env.DATAVERSE_TOKEN = saved;
  await sandbox.close();
  removeFolders();
});

const asOf = new Date(AS_OF).toISOString();

describe("tiering rerank", () => {
  it("--dry-run prints the movement matrix and writes nothing; no progress bar off a terminal", async () => {
    const cwd = path.dirname(tempFile("x"));
    const io = memoryIo(cwd);
    const code = await runCli(["rerank", "--url", sandbox.url, "--dry-run", "--as-of", asOf, "--token", TOKEN], io);
    expect(io.err()).toBe("");
    expect(code).toBe(0);
    expect(io.out()).toMatch(/^Dry run \(nothing written\) as of 2026-08-15T09:30:00(\.000)?Z: \d+ active accounts/);
    const matrix = io.out().split("Tier movement (current → new):\n")[1].trim().split("\n");
    expect(matrix[0].split(/\s+/)).toEqual(["from", "\\", "to", "AAA", "A", "B", "C", "total"]);
    // Never ranked: every account comes from "none", and the row adds up to the population.
    const none = matrix
      .find((l) => l.startsWith("none"))!
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const population = Number(/(\d+) active accounts/.exec(io.out())![1]);
    expect(none[4]).toBe(population);
    expect(none.slice(0, 4).reduce((a, b) => a + b, 0)).toBe(population);
    expect(io.out()).not.toContain(TOKEN);
    expect([...sandbox.store.rows("account")].some((a) => a.ct_tier != null)).toBe(false);
    expect(existsSync(path.join(cwd, ".tiering-rerank-checkpoint.json"))).toBe(false);
  }, 60_000);

  it("writes with the token from DATAVERSE_TOKEN, then a second run changes nothing", async () => {
    process.env.DATAVERSE_TOKEN = TOKEN;
    const cwd = path.dirname(tempFile("x"));
    const first = memoryIo(cwd);
    expect(await runCli(["rerank", "--url", sandbox.origin, "--as-of", asOf], first)).toBe(0);
    const written = Number(/written: (\d+)/.exec(first.out())?.[1]);
    expect(written).toBeGreaterThan(300);
    const second = memoryIo(cwd);
    expect(await runCli(["rerank", "--url", sandbox.origin, "--as-of", asOf], second)).toBe(0);
    expect(second.out()).toMatch(/change: 0; written: 0; tier history rows: 0/);
  }, 60_000);

  it("exit 2 for bad usage, exit 1 for a rejected token (never printed)", async () => {
    const io = memoryIo(path.dirname(tempFile("x")));
    expect(await runCli(["rerank", "--dry-run"], io)).toBe(2);
    expect(io.err()).toMatch(/--url is required/);
    expect(await runCli(["rerank", "--url", sandbox.origin, "--as-of", "someday"], io)).toBe(2);
    expect(await runCli(["rerank", "--url", "ftp://x", "--dry-run"], io)).toBe(2);
    const bad = memoryIo(path.dirname(tempFile("x")));
    expect(await runCli(["rerank", "--url", sandbox.origin, "--dry-run", "--token", "wrong-token-value"], bad)).toBe(1);
    expect(bad.err()).toMatch(/401/);
    expect(bad.err() + bad.out()).not.toContain("wrong-token-value");
  }, 60_000);
});

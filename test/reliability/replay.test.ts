import { DAY_MS } from "../../src/engine";
import { runCli } from "../../cli/main";
import { startSandbox, userTokens, type Row } from "../../local-dataverse";
import { registerSolutionSteps } from "../plugins/register";

const TOKEN = "replay-test-token";
/** Replaying System Jobs is an administrator's task: reading and deleting them is no privilege of the service role. */
const ADMIN_TOKEN = userTokens(TOKEN).admin;
const base = Date.UTC(2025, 4, 17, 9, 30);
const sys = {
  userId: "5a9d3e42-0c7b-4f7a-9a55-000000000001",
  correlationId: "c0ffee00-0000-4000-8000-0000000000cc",
  bypassSync: true,
  bypassAsync: true,
};

function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    cwd: process.cwd(),
  } as unknown as Parameters<typeof runCli>[1];
  return runCli(args, io).then((code) => ({ code, out: out.join(""), err: err.join("") }));
}

describe("tiering replay", () => {
  it("usage errors are exit 2 and name the option", async () => {
    expect(await cli(["replay"])).toEqual(
      expect.objectContaining({ code: 2, err: expect.stringMatching(/--url is required/) }),
    );
    expect(await cli(["replay", "--url", "http://example.com", "--token", "t"])).toEqual(
      expect.objectContaining({ code: 2, err: expect.stringMatching(/must use https/) }),
    );
    expect(await cli(["replay", "--url", "http://127.0.0.1:9", "--token", "t", "--since", "yesterday"])).toEqual(
      expect.objectContaining({ code: 2, err: expect.stringMatching(/--since "yesterday" is not a date/) }),
    );
  });

  it("recalculates the accounts failed jobs name, reports jobs it cannot replay, honours --since, and deletes only what it replayed", async () => {
    // No webhook URL: every save becomes a failed System Job, as when the plugin service is down.
    const sb = await startSandbox({
      port: 0,
      token: TOKEN,
      now: () => base,
      log: () => undefined,
      webhookRetryDelayMs: 0,
    });
    try {
      // Configured steps (as `tiering configure` registers them) on an endpoint the service never answers at.
      await registerSolutionSteps(sb, TOKEN);
      const store = sb.store;
      const a = store.atomically((tx) => store.create(tx, "account", { name: "Northwind" }, sys)).accountid as string;
      store.atomically((tx) =>
        store.create(
          tx,
          "invoice",
          {
            name: "INV",
            customerid: { id: a, table: "account" },
            totalamount: 12_000,
            statecode: 2,
            overriddencreatedon: base - 30 * DAY_MS,
          },
          { ...sys, bypassAsync: false },
        ),
      );
      await sb.webhooks.idle();
      const jobs = (): Row[] => [...store.rows("asyncoperation")].filter((j) => j.statuscode === 31);
      expect(jobs().length).toBe(1);
      // A job with no usable payload, older than the others.
      store.atomically((tx) =>
        store.create(
          tx,
          "asyncoperation",
          {
            name: "broken",
            operationtype: 1,
            statecode: 3,
            statuscode: 31,
            data: "{not json",
            completedon: base - 10 * DAY_MS,
          },
          sys,
        ),
      );
      expect(store.get("account", a)!.ct_tier ?? null).toBeNull();

      const since = await cli([
        "replay",
        "--url",
        sb.origin,
        "--token",
        ADMIN_TOKEN,
        "--since",
        new Date(base - DAY_MS).toISOString(),
        "--as-of",
        new Date(base).toISOString(),
        "--delete",
      ]);
      expect(since.err).toBe("");
      expect(since.out).toMatch(
        /^1 failed System Job since .* named 1 account: 1 updated, 0 already right, 0 gone, 0 inactive, 0 failed\. 1 job deleted\./,
      );
      expect(store.get("account", a)!.ct_tier).toEqual(expect.any(Number));
      expect(store.get("account", a)!.ct_revenue12m).toBe(12_000);

      const rest = await cli([
        "replay",
        "--url",
        sb.origin,
        "--token",
        ADMIN_TOKEN,
        "--as-of",
        new Date(base).toISOString(),
        "--delete",
      ]);
      expect(rest.code).toBe(0);
      expect(rest.out).toMatch(/^1 failed System Job named 0 accounts/);
      expect(rest.err).toMatch(/job .* \(broken\): .*JSON/);
      expect(jobs().map((j) => j.name)).toEqual(["broken"]);
      expect(rest.out + rest.err).not.toContain(TOKEN);
    } finally {
      await sb.close();
    }
  });
});

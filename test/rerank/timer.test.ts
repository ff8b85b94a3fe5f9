import { app, InvocationContext, type Timer, type TimerFunctionOptions } from "@azure/functions";
import { existsSync } from "node:fs";
import type { Sandbox } from "../../local-dataverse";
import { removeFolders, sampleFolder, sandboxFrom, tempFile } from "./env";

/**
 * The Azure Functions timer: the module registers one trigger with app.timer; the test takes the registered options
 * and calls the handler as the runtime would, against the sandbox.
 */
const TOKEN = "timer-test-token-0123456789";
let sandbox: Sandbox;
let registered: { name: string; options: TimerFunctionOptions } | undefined;
const saved = { ...process.env };
let checkpoint: string;

beforeAll(async () => {
  jest.spyOn(app, "timer").mockImplementation((name: string, options: TimerFunctionOptions) => {
    registered = { name, options };
  });
  sandbox = await sandboxFrom(await sampleFolder(300, 5), { token: TOKEN });
  checkpoint = tempFile("timer.jsonl");
  Object.assign(process.env, {
    DATAVERSE_URL: sandbox.origin,
    DATAVERSE_TOKEN: TOKEN,
    CT_RERANK_CHECKPOINT: checkpoint,
    LOG_LEVEL: "silent",
  });
  delete process.env.CT_RERANK_SCHEDULE;
  // Loaded after the spy is in place, as the Functions host loads the app module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("../../plugins/rerank/timer");
}, 60_000);
afterAll(async () => {
  process.env = saved;
  jest.restoreAllMocks();
  await sandbox.close();
  removeFolders();
});

const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: "", next: "", lastUpdated: "" },
};

describe("Azure Functions timer trigger", () => {
  it("registers one timer, nightly at 02:00 UTC unless CT_RERANK_SCHEDULE says otherwise", () => {
    expect(registered?.name).toBe("ctTieringRerank");
    expect(registered!.options.schedule).toBe("0 0 2 * * *");
  });

  it("runs the same re-rank over the environment in the app settings, and reports it to the invocation log", async () => {
    const context = new InvocationContext({ functionName: "ctTieringRerank" });
    const logged: string[] = [];
    jest.spyOn(context, "log").mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
    await registered!.options.handler(timer, context);
    const ranked = [...sandbox.store.rows("account")].filter((a) => a.statecode === 0 && a.ct_tier != null);
    expect(ranked.length).toBeGreaterThan(200);
    expect(logged.join("\n")).toMatch(/re-rank as of .*: \d+ accounts, \d+ written/);
    expect(logged.join("\n")).not.toContain(TOKEN);
    expect(existsSync(checkpoint)).toBe(false);
    // The next night with nothing new writes nothing.
    logged.length = 0;
    await registered!.options.handler(timer, context);
    expect(logged.join("\n")).toMatch(/, 0 written, 0 tier changes/);
  }, 60_000);

  it("fails with the setting's name when the environment is not configured", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { readTimerConfig } = require("../../plugins/rerank/timer") as typeof import("../../plugins/rerank/timer");
    expect(() => readTimerConfig({ DATAVERSE_URL: sandbox.origin, DATAVERSE_AUTH: "secret" })).toThrow(
      /^DATAVERSE_AUTH: must be one of/,
    );
    expect(() => readTimerConfig({ DATAVERSE_URL: sandbox.origin, DATAVERSE_AUTH: "client-secret" })).toThrow(
      /^DATAVERSE_TENANT_ID: is required for DATAVERSE_AUTH=client-secret$/,
    );
    expect(() => readTimerConfig({ DATAVERSE_TOKEN: TOKEN })).toThrow(/^DATAVERSE_URL: is required$/);
    expect(() =>
      readTimerConfig({ DATAVERSE_URL: sandbox.origin, DATAVERSE_TOKEN: "x", CT_RERANK_CONCURRENCY: "0" }),
    ).toThrow(/CT_RERANK_CONCURRENCY/);
  });
});

import { fork } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runRerank, type RerankSummary } from "../../plugins/rerank";
import { loadExportFolder, startSandbox, type Sandbox } from "../../local-dataverse";
import { generateSample } from "../../src/sample";

/**
 * The re-rank killed outright (SIGKILL, in a child process) at random points, with Dataverse throttling, then
 * resumed from its checkpoint until it finishes: the end state equals an uninterrupted run's. (test/rerank stops it
 * with an AbortSignal; a kill also cuts requests whose answers never arrive and checkpoint writes half-way.)
 */
const AS_OF = Date.UTC(2026, 7, 15, 9, 30);
const COLUMNS = [
  "ct_tier",
  "ct_computedtier",
  "ct_tierscore",
  "ct_tierreason",
  "ct_tierchangedon",
  "ct_previoustier",
  "ct_trend",
  "ct_trenddelta",
  "ct_revenue12m",
  "ct_nexttouchdue",
  "ct_cadencedays",
  "ct_touchchannel",
];

function state(s: Sandbox): { accounts: string[]; history: string[]; model: unknown[] } {
  return {
    accounts: [...s.store.rows("account")]
      .map((r) => JSON.stringify([r.accountid, ...COLUMNS.map((c) => r[c] ?? null)]))
      .sort(),
    history: [...s.store.rows("ct_tierhistory")]
      .map((h) =>
        JSON.stringify([
          (h.ct_accountid as { id: string }).id,
          h.ct_fromtier,
          h.ct_totier,
          h.ct_score,
          h.ct_source,
          h.ct_reason,
        ]),
      )
      .sort(),
    model: [...s.store.rows("ct_tiermodel")].map((m) => [
      m.ct_cutpointsjson,
      m.ct_kpiquantilesjson,
      m.ct_rerankaccountcount,
    ]),
  };
}

/** Runs the child; kills it at its `killAt.n`-th progress report of phase `killAt.phase`, unless it finished first. */
function attempt(
  url: string,
  cp: string,
  resume: boolean,
  killAt: { phase: string; n: number } | null,
  phases: Set<string>,
): Promise<RerankSummary | "killed"> {
  const child = fork(join(__dirname, "rerank-child.ts"), [url, cp, String(AS_OF), resume ? "resume" : "fresh"], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let summary: RerankSummary | undefined;
    let reports = 0;
    child.on("message", (m) => {
      const msg = m as { summary?: RerankSummary; progress?: { phase: string } };
      if (msg.summary) summary = msg.summary;
      if (msg.progress && killAt && msg.progress.phase === killAt.phase && ++reports === killAt.n) {
        phases.add(msg.progress.phase);
        // A little later than the report, so the kill can land mid-request as well as between steps.
        setTimeout(() => child.kill("SIGKILL"), reports % 3);
      }
    });
    child.on("exit", (code, signal) => {
      if (summary) resolve(summary);
      else if (signal === "SIGKILL") resolve("killed");
      else reject(new Error(`re-rank child exited ${code}: ${stderr}`));
    });
  });
}

describe("re-rank killed and resumed", () => {
  jest.setTimeout(240_000);
  const dir = mkdtempSync(join(tmpdir(), "tiering-rerank-kill-"));
  const open: Sandbox[] = [];
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  const sandbox = async (faults: boolean): Promise<Sandbox> => {
    const s = await startSandbox({
      port: 0,
      steps: [],
      log: () => undefined,
      seed: (store) => void loadExportFolder(store, join(dir, "data")),
      ...(faults ? { fault429: 0.1, fault503: 0.05, faultSeed: 5, retryAfterSeconds: 0 } : {}),
    });
    open.push(s);
    return s;
  };

  it("ends exactly where an uninterrupted run ends", async () => {
    await generateSample({ accounts: 800, seed: 31, asOf: AS_OF, months: 36, out: join(dir, "data") });
    const reference = await sandbox(false);
    let steps = 0;
    const full = await runRerank({
      url: reference.origin,
      asOf: AS_OF,
      checkpointFile: join(dir, "ref.jsonl"),
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      onProgress: () => void steps++,
    });
    expect(steps).toBeGreaterThan(3);

    const s = await sandbox(true);
    const cp = join(dir, "killed.jsonl");
    let seed = 99;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let kills = 0;
    let last: RerankSummary | undefined;
    const phases = new Set<string>();
    // Kills while reading facts and while (or right after) writing, then a run left to finish.
    const plan = [
      { phase: "facts", n: 1 + Math.floor(random() * 4) },
      { phase: "facts", n: 1 + Math.floor(random() * 4) },
      { phase: "write", n: 1 },
      { phase: "facts", n: 1 + Math.floor(random() * 4) },
      { phase: "write", n: 1 },
    ];
    for (let i = 0; i < 10 && !last; i++) {
      const r = await attempt(s.origin, cp, i > 0, plan[i] ?? null, phases);
      if (r === "killed") kills++;
      else last = r;
    }
    expect(kills).toBeGreaterThanOrEqual(2);
    expect(phases.size).toBeGreaterThanOrEqual(2);
    expect(last).toBeDefined();
    expect(last!.resumed).toBe(true);
    expect(existsSync(cp)).toBe(false);
    const got = state(s);
    const want = state(reference);
    expect(got.model).toEqual(want.model);
    expect(got.accounts).toEqual(want.accounts);
    expect(got.history).toEqual(want.history);
    expect(last!.matrix).toEqual(full.matrix);
  });
});

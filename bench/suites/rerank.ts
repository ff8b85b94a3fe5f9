import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { runRerank, type RerankSummary } from "../../plugins/rerank";
import { loadExportFolder, startSandbox } from "../../local-dataverse";
import { childMain, type SuiteOptions } from "../lib/child";
import { startCountingProxy } from "../lib/counting-proxy";
import { SAMPLE_AS_OF, ensureSample } from "../lib/data";
import { benchOut } from "../lib/paths";
import type { Figure } from "../lib/report";
import { msSince, peakRssMb } from "../lib/stats";

export const REQUESTS_TARGET = 300;
const TOKEN = "bench-sandbox-token";

/**
 * Re-rank of the 100k sample (issue 7) against the sandbox with 20 ms injected latency on every Web API request:
 * wall time and the requests counted by a loopback proxy in front of the sandbox. A second run over the re-ranked
 * data shows what a scheduled re-rank costs when little has changed.
 */
export async function rerankSuite(o: SuiteOptions): Promise<Figure[]> {
  const size = o.size === "tiny" ? "tiny" : "100k";
  const { dir } = await ensureSample(size, o.log);
  const sandbox = await startSandbox({
    port: 0,
    token: TOKEN,
    latencyMs: 20,
    steps: [], // the re-rank writes many accounts; webhooks are the on-save benchmark's business
    log: () => undefined,
    seed: (store) => {
      loadExportFolder(store, dir);
      store.load("ct_tiermodel", {
        ct_tiermodelid: randomUUID(),
        ct_name: "bench",
        ct_modeljson: "{}",
        statecode: 0,
        statuscode: 1,
      });
    },
  });
  const proxy = await startCountingProxy(sandbox.origin);
  const checkpointFile = benchOut(`rerank-checkpoint-${process.pid}.json`);
  const figures: Figure[] = [];
  try {
    for (const run of ["first", "second"] as const) {
      rmSync(checkpointFile, { force: true });
      proxy.reset();
      const t0 = process.hrtime.bigint();
      let s: RerankSummary;
      try {
        s = await runRerank({ url: proxy.origin, token: TOKEN, asOf: SAMPLE_AS_OF, checkpointFile });
      } catch (e) {
        // Keep the first run's figures when the second fails; the failure is reported, not hidden.
        if (run === "first") throw e;
        o.log(
          `rerank ${size} second run FAILED after ${(msSince(t0) / 1000).toFixed(1)} s and ${proxy.total()} requests: ${(e as Error).message}`,
        );
        figures.push({ name: `rerank.${size}.second.failed_after`, value: msSince(t0) / 1000, unit: "s" });
        break;
      }
      const ms = msSince(t0);
      const requests = proxy.total();
      const parts = proxy.batchPartsCounted();
      o.log(
        `rerank ${size} ${run} run: ${(ms / 1000).toFixed(1)} s, ${requests} requests (${JSON.stringify(proxy.counts)}; ${parts} counting each $batch part), ${s.written} written, ${s.changed} changed`,
      );
      const p = `rerank.${size}.${run}`;
      figures.push(
        { name: `${p}.wall`, value: ms / 1000, unit: "s" },
        {
          name: `${p}.requests`,
          value: requests,
          unit: "requests",
          peer: "target",
          peerValue: REQUESTS_TARGET,
          ratio: requests / REQUESTS_TARGET,
        },
        { name: `${p}.requests_self_reported`, value: s.requests, unit: "requests" },
        { name: `${p}.requests_batch_parts_counted`, value: parts, unit: "requests" },
        { name: `${p}.accounts_written`, value: s.written, unit: "accounts" },
        { name: `${p}.history_rows`, value: s.historyRows, unit: "rows" },
      );
    }
    figures.push({ name: `rerank.${size}.peak_rss_with_sandbox`, value: peakRssMb(), unit: "MB" });
  } finally {
    rmSync(checkpointFile, { force: true });
    await proxy.close();
    await sandbox.close();
  }
  return figures;
}

if (require.main === module) childMain(rerankSuite);

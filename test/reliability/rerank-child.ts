/**
 * A re-rank in its own process, so a test can kill it (SIGKILL: no finally, no flush) at any point:
 * `rerank-child.ts URL CHECKPOINT AS_OF resume|fresh`. Sends its summary over IPC when it finishes.
 */
import { runRerank } from "../../plugins/rerank";

async function main(): Promise<void> {
  const [url, checkpointFile, asOf, mode] = process.argv.slice(2);
  const summary = await runRerank({
    url,
    checkpointFile,
    asOf: Number(asOf),
    resume: mode === "resume",
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    // Each step reported to the parent, which picks one to kill the process at.
    onProgress: (done, total, phase) => process.send!({ progress: { done, total, phase } }),
  });
  process.send!({ summary }, () => process.exit(0));
}

main().catch((e: Error) => {
  process.stderr.write(`rerank child: ${e.stack ?? e.message}\n`);
  process.exit(3);
});

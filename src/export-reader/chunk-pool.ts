import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { CHUNK_WORKER_FLAG, readChunk, type ChunkMessage, type ChunkTask } from "./chunk-worker";

/** The compiled worker; under ts-jest the sources run as TypeScript, and `npm test` builds dist/ first. */
function workerScript(): string {
  const here = join(__dirname, "chunk-worker.js");
  return existsSync(here) ? here : join(__dirname, "../../dist/src/export-reader/chunk-worker.js");
}

const IN_FLIGHT = 2;

/**
 * Worker threads that read chunks, a couple of tasks each at a time, started by the first run; with `local`, the
 * calling thread takes tasks from the same queue too, between its own work (reading the accounts, folding results).
 * A worker thread costs about half a second of CPU before it reads anything (Node's boot, compiling the reader again):
 * on 2 cores, one worker beside the calling thread read the 100k sample's row files in less wall time than one
 * thread alone, where two workers beside it took longer (docs/csv-reader.md).
 */
export class ChunkPool {
  private readonly workers: Worker[] = [];
  /** Set by terminate: this thread's lane takes no further task. */
  private stopped = false;

  constructor(
    private readonly size: number,
    private readonly local = false,
  ) {}

  /**
   * Runs the tasks, at most `inFlight` × `size` at once (plus one on this thread with `local`), handing every message
   * to `onMessage` in arrival order; settles when every task has answered, or rejects when a thread fails.
   */
  run(tasks: readonly ChunkTask[], onMessage: (m: ChunkMessage) => void, inFlight = IN_FLIGHT): Promise<void> {
    return new Promise((resolve, reject) => {
      let next = 0;
      let running = 0;
      const cleanups: (() => void)[] = [];
      let settled = false;
      const finish = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        cleanups.forEach((c) => c());
        if (err) reject(err);
        else resolve();
      };
      const start = (w: Worker): void => {
        if (next >= tasks.length) {
          if (running === 0) finish();
          return;
        }
        running++;
        w.postMessage(tasks[next++]);
      };
      const count = Math.max(this.local ? 0 : 1, Math.min(this.size, tasks.length));
      while (this.workers.length < count)
        this.workers.push(
          new Worker(workerScript(), {
            workerData: { [CHUNK_WORKER_FLAG]: true },
            // A larger young generation: a chunk's rows are short-lived garbage, collected less often.
            resourceLimits: { maxYoungGenerationSizeMb: 96 },
          }),
        );
      for (const w of this.workers.slice(0, count)) {
        const onMsg = (m: ChunkMessage): void => {
          onMessage(m);
          if (m.kind === "bytes") return;
          running--;
          start(w);
        };
        const onError = (e: Error): void => finish(e);
        const onExit = (code: number): void => onError(new Error(`a CSV reader thread exited with code ${code}`));
        w.on("message", onMsg);
        w.on("error", onError);
        w.on("exit", onExit);
        cleanups.push(() => {
          w.off("message", onMsg);
          w.off("error", onError);
          w.off("exit", onExit);
        });
      }
      if (tasks.length === 0) return finish();
      // Two tasks in flight per thread: it parses one while the other waits for the disk, and never waits for this
      // thread (busy reading the accounts) to hand it the next.
      for (let k = 0; k < inFlight; k++) for (const w of this.workers.slice(0, count)) start(w);
      // This thread's lane: one task at a time, started after the workers have theirs.
      if (this.local)
        void (async () => {
          while (!settled && !this.stopped && next < tasks.length) {
            running++;
            await readChunk(tasks[next++], onMessage);
            running--;
          }
          if (running === 0) finish();
        })();
    });
  }

  async terminate(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}

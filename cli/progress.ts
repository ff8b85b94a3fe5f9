import { SingleBar } from "cli-progress";
import type { CliIo } from "./command";

export interface Progress {
  add(bytes: number): void;
  stop(): void;
}

/** A byte-based progress bar on stderr, only on a terminal and only once the work has taken over a second. */
export function startProgress(io: CliIo, totalBytes: number, label: string, delayMs = 1000): Progress {
  if (!io.stderr.isTTY || totalBytes <= 0) return { add: () => {}, stop: () => {} };
  let done = 0;
  let bar: SingleBar | null = null;
  const timer = setTimeout(() => {
    bar = new SingleBar({
      stream: io.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} MB`,
      hideCursor: true,
      clearOnComplete: true,
    });
    bar.start(Math.ceil(totalBytes / 1e6), Math.floor(done / 1e6));
  }, delayMs);
  timer.unref();
  return {
    add(bytes) {
      done += bytes;
      bar?.update(Math.floor(done / 1e6));
    },
    stop() {
      clearTimeout(timer);
      bar?.stop();
    },
  };
}

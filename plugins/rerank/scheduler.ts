import type { Logger } from "../log";

/**
 * The re-rank brought forward: a tier model save asks for a run now instead of at the next timer. One run at a time;
 * saves during a run ask for one more run after it (not one per save), so a burst of edits costs at most two runs.
 */
export class RerankScheduler {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly run: (log: Logger) => Promise<unknown>) {}

  request(reason: string, log: Logger): "started" | "queued" {
    if (this.running) {
      this.again = true;
      log.info({ reason }, "re-rank already running: another run follows it");
      return "queued";
    }
    log.info({ reason }, "re-rank brought forward");
    this.running = this.loop(log);
    return "started";
  }

  /** Settles when no run is going on (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(log: Logger): Promise<void> {
    try {
      do {
        this.again = false;
        try {
          await this.run(log);
        } catch (e) {
          // The timer's next run retries; a failure here must not take the service down.
          log.error({ err: e instanceof Error ? e.message : String(e) }, "re-rank brought forward failed");
        }
      } while (this.again);
    } finally {
      this.running = null;
    }
  }
}

import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The time left to answer the webhook. Dataverse waits 60 s for a webhook before it counts the call as failed,
 * so every retry and back-off below asks this first and gives up in time to answer.
 * https://learn.microsoft.com/power-apps/developer/data-platform/use-webhooks#webhook-timeouts
 */
export class Deadline {
  constructor(
    readonly at: number,
    private readonly now: () => number = Date.now,
  ) {}
  static in(ms: number, now: () => number = Date.now): Deadline {
    return new Deadline(now() + ms, now);
  }
  remaining(): number {
    return Math.max(0, this.at - this.now());
  }
  expired(): boolean {
    return this.remaining() === 0;
  }
}

export class DeadlineExceeded extends Error {
  override name = "DeadlineExceeded";
  constructor(what: string) {
    super(`gave up on ${what}: not enough time left to answer within Dataverse's webhook timeout`);
  }
}

const current = new AsyncLocalStorage<Deadline>();

/** Runs `fn` with a deadline every Dataverse call inside it honours (dataverse-ify's request interface has no room for one). */
export const withDeadline = <T>(deadline: Deadline, fn: () => Promise<T>): Promise<T> => current.run(deadline, fn);
export const currentDeadline = (): Deadline | undefined => current.getStore();

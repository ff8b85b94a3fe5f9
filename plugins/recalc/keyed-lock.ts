/** A task refused because too many are already waiting: the caller answers 503 with Retry-After (issue 17). */
export class Overloaded extends Error {
  override name = "Overloaded";
}

/**
 * Runs tasks for the same key one after another. Concurrent saves of one account in this process then queue
 * instead of racing into 412s; across processes If-Match still decides. At most `maxWaiting` tasks wait behind the
 * running one; a further one is refused (Overloaded) rather than queued without limit.
 */
export class KeyedLock {
  private readonly tails = new Map<string, { tail: Promise<unknown>; count: number }>();

  constructor(private readonly maxWaiting = Number.POSITIVE_INFINITY) {}

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const entry = this.tails.get(key);
    // count is the running task plus those waiting.
    if (entry && entry.count - 1 >= this.maxWaiting)
      return Promise.reject(new Overloaded(`${entry.count - 1} recalculations already wait for this account`));
    const previous = entry?.tail ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    const next = { tail, count: (entry?.count ?? 0) + 1 };
    this.tails.set(key, next);
    void tail.then(() => {
      const now = this.tails.get(key);
      if (!now) return;
      if (now.tail === tail) this.tails.delete(key);
      else now.count--;
    });
    return result;
  }

  get size(): number {
    return this.tails.size;
  }
}

/** A task refused because too many are already waiting: the caller answers 503 with Retry-After (issue 17). */
export class Overloaded extends Error {
  override name = "Overloaded";
}

/** One queued task and the callers sharing its result. */
interface Slot {
  group: string | undefined;
  callers: number;
  started: boolean;
  result: Promise<unknown>;
}

/**
 * Runs tasks for the same key one after another. Concurrent saves of one account in this process then queue
 * instead of racing into 412s; across processes If-Match still decides. At most `maxWaiting` callers wait behind the
 * running task; a further one is refused (Overloaded) rather than queued without limit.
 *
 * A caller that names a `group` joins the last waiting task of the same group instead of queueing one more (`onJoin`
 * says so): that task has not started yet, so it reads everything committed before the caller came and its result
 * answers both. A running task is never joined (it may have read before the caller's change was committed).
 */
export class KeyedLock {
  private readonly queues = new Map<string, Slot[]>();

  constructor(private readonly maxWaiting = Number.POSITIVE_INFINITY) {}

  run<T>(key: string, task: () => Promise<T>, coalesce?: { group: string; onJoin?: () => void }): Promise<T> {
    const slots = this.queues.get(key) ?? [];
    // The first slot runs, or is about to with nothing ahead of it.
    const waiting = slots.slice(1).reduce((n, s) => n + (s.started ? 0 : s.callers), 0);
    if (waiting >= this.maxWaiting)
      return Promise.reject(new Overloaded(`${waiting} saves already wait for this account`));
    const last = slots.at(-1);
    if (coalesce && last && !last.started && last.group === coalesce.group) {
      last.callers++;
      coalesce.onJoin?.();
      return last.result as Promise<T>;
    }
    const slot: Slot = { group: coalesce?.group, callers: 1, started: false, result: Promise.resolve() };
    const start = (): Promise<T> => {
      slot.started = true;
      return task();
    };
    const previous = last ? last.result.then(noop, noop) : Promise.resolve();
    const result = previous.then(start);
    slot.result = result;
    slots.push(slot);
    this.queues.set(key, slots);
    void result.then(noop, noop).then(() => {
      slots.splice(slots.indexOf(slot), 1);
      if (slots.length === 0 && this.queues.get(key) === slots) this.queues.delete(key);
    });
    return result;
  }

  get size(): number {
    return this.queues.size;
  }
}

const noop = (): void => undefined;

/**
 * Sorted query results kept between the pages of one query, so reading a million rows page by page
 * sorts them once, not once per page. An entry is valid while the tables it read are unchanged.
 */
import type { Store } from "./store";

interface Entry<T> {
  versions: string;
  value: T;
}

export class ResultCache {
  private readonly entries = new Map<string, Entry<unknown>>();
  constructor(
    private readonly store: Store,
    private readonly capacity = 4,
  ) {}

  get<T>(key: string, tables: string[], compute: () => T): T {
    const versions = tables.map((t) => `${t}:${this.store.tableVersion(t)}`).join(",");
    const hit = this.entries.get(key);
    if (hit && hit.versions === versions) {
      this.entries.delete(key);
      this.entries.set(key, hit); // most recently used last
      return hit.value as T;
    }
    const value = compute();
    this.entries.set(key, { versions, value });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}

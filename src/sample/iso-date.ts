import { DAY_MS } from "../engine/dates";

// `Date#toISOString` was the generator's hottest call; the day part repeats for every row of a day, so it is cached.
const dayPrefix = new Map<number, string>();
const TWO = Array.from({ length: 60 }, (_, i) => (i < 10 ? "0" : "") + i);

function datePart(day: number): string {
  let s = dayPrefix.get(day);
  if (s === undefined) {
    s = new Date(day * DAY_MS).toISOString().slice(0, 11);
    if (dayPrefix.size < 100_000) dayPrefix.set(day, s);
  }
  return s;
}

/** ISO 8601 UTC to the second (`2025-03-14T09:31:05Z`), as the Dataverse Web API writes date-times. */
export function isoSecond(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  const sec = Math.floor((ms - day * DAY_MS) / 1000);
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  return datePart(day) + TWO[h] + ":" + TWO[m] + ":" + TWO[sec % 60] + "Z";
}

/** Date-only columns (close dates), written as midnight UTC of the day. */
export function isoDay(ms: number): string {
  return datePart(Math.floor(ms / DAY_MS)) + "00:00:00Z";
}

/** UTC calendar arithmetic for the window, the quarters and the cadence. Instants are epoch milliseconds. */

export const DAY_MS = 86_400_000;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses an ISO 8601 date or date-time; a bare date is its UTC midnight and a time without offset is UTC
 * (Dataverse exports UTC). Returns NaN for anything else, including impossible dates like 2023-02-30.
 */
export function parseInstant(text: string): number {
  const m = ISO.exec(text);
  if (!m) return NaN;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month - 1)) return NaN;
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  let t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const zone = m[8];
  if (zone && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offH = Number(digits.slice(0, 2));
    const offM = Number(digits.slice(2, 4));
    if (offH > 23 || offM > 59) return NaN;
    t -= sign * (offH * 60 + offM) * 60_000;
  }
  return t;
}

export function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

/** Calendar months later (negative: earlier), same time of day; a day past the month's end clamps to its last day. */
export function addMonths(t: number, months: number): number {
  const d = new Date(t);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month0 = total - year * 12;
  const day = Math.min(d.getUTCDate(), daysInMonth(year, month0));
  return Date.UTC(year, month0, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/** Start of the calendar quarter holding t, moved by `offset` quarters. */
export function quarterStart(t: number, offset = 0): number {
  const d = new Date(t);
  const q = Math.floor(d.getUTCMonth() / 3) + offset;
  return Date.UTC(d.getUTCFullYear(), q * 3, 1);
}

export function utcMidnight(t: number): number {
  return Math.floor(t / DAY_MS) * DAY_MS;
}

/** Whole days (floor) from `from` to `to`. */
export function daysBetween(from: number, to: number): number {
  return Math.floor((to - from) / DAY_MS);
}

// A batch formats the same few dates (asOf, due dates) for every account: remember the last ones.
const isoCache = new Map<number, string>();
function cachedIso(t: number): string {
  let s = isoCache.get(t);
  if (s === undefined) {
    if (isoCache.size > 4096) isoCache.clear();
    s = new Date(t).toISOString();
    isoCache.set(t, s);
  }
  return s;
}

export function isoDate(t: number): string {
  return cachedIso(t).slice(0, 10);
}

export function isoInstant(t: number): string {
  return cachedIso(t);
}

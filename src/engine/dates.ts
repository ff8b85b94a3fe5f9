/** UTC calendar arithmetic for the window, the quarters and the cadence. Instants are epoch milliseconds. */

export const DAY_MS = 86_400_000;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses an ISO 8601 date or date-time; a bare date is its UTC midnight and a time without offset is UTC
 * (Dataverse exports UTC). Returns NaN for anything else, including impossible dates like 2023-02-30.
 */
export function parseInstant(text: string): number {
  const fast = parseZulu(text);
  if (fast === fast) return fast; // not NaN
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

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month0: number): number {
  const m = ((month0 % 12) + 12) % 12;
  const y = year + Math.floor(month0 / 12);
  return m === 1 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : DAYS[m];
}

/** Two ASCII digits at i, or NaN. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}

/**
 * The shapes exports use by the million, read without a regex: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SSZ`. Anything else
 * (fractions, offsets, impossible dates) is NaN here and goes through the full parser.
 */
function parseZulu(s: string): number {
  const len = s.length;
  if ((len !== 10 && len !== 20) || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
  const year = two(s, 0) * 100 + two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month - 1))) return NaN;
  if (len === 10) return Date.UTC(year, month - 1, day);
  if (s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 90)
    return NaN;
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  if (!(hour <= 23 && minute <= 59 && second <= 59)) return NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second);
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

import { daysInMonth } from "../engine/dates";

/**
 * Byte-level fast paths for the cell rules of cells.ts: each reads the common shapes of a cell straight from the
 * bytes and returns what the string rule would, or FALLBACK for anything else (then the cell is decoded and the
 * string rule decides, errors included). So a fast path can only be faster, never different.
 */

export const FALLBACK: unique symbol = Symbol("fallback");
export type BytesParser = (buf: Buffer, s: number, e: number) => unknown;

/** A column whose value nothing reads (invoiceid, …): only the string rule's check matters. */
export const presentBytes: BytesParser = (_buf, s, e) => (e > s ? null : FALLBACK);

/** Text: ASCII (ids, codes) without the UTF-8 decoder. */
export const textBytes: BytesParser = (buf, s, e) => {
  for (let i = s; i < e; i++) if (buf[i] >= 0x80) return buf.toString("utf8", s, e);
  return buf.toString("latin1", s, e);
};

export const requiredTextBytes: BytesParser = (buf, s, e) => (e > s ? textBytes(buf, s, e) : FALLBACK);

/**
 * A required code cell (activitytypecode) that is mostly one of `words`: the word's own string, compared as bytes, so
 * nothing is decoded and lookups by it (isTouch) meet an interned string. Other cells: requiredTextBytes.
 */
export function knownTextBytes(words: readonly string[]): BytesParser {
  const known = words.map((w) => ({ w, b: Buffer.from(w, "latin1") }));
  return (buf, s, e) => {
    const n = e - s;
    next: for (const { w, b } of known) {
      if (b.length !== n) continue;
      for (let k = 0; k < n; k++) if (buf[s + k] !== b[k]) continue next;
      return w;
    }
    return requiredTextBytes(buf, s, e);
  };
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * `[+-]?digits[.digits]` with at most 15 digits: the integer of all digits is exact, and so is 10^k, so one division
 * is the correctly rounded value, the one Number() gives for the same text.
 */
function decimal(buf: Buffer, s: number, e: number): number | typeof FALLBACK {
  let i = s;
  let negative = false;
  const first = buf[i];
  if (first === 0x2d || first === 0x2b) {
    negative = first === 0x2d;
    i++;
  }
  let m = 0;
  let digits = 0;
  let scale = -1;
  for (; i < e; i++) {
    const c = buf[i];
    if (c === 0x2e && scale < 0) {
      scale = 0;
      continue;
    }
    const d = c - 0x30;
    if (d < 0 || d > 9) return FALLBACK;
    m = m * 10 + d;
    digits++;
    if (scale >= 0) scale++;
  }
  if (digits === 0 || digits > 15) return FALLBACK;
  const v = scale > 0 ? m / POW10[scale] : m;
  return negative ? -v : v;
}

/** optionalNumber: "" is null. */
export const optionalNumberBytes: BytesParser = (buf, s, e) => (e === s ? null : decimal(buf, s, e));

/** amount: "" is 0. */
export const amountBytes: BytesParser = (buf, s, e) => (e === s ? 0 : decimal(buf, s, e));

export const optionalPercentBytes: BytesParser = (buf, s, e) => {
  if (e === s) return null;
  const v = decimal(buf, s, e);
  return v === FALLBACK || v < 0 || v > 100 ? FALLBACK : v;
};

/** A state code of one or two digits that the table allows. */
export function stateBytes(allowed: Record<string, number>): BytesParser {
  const ok = new Set(Object.values(allowed));
  return (buf, s, e) => {
    const n = e - s;
    if (n < 1 || n > 2) return FALLBACK;
    const a = buf[s] - 0x30;
    const b = n === 2 ? buf[s + 1] - 0x30 : 0;
    if (a < 0 || a > 9 || b < 0 || b > 9) return FALLBACK;
    const v = n === 2 ? a * 10 + b : a;
    return ok.has(v) ? v : FALLBACK;
  };
}

function two(buf: Buffer, i: number): number {
  const a = buf[i] - 48;
  const b = buf[i + 1] - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}

/** `YYYY-MM-DD` and `YYYY-MM-DDTHH:MM:SSZ`, as the engine's parseInstant reads them (src/engine/dates.ts). */
function zulu(buf: Buffer, s: number, e: number): number | typeof FALLBACK {
  const len = e - s;
  if ((len !== 10 && len !== 20) || buf[s + 4] !== 45 || buf[s + 7] !== 45) return FALLBACK;
  const year = two(buf, s) * 100 + two(buf, s + 2);
  const month = two(buf, s + 5);
  const day = two(buf, s + 8);
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month - 1))) return FALLBACK;
  if (len === 10) return utc(year, month, day, 0);
  if (buf[s + 10] !== 84 || buf[s + 13] !== 58 || buf[s + 16] !== 58 || buf[s + 19] !== 90) return FALLBACK;
  const hour = two(buf, s + 11);
  const minute = two(buf, s + 14);
  const second = two(buf, s + 17);
  if (!(hour <= 23 && minute <= 59 && second <= 59)) return FALLBACK;
  return utc(year, month, day, (hour * 60 + minute) * 60 + second);
}

/**
 * Date.UTC(year, month - 1, day) + seconds, by integer arithmetic (days from civil, H. Hinnant): tens of millions of
 * cells call it, and the builtin costs more. Years before 100 keep Date.UTC, which reads them as 19xx.
 */
function utc(year: number, month: number, day: number, seconds: number): number {
  if (year < 100) return Date.UTC(year, month - 1, day) + seconds * 1000;
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return (era * 146097 + doe - 719468) * 86_400_000 + seconds * 1000;
}

export const optionalInstantBytes: BytesParser = (buf, s, e) => (e === s ? null : zulu(buf, s, e));
export const instantBytes: BytesParser = (buf, s, e) => (e === s ? FALLBACK : zulu(buf, s, e));

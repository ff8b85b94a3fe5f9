/**
 * Ranges of GUIDs for splitting a grouped aggregate under the 50,000-row limit. A range [lo, hi) is in units of
 * 1/65,536 of the id space; its bound is a GUID whose every group starts with the same 16-bit value v
 * ("vvvv0000-vvvv-vvvv-vvvv-vvvv00000000"). Such bounds are in the same order as text (the sandbox) and as SQL
 * Server orders uniqueidentifier, which compares the last group first
 * (https://learn.microsoft.com/sql/connect/ado-net/sql/compare-guid-uniqueidentifier-values), so the ranges
 * partition the ids on either server.
 */
import { cond } from "../dataverse/fetchxml";
export const ID_SPACE = 65_536;

export interface IdRange {
  lo: number;
  hi: number;
}

export function boundGuid(v: number): string {
  if (!Number.isInteger(v) || v <= 0 || v >= ID_SPACE) throw new RangeError(`id bound ${v} is outside 1..65535`);
  const h = v.toString(16).padStart(4, "0");
  return `${h}0000-${h}-${h}-${h}-${h}00000000`;
}

/** FetchXML conditions of a range on a lookup or key column: no bound at 0 and at the end of the space. */
export function idConditions(attribute: string, r: IdRange): string {
  let out = "";
  if (r.lo > 0) out += cond(attribute, "ge", boundGuid(r.lo));
  if (r.hi < ID_SPACE) out += cond(attribute, "lt", boundGuid(r.hi));
  return out;
}

/** [lo, hi) cut into `parts` ranges of near-equal width (fewer when the range is narrower than that). */
export function splitRange(r: IdRange, parts: number): IdRange[] {
  const width = r.hi - r.lo;
  const n = Math.max(1, Math.min(parts, width));
  const out: IdRange[] = [];
  for (let k = 0; k < n; k++)
    out.push({ lo: r.lo + Math.floor((width * k) / n), hi: r.lo + Math.floor((width * (k + 1)) / n) });
  return out;
}

/**
 * SQL Server compares uniqueidentifier values by byte groups, most significant first: bytes 10–15, then 8–9, 6–7,
 * 4–5, 0–3 (of the GUID's byte array, whose first three groups are little-endian), not as their strings sort.
 * Dataverse stores ids as uniqueidentifier, so `lt`/`ge` and ordering on ids follow this order.
 * https://learn.microsoft.com/sql/connect/ado-net/sql/compare-guid-uniqueidentifier-values
 */
import { isLookup, type ColumnDef } from "./metadata";

/**
 * Character positions of a hyphenated GUID (aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee) from most to least significant:
 * e (bytes 10–15), d (8–9), c as bytes 6 then 7, b as bytes 4 then 5, a as bytes 0 to 3.
 */
const ORDER = [
  24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 19, 20, 21, 22, 16, 17, 14, 15, 11, 12, 9, 10, 6, 7, 4, 5, 2, 3, 0, 1,
];

/** A string that sorts as SQL Server sorts the GUID `id` (lower-case, hyphenated). */
export function sqlGuidKey(id: string): string {
  const s = id.toLowerCase();
  if (s.length !== 36) return s;
  let out = "";
  for (const i of ORDER) out += s[i];
  return out;
}

/** Compares two lower-case hyphenated GUIDs in SQL Server order, without allocating (big sorts). */
export function compareSqlGuid(x: string, y: string): number {
  if (x.length !== 36 || y.length !== 36) return x < y ? -1 : x > y ? 1 : 0;
  for (const i of ORDER) {
    const d = x.charCodeAt(i) - y.charCodeAt(i);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Columns whose values are compared as uniqueidentifier. */
export const isGuidColumn = (c: ColumnDef): boolean => c.type === "Uniqueidentifier" || isLookup(c);

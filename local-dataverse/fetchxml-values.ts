/** FetchXML values: condition text parsed for its column's type, and row values as comparable, sortable keys. */
import { badRequest } from "./errors";
import type { ColumnDef } from "./metadata";
import { isLookupValue, type Value } from "./store";
import { parseDate } from "./codec";
import { compareSqlGuid } from "./guid-order";

/** Relative date operators: their one value is a whole number of days or months, counted from the current time. */
export const RELATIVE_OPERATORS = ["olderthan-x-days", "last-x-days", "last-x-months"];

/** Condition text → comparable value for the column's type (GUIDs may come in braces). */
export function parseConditionValue(col: ColumnDef, text: string, operator: string): string | number | boolean {
  if (RELATIVE_OPERATORS.includes(operator)) {
    const n = Number(text);
    if (col.type !== "DateTime")
      throw badRequest(`The operator '${operator}' needs a date column; '${col.name}' is not one.`);
    if (!Number.isInteger(n) || n < 0)
      throw badRequest(`The value '${text}' of the condition on '${col.name}' is not a whole number.`);
    return n;
  }
  if (operator.includes("like") || operator.includes("begin") || operator.includes("end-with"))
    return text.toLowerCase();
  switch (col.type) {
    case "Integer":
    case "Decimal":
    case "Money":
    case "Picklist":
    case "State":
    case "Status": {
      const n = Number(text);
      if (text.trim() === "" || !Number.isFinite(n))
        throw badRequest(`The value '${text}' of the condition on '${col.name}' is not a valid number.`);
      return n;
    }
    case "DateTime": {
      const ms = parseDate(text.trim());
      if (ms === undefined)
        throw badRequest(`The value '${text}' of the condition on '${col.name}' is not a valid date.`);
      return ms;
    }
    case "Boolean":
      return text === "1" || text.toLowerCase() === "true";
    case "String":
    case "Memo":
      return text.toLowerCase();
    default: {
      const id = text
        .trim()
        .replace(/^\{|\}$/g, "")
        .toLowerCase();
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
        throw badRequest(`The value '${text}' of the condition on '${col.name}' is not a valid Guid.`);
      }
      return id;
    }
  }
}

/** A row value as a key: a lookup by its id, text case-insensitively (as Dataverse's collation compares it). */
export const comparable = (v: Value): string | number | boolean | null =>
  v === null ? null : isLookupValue(v) ? v.id : typeof v === "string" ? v.toLowerCase() : v;

/** Order of two values in `<order>`: ids in SQL Server's uniqueidentifier order when `guid`. */
export function sortKeyCompare(a: Value, b: Value, guid = false): number {
  const x = comparable(a);
  const y = comparable(b);
  if (guid && typeof x === "string" && typeof y === "string") return compareSqlGuid(x, y);
  if (x === y) return 0;
  if (x === null) return -1; // nulls first ascending, as SQL Server sorts them
  if (y === null) return 1;
  return x < y ? -1 : 1;
}

import { parseInstant } from "../engine/dates";

/** Cell parsers for the export folder: each returns the value or throws a reason the reader turns into an InputError. */

export class CellError extends Error {}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

export function text(cell: string): string {
  return cell;
}

export function required(cell: string): string {
  if (cell === "") throw new CellError("is empty; a value is required");
  return cell;
}

/** Money and decimals: an empty cell is no value (Dataverse exports null money as empty). */
export function optionalNumber(cell: string): number | null {
  if (cell === "") return null;
  if (!DECIMAL.test(cell)) throw new CellError(`"${cell}" is not a number`);
  return Number(cell);
}

export function amount(cell: string): number {
  return optionalNumber(cell) ?? 0;
}

export function optionalInstant(cell: string): number | null {
  if (cell === "") return null;
  const t = parseInstant(cell);
  if (Number.isNaN(t)) throw new CellError(`"${cell}" is not an ISO 8601 date`);
  return t;
}

export function instant(cell: string): number {
  const t = optionalInstant(cell);
  if (t === null) throw new CellError("is empty; a date is required");
  return t;
}

/** A `statecode` cell: one of the table's documented states. */
export function state(allowed: Record<string, number>): (cell: string) => number {
  const values = new Set(Object.values(allowed));
  const list = Object.entries(allowed)
    .map(([name, v]) => `${v} ${name}`)
    .join(", ");
  return (cell) => {
    if (!INTEGER.test(cell) || !values.has(Number(cell)))
      throw new CellError(`unknown state "${cell}" (expected ${list})`);
    return Number(cell);
  };
}

export function optionalPercent(cell: string): number | null {
  const v = optionalNumber(cell);
  if (v !== null && (v < 0 || v > 100)) throw new CellError(`${cell} is outside 0..100`);
  return v;
}

/** FetchXML checks: table and column names, and each condition's operator and values, refused as Dataverse does. */
import { DataverseError, badRequest } from "./errors";
import type { ColumnDef, TableDef } from "./metadata";
import type { Store } from "./store";
import type { Condition } from "./fetchxml-types";
import { parseConditionValue, RELATIVE_OPERATORS } from "./fetchxml-values";

export function tableDef(store: Store, name: string | undefined): TableDef {
  const def = name ? store.metadata.table(name) : undefined;
  // QueryBuilderNoEntity / QueryBuilderNoAttribute (names are logical names, case-sensitive)
  // https://learn.microsoft.com/power-apps/developer/data-platform/reference/web-service-error-codes
  if (!def)
    throw new DataverseError(
      400,
      "0x80041102",
      `The entity with a name = '${name}' with namemapping = 'Logical' was not found in the MetadataCache.`,
    );
  return def;
}

export function column(def: TableDef, name: string | undefined): ColumnDef {
  const col = name ? def.columns.get(name) : undefined;
  if (!col || col.writeOnly)
    throw new DataverseError(
      400,
      "0x80041103",
      `'${def.logicalName}' entity doesn't contain attribute with Name = '${name}' and NameMapping = 'Logical'.`,
    );
  return col;
}

/**
 * Column comparison (`valueof`): same table, the documented operators only, and columns of one type.
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/filter-rows#filter-on-column-values-in-the-same-row
 */
export function checkColumnComparison(c: Condition): void {
  if (!["eq", "ne", "neq", "gt", "ge", "lt", "le"].includes(c.operator))
    throw badRequest(`The operator '${c.operator}' cannot compare columns (valueof).`);
  if (c.values.length > 0) throw badRequest(`A condition with valueof on '${c.col.name}' cannot also have a value.`);
  if (c.other!.type !== c.col.type)
    throw badRequest(`Cannot compare '${c.col.name}' with '${c.other!.name}': the columns are of different types.`);
}

const OPERATORS = new Set([
  "eq",
  "ne",
  "neq",
  "gt",
  "ge",
  "lt",
  "le",
  "null",
  "not-null",
  "in",
  "not-in",
  "between",
  "not-between",
  "like",
  "not-like",
  "begins-with",
  "not-begin-with",
  "ends-with",
  "not-end-with",
  "on",
  "on-or-after",
  "on-or-before",
  ...RELATIVE_OPERATORS,
]);

export function checkOperator(c: Condition): void {
  if (!OPERATORS.has(c.operator))
    throw badRequest(`The condition operator '${c.operator}' is not supported by the sandbox.`);
  const needs =
    c.operator === "null" || c.operator === "not-null"
      ? 0
      : c.operator.includes("between")
        ? 2
        : c.operator.endsWith("in")
          ? -1
          : 1;
  if (needs === -1 ? c.values.length === 0 : c.values.length !== needs) {
    throw badRequest(
      `The condition for attribute '${c.col.name}' with operator '${c.operator}' has ${c.values.length} value(s).`,
    );
  }
  for (const v of c.values) parseConditionValue(c.col, v, c.operator);
}

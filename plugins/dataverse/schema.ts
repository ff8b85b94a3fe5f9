import { TABLES } from "./schema.generated";

/**
 * Typed access to the generated schema (schema.generated.ts, built from solution/src): a table, column or
 * navigation property that the solution does not declare fails to compile. Navigation property names are
 * case-sensitive in the Web API ("An undeclared property … which only has property annotations in the payload").
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/associate-disassociate-entities-using-web-api#associate-with-a-single-valued-navigation-property
 */
export { TABLES, CHOICES, DEFAULTS } from "./schema.generated";

export type Table = keyof typeof TABLES;
export type Column<T extends Table> = (typeof TABLES)[T]["columns"][number];
export type Navigation<T extends Table> = keyof (typeof TABLES)[T]["navigation"] & string;
type TargetOf<T extends Table, N extends Navigation<T>> = ((typeof TABLES)[T]["navigation"][N] &
  readonly Table[])[number];

/** The Web API entity set of a table, e.g. `ct_tierhistory` → `ct_tierhistories`. */
export const setOf = (table: Table): string => TABLES[table].entitySet;

/** A column name, checked at compile time: `col("account", "ct_tier")`. */
export const col = <T extends Table>(_table: T, column: Column<T>): string => column;

/**
 * One `@odata.bind` entry of a create/update body: `bind("ct_tierhistory", "ct_AccountId", "account", id)` →
 * `["ct_AccountId@odata.bind", "/accounts(<id>)"]`.
 */
export function bind<T extends Table, N extends Navigation<T>>(
  _table: T,
  navigation: N,
  target: TargetOf<T, N>,
  id: string,
): [string, string] {
  return [`${navigation}@odata.bind`, `/${setOf(target)}(${id})`];
}

/** The key of a lookup's value in a read (`_ct_servicerepid_value`): the lookup column, lower case. */
export const lookupValue = <T extends Table>(_table: T, column: Column<T>): string => `_${column}_value`;

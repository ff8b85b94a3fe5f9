/**
 * Table and column definitions the sandbox serves. Types follow Dataverse's attribute types
 * (https://learn.microsoft.com/power-apps/developer/data-platform/webapi/web-api-types-operations#primitive-types)
 * so `$select`, `$filter`, FetchXML and the webhook context type-check and format values like the real service.
 * The tables are data: the platform's (platform-tables.ts) and the solution's, read from solution/src
 * (solution-tables.ts). Navigation property names are case-sensitive, as in Dataverse; there are no aliases.
 */
import { readSolutionSource, type SolutionSource } from "../solution/scripts/source-model";
import { ADMIN_SPECS } from "./metadata-admin";
import { PLATFORM_TABLES } from "./platform-tables";
import { withSolution } from "./solution-tables";

export type { ColumnDef, ColumnType, Navigation, Spec, TableDef, TableSpec } from "./table-types";
import type { ColumnDef, Navigation, TableDef, TableSpec } from "./table-types";

function build(spec: TableSpec): TableDef {
  const columns = new Map<string, ColumnDef>();
  const navigation = new Map<string, Navigation>();
  for (const [name, { nav, ...col }] of Object.entries(spec.columns)) {
    if (col.type === "Money") {
      const base = `${name}_base`;
      columns.set(name, { name, ...col, base });
      columns.set(base, { name: base, type: "Money", readOnly: true });
    } else {
      columns.set(name, { name, ...col });
    }
    for (const [navName, target] of Object.entries(nav ?? {}))
      navigation.set(navName, { column: name, targets: typeof target === "string" ? [target] : target });
  }
  return { ...spec, columns, navigation, defaults: spec.defaults ?? {}, custom: spec.custom ?? false };
}

export class Metadata {
  readonly tables = new Map<string, TableDef>();
  private readonly bySet = new Map<string, TableDef>();

  /** Default: the platform tables with the solution in solution/src (or the one given). */
  constructor(specs: TableSpec[] | SolutionSource = readSolutionSource()) {
    if (!Array.isArray(specs)) specs = withSolution([...PLATFORM_TABLES, ...ADMIN_SPECS], specs);
    for (const spec of specs) {
      const def = build(spec);
      this.tables.set(def.logicalName, def);
      this.bySet.set(def.entitySetName, def);
    }
  }

  table(logicalName: string): TableDef | undefined {
    return this.tables.get(logicalName);
  }

  bySetName(entitySetName: string): TableDef | undefined {
    return this.bySet.get(entitySetName);
  }
}

export const isLookup = (c: ColumnDef): boolean => c.type === "Lookup" || c.type === "Customer" || c.type === "Owner";
export const isChoice = (c: ColumnDef): boolean => c.type === "Picklist" || c.type === "State" || c.type === "Status";
export const isNumeric = (c: ColumnDef): boolean =>
  c.type === "Integer" || c.type === "Decimal" || c.type === "Money" || isChoice(c);

/** The Edm type name Dataverse reports for a column, used in error messages. */
export function edmType(c: ColumnDef): string {
  switch (c.type) {
    case "Uniqueidentifier":
    case "Lookup":
    case "Customer":
    case "Owner":
      return "Edm.Guid";
    case "String":
    case "Memo":
      return "Edm.String";
    case "Integer":
    case "Picklist":
    case "State":
    case "Status":
      return "Edm.Int32";
    case "Decimal":
    case "Money":
      return "Edm.Decimal";
    case "DateTime":
      return c.dateOnly ? "Edm.Date" : "Edm.DateTimeOffset";
    case "Boolean":
      return "Edm.Boolean";
  }
}

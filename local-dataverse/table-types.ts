/**
 * The shapes of the tables the local Dataverse serves: column and table definitions, and the specs they are built
 * from (platform-tables.ts, solution-tables.ts, metadata-admin.ts). Types only, so the table data and the metadata
 * built from it both depend on this file and not on each other.
 */
export type ColumnType =
  | "Uniqueidentifier"
  | "String"
  | "Memo"
  | "Integer"
  | "Decimal"
  | "Money"
  | "DateTime"
  | "Boolean"
  | "Lookup"
  | "Customer"
  | "Owner"
  | "Picklist"
  | "State"
  | "Status";

export interface ColumnDef {
  name: string;
  type: ColumnType;
  /** Lookup targets (logical names); several for Customer / regarding lookups. */
  targets?: string[];
  /** Choice labels by value (Picklist, State, Status). */
  options?: Record<number, string>;
  /** Computed by the platform (e.g. `_base` money, createdon): ignored on write like Dataverse does. */
  readOnly?: boolean;
  /** Settable but never returned (serviceendpoint.authvalue holds the webhook key). */
  writeOnly?: boolean;
  /** DateOnly behaviour: formatted without a time part. */
  dateOnly?: boolean;
  maxLength?: number;
  /** For Money columns: the `<name>_base` column kept equal to value / exchange rate (1 here). */
  base?: string;
}

export interface TableDef {
  logicalName: string;
  entitySetName: string;
  primaryId: string;
  primaryName: string;
  columns: Map<string, ColumnDef>;
  /** Single-valued navigation property (`x@odata.bind`, case-sensitive) → lookup column and the tables it takes. */
  navigation: Map<string, Navigation>;
  /** The name privileges use: prvRead<privilegeName> (Account, Activity, User, ct_TierHistory). */
  privilegeName: string;
  /** A table of the solution (custom table): supports CreateMultiple / UpdateMultiple. */
  custom: boolean;
  /** Default values set on create (e.g. statecode 0), like the platform does. */
  defaults: Record<string, unknown>;
  /** A read-only view over the rows of these tables (activitypointer over the activity tables): no rows of its own. */
  viewOf?: string[];
}

export interface Navigation {
  column: string;
  targets: string[];
}

/** A column as written in a table spec; `nav` names its navigation properties and the table(s) each takes. */
export type Spec = Omit<ColumnDef, "name"> & { nav?: Record<string, string | string[]> };

export interface TableSpec {
  logicalName: string;
  entitySetName: string;
  primaryId: string;
  primaryName: string;
  privilegeName: string;
  columns: Record<string, Spec>;
  defaults?: Record<string, unknown>;
  viewOf?: string[];
  custom?: boolean;
}

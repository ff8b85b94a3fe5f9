/**
 * The solution's tables, columns, choices and relationships, read from solution/src (the files the packer zips), as
 * table specs for the local Dataverse. Solution columns on a platform table (account's ct_ columns) are added to it.
 * A lookup with no relationship, a choice with no option set or a column type the local Dataverse does not know
 * fails here, when the solution is loaded, as its import would.
 */
import type { Column, Entity, SolutionSource } from "../solution/scripts/source-model";
import type { ColumnType, Spec, TableSpec } from "./table-types";

const TYPES: Record<string, ColumnType> = {
  primarykey: "Uniqueidentifier",
  nvarchar: "String",
  ntext: "Memo",
  int: "Integer",
  decimal: "Decimal",
  money: "Money",
  datetime: "DateTime",
  lookup: "Lookup",
  customer: "Customer",
  owner: "Owner",
  picklist: "Picklist",
  state: "State",
  status: "Status",
  bit: "Boolean",
  uniqueidentifier: "Uniqueidentifier",
};

function columnSpec(source: SolutionSource, entity: Entity, c: Column): Spec {
  const where = `${c.file}: column ${c.logicalName}`;
  const type = TYPES[c.type];
  if (!type) throw new Error(`${where}: type '${c.type}' is not one the local Dataverse serves`);
  const spec: Spec = { type };
  if (c.maxLength !== undefined && (type === "String" || type === "Memo")) spec.maxLength = c.maxLength;
  if (type === "DateTime" && c.format === "date") spec.dateOnly = true;
  if (type === "Picklist" || type === "State" || type === "Status") {
    const global = c.optionSetName ? source.optionSets.get(c.optionSetName) : undefined;
    if (c.optionSetName && !global) throw new Error(`${where}: option set '${c.optionSetName}' is not in the solution`);
    const options = global
      ? new Map(global.options.map((o) => [o.value, o.label]))
      : (c.localOptions ?? new Map<number, string>());
    if (options.size === 0) throw new Error(`${where}: a choice column without options`);
    spec.options = Object.fromEntries(options);
  }
  if (type === "Lookup") {
    const rels = source.relationships.filter((r) => r.referencing === entity.logicalName && r.column === c.logicalName);
    if (rels.length === 0) throw new Error(`${where}: a lookup without a relationship in Other/Relationships`);
    spec.targets = rels.map((r) => r.referenced);
    spec.nav = Object.fromEntries(rels.map((r) => [r.navigation, r.referenced]));
  }
  if (c.logicalName === "createdon" || c.logicalName === "modifiedon") spec.readOnly = true;
  return spec;
}

function privilegeName(entity: Entity): string {
  return entity.schemaName;
}

/** A new table of the solution, with the columns the platform adds to every custom table. */
function newTable(source: SolutionSource, entity: Entity): TableSpec {
  const columns: Record<string, Spec> = {};
  let primaryId = "";
  let primaryName = "";
  for (const c of entity.columns.values()) {
    columns[c.logicalName] = columnSpec(source, entity, c);
    if (c.type === "primarykey") primaryId = c.logicalName;
    if (c.primaryName) primaryName = c.logicalName;
  }
  if (!primaryId) throw new Error(`${entity.dir}/Entity.xml: no primary key column`);
  if (!primaryName) primaryName = columns[`${entity.logicalName.split("_")[0]}_name`] ? "ct_name" : primaryId;
  // https://learn.microsoft.com/power-apps/developer/data-platform/entity-metadata#table-ownership
  columns.overriddencreatedon = { type: "DateTime" };
  if (entity.ownership === "UserOwned")
    columns.ownerid = { type: "Owner", targets: ["systemuser", "team"], nav: { ownerid: ["systemuser", "team"] } };
  if (!entity.entitySetName) throw new Error(`${entity.dir}/Entity.xml: no EntitySetName`);
  return {
    logicalName: entity.logicalName,
    entitySetName: entity.entitySetName,
    primaryId,
    primaryName,
    privilegeName: privilegeName(entity),
    columns,
    defaults: columns.statecode ? { statecode: 0, statuscode: 1 } : {},
    custom: true,
  };
}

/** Platform specs with the solution's columns added, followed by the solution's own tables. */
export function withSolution(platform: TableSpec[], source: SolutionSource): TableSpec[] {
  const byName = new Map(platform.map((t) => [t.logicalName, { ...t, columns: { ...t.columns } }]));
  const added: TableSpec[] = [];
  for (const entity of source.entities.values()) {
    const base = byName.get(entity.logicalName);
    if (!base) {
      added.push(newTable(source, entity));
      continue;
    }
    for (const c of entity.columns.values()) {
      if (base.columns[c.logicalName] && !c.logicalName.startsWith("ct_")) continue;
      base.columns[c.logicalName] = columnSpec(source, entity, c);
    }
  }
  for (const r of source.relationships) {
    if (!byName.has(r.referenced) && !added.some((t) => t.logicalName === r.referenced))
      throw new Error(`${r.file}: relationship ${r.name} points at '${r.referenced}', a table not served`);
  }
  return [...byName.values(), ...added];
}

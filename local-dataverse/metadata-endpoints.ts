/**
 * `GET $metadata` (CSDL) and `GET EntityDefinitions`, answered from the same table definitions the rest of the
 * local Dataverse uses, so a client can check names (navigation properties are case-sensitive) against them.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/web-api-service-documents#csdl-metadata-document
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query-metadata-web-api
 */
import { badRequest } from "./errors";
import { edmType, isLookup, type Metadata, type TableDef } from "./metadata";

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");

function navType(targets: string[]): string {
  if (targets.length === 1) return `mscrm.${targets[0]}`;
  return targets.every((t) => t === "systemuser" || t === "team") ? "mscrm.principal" : "mscrm.crmbaseentity";
}

function entityType(def: TableDef): string {
  const props = [...def.columns.values()]
    .filter((c) => !c.writeOnly)
    .map((c) => `<Property Name="${isLookup(c) ? `_${c.name}_value` : c.name}" Type="${edmType(c)}" />`);
  const navs = [...def.navigation].map(
    ([name, nav]) =>
      `<NavigationProperty Name="${esc(name)}" Type="${navType(nav.targets)}"><ReferentialConstraint Property="_${nav.column}_value" ReferencedProperty="${nav.targets.length === 1 ? nav.targets[0] + "id" : "ownerid"}" /></NavigationProperty>`,
  );
  return `<EntityType Name="${def.logicalName}"><Key><PropertyRef Name="${def.primaryId}" /></Key>${props.join("")}${navs.join("")}</EntityType>`;
}

/** The CSDL document: one EntityType per table, with its properties and single-valued navigation properties. */
export function csdl(metadata: Metadata): string {
  const tables = [...metadata.tables.values()];
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>` +
    `<Schema Namespace="Microsoft.Dynamics.CRM" Alias="mscrm" xmlns="http://docs.oasis-open.org/odata/ns/edm">` +
    tables.map(entityType).join("") +
    `<EntityContainer Name="System">` +
    tables.map((t) => `<EntitySet Name="${t.entitySetName}" EntityType="mscrm.${t.logicalName}" />`).join("") +
    `</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`
  );
}

function definition(def: TableDef): Record<string, unknown> {
  return {
    LogicalName: def.logicalName,
    EntitySetName: def.entitySetName,
    PrimaryIdAttribute: def.primaryId,
    PrimaryNameAttribute: def.primaryName,
    IsCustomEntity: def.custom,
  };
}

function attributes(def: TableDef): Record<string, unknown>[] {
  return [...def.columns.values()]
    .filter((c) => !c.writeOnly)
    .map((c) => ({ LogicalName: c.name, AttributeType: c.type, ...(c.maxLength ? { MaxLength: c.maxLength } : {}) }));
}

function manyToOne(def: TableDef): Record<string, unknown>[] {
  return [...def.navigation].flatMap(([name, nav]) =>
    nav.targets.map((t: string) => ({
      ReferencingEntity: def.logicalName,
      ReferencingAttribute: nav.column,
      ReferencedEntity: t,
      ReferencingEntityNavigationPropertyName: name,
    })),
  );
}

/** `EntityDefinitions`, `EntityDefinitions(LogicalName='x')`, and its `/Attributes` or `/ManyToOneRelationships`. */
export function entityDefinitions(metadata: Metadata, path: string): unknown | undefined {
  if (path === "EntityDefinitions") return { value: [...metadata.tables.values()].map(definition) };
  const m = /^EntityDefinitions\(LogicalName='([^']+)'\)(?:\/(Attributes|ManyToOneRelationships))?$/.exec(path);
  if (!m) return undefined;
  const def = metadata.table(m[1]);
  if (!def) throw badRequest(`Could not find an entity with the logical name '${m[1]}'.`);
  if (m[2] === "Attributes") return { value: attributes(def) };
  if (m[2] === "ManyToOneRelationships") return { value: manyToOne(def) };
  return definition(def);
}

import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { defaultSolutionSrcDir } from "./source-dir";
import { attr, children, readXml, text, type XmlNode, type XmlValue } from "./xml";

/**
 * What the unpacked solution source defines, read back from its XML: tables and columns, global choices,
 * views, forms (with custom control bindings), field security and roles. The tests check every cross
 * reference with it; nothing here is hand-kept a second time.
 */

export interface Column {
  entity: string;
  logicalName: string;
  /** The attribute's PhysicalName (schema name, e.g. ct_AccountId). */
  schemaName: string;
  /** <Type>: picklist, nvarchar, ntext, decimal, money, int, datetime, lookup, primarykey, state, status, ... */
  type: string;
  /** <Format>: text, date, datetime, none, ... ("" when absent) */
  format: string;
  /** Global choice of a picklist column ("" otherwise). */
  optionSetName: string;
  /** <MaxLength> of a text column (undefined for other types). */
  maxLength?: number;
  secured: boolean;
  required: string;
  displayName: string;
  description: string;
  /** A state or status column's own options (<optionset> inside the attribute): value → label. */
  localOptions?: Map<number, string>;
  /** DisplayMask names it the primary name column. */
  primaryName: boolean;
  file: string;
}

export interface Entity {
  logicalName: string;
  schemaName: string;
  dir: string;
  columns: Map<string, Column>;
  ownership: string;
  /** Web API entity set name ("" for a platform table the solution only extends). */
  entitySetName: string;
}

export interface OptionSet {
  name: string;
  displayName: string;
  options: { value: number; label: string }[];
  file: string;
}

export interface ColumnRef {
  entity: string;
  column: string;
  where: string;
}

export interface View {
  id: string;
  entity: string;
  name: string;
  queryType: number;
  file: string;
  /** Columns the layout shows, and those the fetch selects, filters and orders on. */
  refs: ColumnRef[];
  fetch: XmlNode;
}

export interface ControlBinding {
  control: string;
  formFactor: string;
  /** Bound property → column (static parameters excluded). */
  bound: Map<string, string>;
  statics: Map<string, string>;
}

export interface Form {
  id: string;
  entity: string;
  type: string;
  name: string;
  file: string;
  refs: ColumnRef[];
  bindings: ControlBinding[];
}

export interface FieldPermission {
  profile: string;
  entity: string;
  column: string;
  canRead: boolean;
  canUpdate: boolean;
  canCreate: boolean;
}

export interface Role {
  name: string;
  id: string;
  privileges: { name: string; level: string }[];
  file: string;
}

/** A one-to-many relationship (Other/Relationships/<Entity>.xml). */
export interface Relationship {
  name: string;
  /** Logical names (lower case) of the table holding the lookup and of the table it points at. */
  referencing: string;
  referenced: string;
  /** Lookup column (logical name) on the referencing table. */
  column: string;
  /** Single-valued navigation property on the referencing table (case-sensitive, e.g. ct_AccountId). */
  navigation: string;
  /** Collection-valued navigation property on the referenced table. */
  collectionNavigation: string;
  file: string;
}

export interface SolutionSource {
  dir: string;
  entities: Map<string, Entity>;
  optionSets: Map<string, OptionSet>;
  views: View[];
  forms: Form[];
  fieldPermissions: FieldPermission[];
  roles: Role[];
  relationships: Relationship[];
}

function label(node: XmlValue | undefined, list: string, item: string): string {
  const first = children(children(node, list)[0], item)[0];
  return first ? attr(first, "description") : "";
}

function xmlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith(".xml") && statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => join(dir, f));
}

function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => statSync(join(dir, f)).isDirectory())
    .sort();
}

function readEntity(dir: string): Entity {
  const file = join(dir, "Entity.xml");
  const root = readXml(file)["Entity"] as XmlNode;
  const info = children(children(root, "EntityInfo")[0], "entity")[0];
  const schemaName = attr(info, "Name");
  const logicalName = schemaName.toLowerCase();
  const columns = new Map<string, Column>();
  for (const a of children(children(info, "attributes")[0], "attribute")) {
    const name = text(a, "LogicalName");
    if (columns.has(name)) throw new Error(`${file}: column ${name} is defined twice`);
    columns.set(name, {
      entity: logicalName,
      logicalName: name,
      schemaName: attr(a, "PhysicalName"),
      type: text(a, "Type"),
      format: text(a, "Format"),
      optionSetName: text(a, "OptionSetName"),
      maxLength: text(a, "MaxLength") === "" ? undefined : Number(text(a, "MaxLength")),
      secured: text(a, "IsSecured") === "1",
      required: text(a, "RequiredLevel"),
      displayName: label(a, "displaynames", "displayname"),
      description: label(a, "Descriptions", "Description"),
      localOptions: localOptions(a),
      primaryName: text(a, "DisplayMask").split("|").includes("PrimaryName"),
      file,
    });
  }
  return {
    logicalName,
    schemaName,
    dir,
    columns,
    ownership: text(info, "OwnershipTypeMask"),
    entitySetName: text(info, "EntitySetName"),
  };
}

/** The options of a state or status attribute's own <optionset> (states by invariant name, statuses by label). */
function localOptions(a: XmlNode): Map<number, string> | undefined {
  const set = children(a, "optionset")[0];
  if (!set) return undefined;
  const out = new Map<number, string>();
  for (const s of children(children(set, "states")[0], "state"))
    out.set(Number(attr(s, "value")), attr(s, "invariantname") || label(s, "labels", "label"));
  for (const s of children(children(set, "statuses")[0], "status"))
    out.set(Number(attr(s, "value")), label(s, "labels", "label"));
  for (const o of children(children(set, "options")[0], "option"))
    out.set(Number(attr(o, "value")), label(o, "labels", "label"));
  return out;
}

function readRelationships(dir: string): Relationship[] {
  const out: Relationship[] = [];
  for (const file of xmlFiles(dir)) {
    for (const r of children(readXml(file)["EntityRelationships"], "EntityRelationship")) {
      if (text(r, "EntityRelationshipType") !== "OneToMany") continue;
      const roles = children(children(r, "EntityRelationshipRoles")[0], "EntityRelationshipRole");
      const role = (type: string): string =>
        text(
          roles.find((x) => text(x, "RelationshipRoleType") === type),
          "NavigationPropertyName",
        );
      out.push({
        name: attr(r, "Name"),
        referencing: text(r, "ReferencingEntityName").toLowerCase(),
        referenced: text(r, "ReferencedEntityName").toLowerCase(),
        column: text(r, "ReferencingAttributeName").toLowerCase(),
        navigation: role("1"),
        collectionNavigation: role("0"),
        file,
      });
    }
  }
  return out;
}

function readOptionSet(file: string): OptionSet {
  const root = readXml(file)["optionset"] as XmlNode;
  const options = children(children(root, "options")[0], "option").map((o) => ({
    value: Number(attr(o, "value")),
    label: label(o, "labels", "label"),
  }));
  return { name: attr(root, "Name"), displayName: label(root, "displaynames", "displayname"), options, file };
}

/** Every element named `name` anywhere under `node`, depth first. */
function descendants(node: XmlValue | undefined, name: string): XmlNode[] {
  const out: XmlNode[] = [];
  const visit = (v: XmlValue | undefined): void => {
    if (v === undefined || typeof v === "string") return;
    if (Array.isArray(v)) {
      v.forEach(visit);
      return;
    }
    for (const [k, child] of Object.entries(v)) {
      if (k.startsWith("@_") || k === "#text") continue;
      if (k === name) out.push(...children(v, name));
      visit(child);
    }
  };
  visit(node);
  return out;
}

function readView(file: string, entity: string): View {
  const q = children(readXml(file)["savedqueries"], "savedquery")[0];
  const refs: ColumnRef[] = [];
  const grid = children(q, "layoutxml")[0];
  for (const c of descendants(grid, "cell"))
    refs.push({ entity, column: attr(c, "name"), where: `${file}: layout cell` });
  const fetch = children(q, "fetchxml")[0];
  const fetchEntity = children(children(fetch, "fetch")[0], "entity")[0];
  if (attr(fetchEntity, "name") !== entity)
    throw new Error(`${file}: fetch is on ${attr(fetchEntity, "name")}, the view belongs to ${entity}`);
  for (const a of descendants(fetchEntity, "attribute"))
    refs.push({ entity, column: attr(a, "name"), where: `${file}: fetch attribute` });
  for (const o of descendants(fetchEntity, "order"))
    refs.push({ entity, column: attr(o, "attribute"), where: `${file}: fetch order` });
  for (const c of descendants(fetchEntity, "condition"))
    refs.push({ entity, column: attr(c, "attribute"), where: `${file}: fetch condition` });
  return {
    id: text(q, "savedqueryid"),
    entity,
    name: label(q, "LocalizedNames", "LocalizedName"),
    queryType: Number(text(q, "querytype")),
    file,
    refs,
    fetch: fetchEntity,
  };
}

function readForm(file: string, entity: string, type: string): Form {
  const sf = children(readXml(file)["forms"], "systemform")[0];
  const form = children(sf, "form")[0];
  const refs: ColumnRef[] = [];
  for (const c of descendants(children(form, "tabs")[0], "control")) {
    const field = attr(c, "datafieldname");
    if (field) refs.push({ entity, column: field, where: `${file}: control ${attr(c, "id")}` });
  }
  const bindings: ControlBinding[] = [];
  for (const d of descendants(children(form, "controlDescriptions")[0], "customControl")) {
    const control = attr(d, "name");
    if (!control) continue; // the default (classid) control the custom one replaces
    const bound = new Map<string, string>();
    const statics = new Map<string, string>();
    const params = children(d, "parameters")[0];
    if (params && typeof params !== "string") {
      for (const key of Object.keys(params).filter((k) => !k.startsWith("@_") && k !== "#text")) {
        const p = children(params, key)[0];
        const value = typeof p["#text"] === "string" ? p["#text"] : "";
        if (attr(p, "static") === "true") statics.set(key, value);
        else bound.set(key, value);
      }
    }
    bindings.push({ control, formFactor: attr(d, "formFactor"), bound, statics });
    for (const [prop, column] of bound) refs.push({ entity, column, where: `${file}: ${control} property ${prop}` });
  }
  return {
    id: text(sf, "formid"),
    entity,
    type,
    name: label(sf, "LocalizedNames", "LocalizedName"),
    file,
    refs,
    bindings,
  };
}

function readFieldSecurity(file: string): FieldPermission[] {
  if (!existsSync(file)) return [];
  const out: FieldPermission[] = [];
  for (const p of children(readXml(file)["FieldSecurityProfiles"], "FieldSecurityProfile")) {
    for (const fp of children(children(p, "FieldPermissions")[0], "FieldPermission")) {
      out.push({
        profile: attr(p, "name"),
        entity: text(fp, "EntityName"),
        column: text(fp, "AttributeName"),
        canRead: text(fp, "CanRead") === "4",
        canUpdate: text(fp, "CanUpdate") === "4",
        canCreate: text(fp, "CanCreate") === "4",
      });
    }
  }
  return out;
}

function readRole(file: string): Role {
  const r = readXml(file)["Role"] as XmlNode;
  const privileges = children(children(r, "RolePrivileges")[0], "RolePrivilege").map((p) => ({
    name: attr(p, "name"),
    level: attr(p, "level"),
  }));
  return { name: attr(r, "name"), id: attr(r, "id"), privileges, file };
}

export function readSolutionSource(dir: string = defaultSolutionSrcDir()): SolutionSource {
  const entities = new Map<string, Entity>();
  const views: View[] = [];
  const forms: Form[] = [];
  for (const d of subdirs(join(dir, "Entities"))) {
    const entity = readEntity(join(dir, "Entities", d));
    entities.set(entity.logicalName, entity);
    for (const f of xmlFiles(join(entity.dir, "SavedQueries"))) views.push(readView(f, entity.logicalName));
    for (const type of subdirs(join(entity.dir, "FormXml"))) {
      for (const f of xmlFiles(join(entity.dir, "FormXml", type))) forms.push(readForm(f, entity.logicalName, type));
    }
  }
  const optionSets = new Map(
    xmlFiles(join(dir, "OptionSets"))
      .map((f) => readOptionSet(f))
      .map((o) => [o.name, o]),
  );
  return {
    dir,
    entities,
    optionSets,
    views,
    forms,
    fieldPermissions: readFieldSecurity(join(dir, "Other", "FieldSecurityProfiles.xml")),
    roles: xmlFiles(join(dir, "Roles")).map(readRole),
    relationships: readRelationships(join(dir, "Other", "Relationships")),
  };
}

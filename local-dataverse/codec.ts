/**
 * Between Web API JSON and stored rows: payload validation (types, choices, `@odata.bind`) and the
 * response shape (lookups as `_x_value`, money as numbers, dates ISO 'Z', annotations on request).
 */
import { DataverseError, CODES, badRequest } from "./errors";
import { type ColumnDef, edmType, isChoice, isLookup, type Metadata, type TableDef } from "./metadata";
import { etagOf, isLookupValue, type LookupValue, type Row, type Store, type Value } from "./store";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isGuid = (s: string): boolean => GUID.test(s);

export interface Prefer {
  returnRepresentation: boolean;
  maxPageSize?: number;
  annotations: (name: string) => boolean;
  annotationsHeader?: string;
  continueOnError: boolean;
}

/**
 * `Prefer` header: return=representation, odata.maxpagesize, odata.include-annotations, odata.continue-on-error.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/compose-http-requests-handle-errors#request-annotations
 */
export function parsePrefer(header: string | undefined): Prefer {
  const prefer: Prefer = { returnRepresentation: false, annotations: () => false, continueOnError: false };
  if (!header) return prefer;
  for (const part of splitPrefer(header)) {
    const [key, ...rest] = part.split("=");
    const value = rest.join("=").trim().replace(/^"|"$/g, "");
    switch (key.trim().toLowerCase()) {
      case "return":
        prefer.returnRepresentation = value === "representation";
        break;
      case "odata.maxpagesize": {
        const n = Number(value);
        if (Number.isInteger(n) && n > 0) prefer.maxPageSize = n;
        break;
      }
      case "odata.include-annotations": {
        const patterns = value
          .split(",")
          .map((p) => p.trim())
          .filter(Boolean);
        prefer.annotationsHeader = part.trim();
        prefer.annotations = (name) =>
          patterns.some((p) => p === "*" || p === name || (p.endsWith(".*") && name.startsWith(p.slice(0, -1))));
        break;
      }
      case "odata.continue-on-error":
        prefer.continueOnError = true;
        break;
    }
  }
  return prefer;
}

/** Splits on commas outside quotes: include-annotations lists are quoted and contain commas. */
function splitPrefer(header: string): string[] {
  const parts: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of header) {
    if (ch === '"') quoted = !quoted;
    if (ch === "," && !quoted) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  return parts;
}

/** Web API property name → column: lookups are `_x_value`, everything else its logical name. */
export function propertyColumn(def: TableDef, property: string): ColumnDef | undefined {
  if (def.columns.get(property)?.writeOnly) return undefined;
  const m = /^_(.+)_value$/.exec(property);
  if (m) {
    const col = def.columns.get(m[1]);
    return col && isLookup(col) ? col : undefined;
  }
  const col = def.columns.get(property);
  return col && !isLookup(col) ? col : undefined;
}

export const propertyName = (col: ColumnDef): string => (isLookup(col) ? `_${col.name}_value` : col.name);

export function unknownProperty(def: TableDef, property: string): DataverseError {
  return badRequest(
    `Could not find a property named '${property}' on type 'Microsoft.Dynamics.CRM.${def.logicalName}'.`,
  );
}

/** Parses an entity reference such as `accounts(<guid>)`, `/accounts(<guid>)` or an absolute URL. */
export function parseEntityRef(metadata: Metadata, ref: string): { def: TableDef; id: string } | undefined {
  const m = /([A-Za-z_0-9]+)\(([0-9a-fA-F-]{36})\)\s*$/.exec(ref);
  if (!m) return undefined;
  const def = metadata.bySetName(m[1]);
  return def ? { def, id: m[2].toLowerCase() } : undefined;
}

/** Converts one JSON value to its stored form, or throws a Dataverse-shaped error naming the column. */
export function coerceValue(def: TableDef, col: ColumnDef, raw: unknown): Value {
  if (raw === null) return null;
  const wrong = (): DataverseError =>
    badRequest(
      `Cannot convert the literal '${String(raw)}' to the expected type '${edmType(col)}' of property '${col.name}' on 'Microsoft.Dynamics.CRM.${def.logicalName}'.`,
    );
  switch (col.type) {
    case "String":
    case "Memo":
      if (typeof raw !== "string") throw wrong();
      if (col.maxLength !== undefined && raw.length > col.maxLength) {
        throw new DataverseError(
          400,
          "0x80044331",
          `A validation error occurred. The length of the '${col.name}' attribute of the '${def.logicalName}' entity exceeded the maximum allowed length of '${col.maxLength}'.`,
        );
      }
      return raw;
    case "Integer":
      if (typeof raw !== "number" || !Number.isInteger(raw)) throw wrong();
      return raw;
    case "Decimal":
    case "Money":
      if (typeof raw !== "number" || !Number.isFinite(raw)) throw wrong();
      return raw;
    case "Picklist":
    case "State":
    case "Status":
      if (typeof raw !== "number" || !Number.isInteger(raw)) throw wrong();
      if (col.options && !(raw in col.options)) {
        throw new DataverseError(
          400,
          CODES.invalidArgument,
          `${raw} is not a valid value for ${col.name} of ${def.logicalName}.`,
        );
      }
      return raw;
    case "DateTime": {
      if (typeof raw !== "string") throw wrong();
      const ms = parseDate(raw);
      if (ms === undefined) throw wrong();
      return storedInstant(col, ms);
    }
    case "Boolean":
      if (typeof raw !== "boolean") throw wrong();
      return raw;
    case "Uniqueidentifier":
      if (typeof raw !== "string" || !isGuid(raw)) throw wrong();
      return raw.toLowerCase();
    case "Lookup":
    case "Customer":
    case "Owner":
      throw badRequest(`Lookup '${col.name}' must be set with '<navigation>@odata.bind'.`);
  }
}

/**
 * A date-time as Dataverse stores it, so a filter or an aggregate never sees more than a client can read back: a
 * date-only column keeps the date (UTC midnight here), "the time portion isn't stored"; any other to the whole
 * second, the milliseconds dropped (the column holds values such as `2023-10-15T07:30:00Z` and the Web API returns
 * no fraction). https://learn.microsoft.com/power-apps/maker/data-platform/behavior-format-date-time-field
 * Only stored values are cut: condition values keep their time and fraction.
 */
export function storedInstant(col: ColumnDef, ms: number): number {
  const unit = col.dateOnly ? 86_400_000 : 1000;
  return Math.floor(ms / unit) * unit;
}

/** ISO 8601 date or date-time; a bare date means its UTC midnight. */
export function parseDate(s: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(s)) return undefined;
  const iso = s.length === 10 ? `${s}T00:00:00Z` : /Z|[+-]\d{2}:\d{2}$/.test(s) ? s : `${s}Z`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * A create/update payload → stored values. Lookups come as `nav@odata.bind: "set(id)"`.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/create-entity-web-api#associate-table-rows-on-create
 * Columns the platform computes (`_base`, createdon) are ignored like attributes not valid for create/update.
 */
export function readPayload(
  store: Store,
  def: TableDef,
  body: unknown,
  resolveRef: (ref: string) => string = (r) => r,
): Row {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("The request body must be a JSON object.");
  }
  const row: Row = {};
  for (const [key, raw] of Object.entries(body as Record<string, unknown>)) {
    if (key.endsWith("@odata.bind")) {
      const navName = key.slice(0, -"@odata.bind".length);
      // Navigation properties match case-sensitively: `ct_accountid` is not `ct_AccountId`.
      // https://learn.microsoft.com/power-apps/developer/data-platform/webapi/associate-disassociate-entities-using-web-api
      const nav = def.navigation.get(navName);
      if (!nav)
        throw badRequest(
          `An undeclared property '${navName}' which only has property annotations in the payload but no property value was found in the payload.`,
        );
      if (raw === null) {
        row[nav.column] = null;
        continue;
      }
      if (typeof raw !== "string")
        throw badRequest(`The value of '${key}' must be an entity reference such as 'accounts(<id>)'.`);
      const ref = parseEntityRef(store.metadata, resolveRef(raw));
      if (!ref) throw badRequest(`'${raw}' in '${key}' is not a valid entity reference.`);
      if (!nav.targets.includes(ref.def.logicalName)) {
        throw badRequest(`'${key}' expects a ${nav.targets.join(" or ")} reference, got ${ref.def.entitySetName}.`);
      }
      if (!store.get(ref.def.logicalName, ref.id)) {
        throw new DataverseError(404, CODES.notFound, `${ref.def.logicalName} With Id = ${ref.id} Does Not Exist`);
      }
      row[nav.column] = { id: ref.id, table: ref.def.logicalName } satisfies LookupValue;
      continue;
    }
    if (key.startsWith("@") || key.includes("@")) continue; // instance / property annotations
    const col = def.columns.get(key);
    if (!col || isLookup(col)) {
      throw badRequest(
        `The property '${key}' does not exist on type 'Microsoft.Dynamics.CRM.${def.logicalName}'. Make sure to only use property names that are defined by the type.`,
      );
    }
    if (col.readOnly) continue;
    row[key] = coerceValue(def, col, raw);
  }
  return row;
}

const FORMATTED = "OData.Community.Display.V1.FormattedValue";
const LOOKUP_LOGICAL = "Microsoft.Dynamics.CRM.lookuplogicalname";
const ASSOCIATED_NAV = "Microsoft.Dynamics.CRM.associatednavigationproperty";

const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 10 });

export function isoDate(ms: number, dateOnly = false): string {
  const iso = new Date(ms).toISOString();
  return dateOnly ? iso.slice(0, 10) : iso.replace(/\.\d{3}Z$/, "Z");
}

/**
 * Display text of a value (en-US, USD, UTC: the sandbox has one user with those settings), e.g.
 * `$20,000.00`, `4/7/2023 2:59 PM`, a choice's label, a lookup's primary name.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/select-columns#formatted-values
 */
export function formatted(store: Store, col: ColumnDef, v: Value): string | undefined {
  if (v === null) return undefined;
  if (isLookupValue(v)) return store.nameOf(v) ?? undefined;
  if (isChoice(col)) return col.options?.[v as number];
  switch (col.type) {
    case "Money":
      return money.format(v as number);
    case "Decimal":
    case "Integer":
      return decimal.format(v as number);
    case "DateTime": {
      const d = new Date(v as number);
      const date = `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
      if (col.dateOnly) return date;
      const h = d.getUTCHours();
      const mm = String(d.getUTCMinutes()).padStart(2, "0");
      return `${date} ${h % 12 === 0 ? 12 : h % 12}:${mm} ${h < 12 ? "AM" : "PM"}`;
    }
    case "Boolean":
      return v ? "Yes" : "No";
    default:
      return undefined;
  }
}

/** Wire value of a stored value: dates ISO 'Z', lookups their GUID, the rest as stored. */
export function wireValue(col: ColumnDef, v: Value): string | number | boolean | null {
  if (v === null) return null;
  if (isLookupValue(v)) return v.id;
  if (col.type === "DateTime") return isoDate(v as number, col.dateOnly);
  return v;
}

/**
 * Adds one property and, when the client asked for them, its annotations: FormattedValue, and for lookups
 * lookuplogicalname and associatednavigationproperty.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/select-columns#lookup-property-data
 */
export function putProperty(
  out: Record<string, unknown>,
  key: string,
  store: Store,
  def: TableDef,
  col: ColumnDef,
  v: Value,
  annotations: (name: string) => boolean,
): void {
  out[key] = wireValue(col, v);
  if (v === null) return;
  if (annotations(FORMATTED)) {
    const f = formatted(store, col, v);
    if (f !== undefined) out[`${key}@${FORMATTED}`] = f;
  }
  if (isLookupValue(v)) {
    if (annotations(ASSOCIATED_NAV)) {
      const nav = [...def.navigation].find(([, n]) => n.column === col.name && n.targets.includes(v.table));
      if (nav) out[`${key}@${ASSOCIATED_NAV}`] = nav[0];
    }
    if (annotations(LOOKUP_LOGICAL)) out[`${key}@${LOOKUP_LOGICAL}`] = v.table;
  }
}

/**
 * A row in the Web API's JSON shape; `select` null means every column (with nulls), as without `$select`.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/select-columns
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/select-columns#formatted-values
 */
export function formatRow(
  store: Store,
  def: TableDef,
  row: Row,
  select: ColumnDef[] | null,
  annotations: (name: string) => boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = { "@odata.etag": etagOf(row) };
  const cols = select ?? [...def.columns.values()].filter((c) => !c.writeOnly);
  for (const col of cols) putProperty(out, propertyName(col), store, def, col, row[col.name] ?? null, annotations);
  if (!(def.primaryId in out)) out[def.primaryId] = row[def.primaryId];
  return out;
}

/** `$select=a,b,_c_value` → columns, with Dataverse's error for a name the type does not have. */
export function parseSelect(def: TableDef, select: string | null): ColumnDef[] | null {
  if (select === null || select.trim() === "") return null;
  return select.split(",").map((p) => {
    const name = p.trim();
    const col = propertyColumn(def, name);
    if (!col) throw unknownProperty(def, name);
    return col;
  });
}

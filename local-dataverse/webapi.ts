/**
 * The Web API subset, as a synchronous request → response function so `$batch` change sets can run
 * their operations inside one store transaction. The HTTP server (server.ts) adds auth, faults and I/O.
 */
import { randomUUID } from "node:crypto";
import { DataverseError, CODES, badRequest, notFound } from "./errors";
import {
  formatRow,
  isGuid,
  parsePrefer,
  parseSelect,
  propertyColumn,
  propertyName,
  readPayload,
  type Prefer,
  unknownProperty,
} from "./codec";
import { compileFilter } from "./odata-filter";
import { executeFetch, pagingFreeKey, parseFetchXml } from "./fetchxml";
import { ResultCache } from "./result-cache";
import { csdl, entityDefinitions } from "./metadata-endpoints";
import { compareSqlGuid, isGuidColumn } from "./guid-order";
import { etagOf, type Row, type Store, type Transaction, type WriteContext } from "./store";
import { isLookup, type ColumnDef, type TableDef } from "./metadata";
import { type Security, storeAs, type User, viewKey } from "./security";

export interface ApiRequest {
  method: string;
  /** Path below the service root, e.g. `accounts(…)` or `$batch`. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: string;
  /** The caller (from the bearer token); default: the WebApi's default user. */
  user?: User;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

export interface Identity {
  userId: string;
  businessUnitId: string;
  organizationId: string;
}

const JSON_TYPE = "application/json; odata.metadata=minimal";
/** Default and maximum page size of a Web API collection. */
export const MAX_PAGE_SIZE = 5000;

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse => ({
  status,
  headers: { "Content-Type": JSON_TYPE, "OData-Version": "4.0", ...headers },
  body: JSON.stringify(body),
});

export const errorResponse = (e: DataverseError): ApiResponse => json(e.status, e.toJSON(), e.headers);

/**
 * Bypass headers become the write context of every operation of the request.
 * https://learn.microsoft.com/power-apps/developer/data-platform/bypass-custom-business-logic#use-bypassbusinesslogicexecution
 */
export function writeContext(headers: Record<string, string>, userId: string): WriteContext {
  const logic = (headers["mscrm.bypassbusinesslogicexecution"] ?? "").split(",").map((s) => s.trim().toLowerCase());
  return {
    userId,
    correlationId: headers["x-ms-correlation-request-id"] ?? randomUUID(),
    bypassSync:
      (headers["mscrm.bypasscustompluginexecution"] ?? "").toLowerCase() === "true" || logic.includes("customsync"),
    bypassAsync: logic.includes("customasync"),
  };
}

export class WebApi {
  private readonly cache: ResultCache;

  constructor(
    readonly store: Store,
    /** Absolute service root ending in `/api/data/v9.2/`. */
    readonly base: string,
    readonly identity: Identity,
    /** Roles and field security; without it every caller may do everything (unit tests of the codec). */
    readonly security?: Security,
    /** Who calls when a request names no user. */
    readonly defaultUser?: User,
  ) {
    this.cache = new ResultCache(store);
  }

  private caller(req: ApiRequest): User | undefined {
    return req.user ?? this.defaultUser;
  }

  private need(req: ApiRequest, verb: Parameters<Security["require"]>[1], def: TableDef): void {
    const user = this.caller(req);
    if (this.security && user) this.security.require(user, verb, def);
  }

  /** The store as the caller sees it (secured columns null without read permission). */
  private reader(req: ApiRequest): { store: Store; key: string } {
    const user = this.caller(req);
    if (!this.security || !user) return { store: this.store, key: "all" };
    return { store: storeAs(this.store, this.security, user), key: viewKey(this.security, user) };
  }

  /**
   * Privileges and field security of a write: prvCreate/prvWrite, prvAppend on the table and prvAppendTo on each
   * table a lookup is set to (owner excepted: assigning is its own privilege), and secured columns.
   * https://learn.microsoft.com/power-platform/admin/security-roles-privileges#record-level-privileges
   */
  private checkWrite(req: ApiRequest, def: TableDef, values: Row, create: boolean): void {
    const user = this.caller(req);
    if (!this.security || !user) return;
    this.security.require(user, create ? "Create" : "Write", def);
    const lookups = Object.entries(values).filter(([k, v]) => {
      const col = def.columns.get(k);
      return col && isLookup(col) && col.type !== "Owner" && v !== null;
    });
    if (lookups.length) this.security.require(user, "Append", def);
    for (const [, v] of lookups) {
      const target = this.store.metadata.table((v as { table: string }).table);
      if (target) this.security.require(user, "AppendTo", target);
    }
    this.security.requireFieldWrite(user, def.logicalName, Object.keys(values), create);
  }

  /** Runs one request; `tx` is the change set's transaction when called from `$batch`. */
  handle(req: ApiRequest, tx?: Transaction, resolveRef?: (ref: string) => string): ApiResponse {
    try {
      return this.route(req, tx, resolveRef);
    } catch (e) {
      if (e instanceof DataverseError) return errorResponse(e);
      throw e;
    }
  }

  private route(req: ApiRequest, tx: Transaction | undefined, resolveRef?: (ref: string) => string): ApiResponse {
    const path = req.path.replace(/^\/+/, "");
    const method = req.method.toUpperCase();
    if (path === "")
      return json(200, {
        "@odata.context": `${this.base}$metadata`,
        value: [...this.store.metadata.tables.values()].map((t) => ({
          name: t.entitySetName,
          kind: "EntitySet",
          url: t.entitySetName,
        })),
      });
    if (/^WhoAmI(\(\))?$/.test(path) && method === "GET") {
      // https://learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/whoami
      return json(200, {
        "@odata.context": `${this.base}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
        BusinessUnitId: this.identity.businessUnitId,
        UserId: this.caller(req)?.id ?? this.identity.userId,
        OrganizationId: this.identity.organizationId,
      });
    }
    if (path === "$metadata" && method === "GET")
      return {
        status: 200,
        headers: { "Content-Type": "application/xml", "OData-Version": "4.0" },
        body: csdl(this.store.metadata),
      };
    if (path.startsWith("EntityDefinitions") && method === "GET") {
      const answer = entityDefinitions(this.store.metadata, path);
      if (answer !== undefined)
        return json(200, { "@odata.context": `${this.base}$metadata#EntityDefinitions`, ...(answer as object) });
    }
    let m = /^([A-Za-z_0-9]+)\(([^)]*)\)$/.exec(path);
    if (m) {
      const def = this.entitySet(m[1]);
      const id = m[2].replace(/^\{|\}$/g, "");
      if (!isGuid(id))
        throw badRequest(`'${m[2]}' is not a valid key for ${def.entitySetName}; the sandbox supports GUID keys only.`);
      switch (method) {
        case "GET":
          return this.retrieve(def, id.toLowerCase(), req);
        case "PATCH":
          return this.upsert(def, id.toLowerCase(), req, tx, resolveRef);
        case "DELETE":
          return this.remove(def, id.toLowerCase(), req, tx);
      }
      throw new DataverseError(405, CODES.notSupported, `${method} is not supported on a ${def.logicalName} record.`);
    }
    m = /^([A-Za-z_0-9]+)\/Microsoft\.Dynamics\.CRM\.(CreateMultiple|UpdateMultiple)$/.exec(path);
    if (m && method === "POST")
      return this.multiple(this.entitySet(m[1]), m[2] as "CreateMultiple" | "UpdateMultiple", req, tx);
    m = /^([A-Za-z_0-9]+)$/.exec(path);
    if (m) {
      const def = this.entitySet(m[1]);
      if (method === "GET") return req.query.has("fetchXml") ? this.fetch(def, req) : this.list(def, req);
      if (method === "POST") return this.create(def, req, tx, resolveRef);
      throw new DataverseError(
        405,
        CODES.notSupported,
        `${method} is not supported on the ${def.entitySetName} collection.`,
      );
    }
    throw new DataverseError(404, CODES.badRequest, `Resource not found for the segment '${path}'.`);
  }

  private entitySet(name: string): TableDef {
    const def = this.store.metadata.bySetName(name);
    if (!def) throw new DataverseError(404, CODES.badRequest, `Resource not found for the segment '${name}'.`);
    return def;
  }

  private withTx<T>(tx: Transaction | undefined, fn: (tx: Transaction) => T): T {
    return tx ? fn(tx) : this.store.atomically(fn);
  }

  private context(select: ColumnDef[] | null, def: TableDef, suffix = ""): string {
    const cols = select ? `(${select.map(propertyName).join(",")})` : "";
    return `${this.base}$metadata#${def.entitySetName}${cols}${suffix}`;
  }

  private preferenceApplied(prefer: Prefer, extra: string[] = []): Record<string, string> {
    const applied = [...extra];
    if (prefer.annotationsHeader) applied.push(prefer.annotationsHeader);
    return applied.length ? { "Preference-Applied": applied.join(",") } : {};
  }

  /**
   * Retrieve with `$select`; `If-None-Match` with the current etag answers 304.
   * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/retrieve-entity-using-web-api
   */
  private retrieve(def: TableDef, id: string, req: ApiRequest): ApiResponse {
    this.rejectUnsupported(req.query, ["$select", "$expand"]);
    if (req.query.has("$expand"))
      throw new DataverseError(501, CODES.notSupported, "$expand is not supported by the sandbox.");
    this.need(req, "Read", def);
    const { store } = this.reader(req);
    const row = store.get(def.logicalName, id);
    if (!row) throw notFound(def.logicalName, id);
    const select = parseSelect(def, req.query.get("$select"));
    const prefer = parsePrefer(req.headers.prefer);
    const inm = req.headers["if-none-match"];
    if (
      inm &&
      inm !== "null" &&
      inm
        .split(",")
        .map((s) => s.trim())
        .includes(etagOf(row))
    )
      return { status: 304, headers: { "OData-Version": "4.0" } };
    return json(
      200,
      {
        "@odata.context": this.context(select, def, "/$entity"),
        ...formatRow(store, def, row, select, prefer.annotations),
      },
      { ETag: etagOf(row), ...this.preferenceApplied(prefer) },
    );
  }

  private rejectUnsupported(query: URLSearchParams, allowed: string[]): void {
    for (const key of query.keys()) {
      if (key.startsWith("$") && !allowed.includes(key)) {
        throw badRequest(
          `The query parameter ${key} is not supported${key === "$skip" ? "; Dataverse pages with Prefer: odata.maxpagesize and @odata.nextLink" : " by the sandbox"}.`,
        );
      }
    }
  }

  /**
   * Collections: $filter, $select, $orderby, $top, $count; paging with `Prefer: odata.maxpagesize`
   * and `@odata.nextLink` (a `$skiptoken` paging cookie; `$skip` is not supported).
   * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/page-results
   * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/order-rows
   */
  private list(def: TableDef, req: ApiRequest): ApiResponse {
    const q = req.query;
    this.rejectUnsupported(q, ["$select", "$filter", "$orderby", "$top", "$count", "$skiptoken"]);
    this.need(req, "Read", def);
    const { store, key } = this.reader(req);
    const select = parseSelect(def, q.get("$select"));
    const prefer = parsePrefer(req.headers.prefer);
    const filterText = q.get("$filter");
    const filter = filterText ? compileFilter(def, filterText) : undefined;
    const orders = parseOrderBy(def, q.get("$orderby"));
    const topText = q.get("$top");
    const top = topText === null ? undefined : Number(topText);
    if (top !== undefined && (!Number.isInteger(top) || top < 0))
      throw badRequest(`Invalid value '${topText}' for $top query option.`);
    const rows = this.cache.get(
      `list|${key}|${def.logicalName}|${filterText}|${q.get("$orderby")}|${topText}`,
      [def.logicalName],
      () => {
        let candidates: Iterable<Row>;
        if (filter?.lookupHint) {
          const ids = store.referencing(def.logicalName, filter.lookupHint.column, filter.lookupHint.id);
          candidates = [...ids].map((id) => store.get(def.logicalName, id)!);
        } else candidates = store.rows(def.logicalName);
        const matched: Row[] = [];
        for (const r of candidates) if (!filter || filter.test(r)) matched.push(r);
        matched.sort((a, b) => {
          for (const o of orders) {
            const c = compareValues(a[o.col.name], b[o.col.name], isGuidColumn(o.col));
            if (c !== 0) return o.desc ? -c : c;
          }
          return compareValues(a[def.primaryId], b[def.primaryId], true);
        });
        if (top !== undefined) matched.length = Math.min(matched.length, top);
        return matched;
      },
    );
    const total = rows.length;
    const pageSize = Math.min(prefer.maxPageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
    const token = q.get("$skiptoken");
    let start = 0;
    let pageNumber = 1;
    if (token) {
      const t = parseSkipToken(token, def.primaryId);
      pageNumber = t.page;
      start = (t.page - 1) * pageSize;
      if (t.lastId) {
        const i = rows.findIndex((r) => r[def.primaryId] === t.lastId);
        if (i >= 0) start = i + 1;
      }
    }
    const page = rows.slice(start, start + pageSize);
    const body: Record<string, unknown> = { "@odata.context": this.context(select, def) };
    if (q.get("$count") === "true") body["@odata.count"] = total;
    body.value = page.map((r) => formatRow(store, def, r, select, prefer.annotations));
    if (start + pageSize < rows.length && page.length) {
      const next = new URLSearchParams(q);
      next.delete("$skiptoken");
      next.set(
        "$skiptoken",
        skipToken(
          pageNumber + 1,
          def.primaryId,
          page[0][def.primaryId] as string,
          page[page.length - 1][def.primaryId] as string,
        ),
      );
      body["@odata.nextLink"] = `${this.base}${def.entitySetName}?${next.toString().replace(/%24/g, "$")}`;
    }
    const extra = prefer.maxPageSize !== undefined ? [`odata.maxpagesize=${pageSize}`] : [];
    return json(200, body, this.preferenceApplied(prefer, extra));
  }

  /**
   * FetchXML through the Web API; paging-cookie annotations when the client asks for them.
   * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/retrieve-data#use-fetchxml-with-web-api
   * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/page-results#paging-cookies
   */
  private fetch(def: TableDef, req: ApiRequest): ApiResponse {
    const prefer = parsePrefer(req.headers.prefer);
    const query = parseFetchXml(this.store, req.query.get("fetchXml")!);
    if (query.root.def !== def) {
      throw badRequest(
        `The entity name '${query.root.def.logicalName}' in the FetchXml does not match the entity set '${def.entitySetName}'.`,
      );
    }
    for (const e of query.entities) this.need(req, "Read", e.def);
    const xml = req.query.get("fetchXml")!;
    const { store, key } = this.reader(req);
    const result = executeFetch(store, query, prefer.annotations, this.cache, `${key}|${pagingFreeKey(xml)}`);
    const body: Record<string, unknown> = { "@odata.context": `${this.base}$metadata#${def.entitySetName}` };
    if (
      prefer.annotations("Microsoft.Dynamics.CRM.fetchxmlpagingcookie") &&
      result.pagingCookie &&
      result.moreRecords
    ) {
      body["@Microsoft.Dynamics.CRM.fetchxmlpagingcookie"] = result.pagingCookie;
    }
    if (prefer.annotations("Microsoft.Dynamics.CRM.morerecords"))
      body["@Microsoft.Dynamics.CRM.morerecords"] = result.moreRecords;
    body.value = result.value;
    return json(200, body, this.preferenceApplied(prefer));
  }

  /**
   * Create: 204 with `OData-EntityId`, or 201 with the record when `Prefer: return=representation`.
   * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/create-entity-web-api#create-with-data-returned
   */
  private create(
    def: TableDef,
    req: ApiRequest,
    tx: Transaction | undefined,
    resolveRef?: (ref: string) => string,
  ): ApiResponse {
    const values = readPayload(this.store, def, parseBody(req.body), resolveRef);
    this.checkWrite(req, def, values, true);
    const ctx = writeContext(req.headers, this.caller(req)?.id ?? this.identity.userId);
    const row = this.withTx(tx, (t) => this.store.create(t, def.logicalName, values, ctx));
    return this.written(def, row, req, 201);
  }

  private written(def: TableDef, row: Row, req: ApiRequest, representationStatus: number): ApiResponse {
    const id = row[def.primaryId] as string;
    const location = `${this.base}${def.entitySetName}(${id})`;
    const prefer = parsePrefer(req.headers.prefer);
    if (prefer.returnRepresentation) {
      const select = parseSelect(def, req.query.get("$select"));
      return json(
        representationStatus,
        {
          "@odata.context": this.context(select, def, "/$entity"),
          ...formatRow(
            this.reader(req).store,
            def,
            this.reader(req).store.get(def.logicalName, id) ?? row,
            select,
            prefer.annotations,
          ),
        },
        {
          "OData-EntityId": location,
          ETag: etagOf(row),
          "Preference-Applied": "return=representation",
        },
      );
    }
    return { status: 204, headers: { "OData-Version": "4.0", "OData-EntityId": location, Location: location } };
  }

  /**
   * PATCH updates, or creates when the id is new (upsert); `If-Match` makes it update-only and
   * checks the etag (412 on mismatch), `If-None-Match: *` makes it create-only.
   * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/update-delete-entities-using-web-api#upsert-a-table-row
   */
  private upsert(
    def: TableDef,
    id: string,
    req: ApiRequest,
    tx: Transaction | undefined,
    resolveRef?: (ref: string) => string,
  ): ApiResponse {
    const values = readPayload(this.store, def, parseBody(req.body), resolveRef);
    delete values[def.primaryId];
    const ctx = writeContext(req.headers, this.caller(req)?.id ?? this.identity.userId);
    const ifMatch = req.headers["if-match"];
    const ifNoneMatch = req.headers["if-none-match"];
    const exists = !!this.store.get(def.logicalName, id);
    this.checkWrite(req, def, values, !exists);
    if (!exists) {
      if (ifMatch !== undefined) throw notFound(def.logicalName, id);
      const row = this.withTx(tx, (t) =>
        this.store.create(t, def.logicalName, { ...values, [def.primaryId]: id }, ctx),
      );
      return this.written(def, row, req, 201);
    }
    if (ifNoneMatch?.trim() === "*")
      throw new DataverseError(412, CODES.duplicate, "A record with matching key values already exists.");
    const row = this.withTx(tx, (t) => this.store.update(t, def.logicalName, id, values, ctx, ifMatch));
    return this.written(def, row, req, 200);
  }

  /** https://learn.microsoft.com/power-apps/developer/data-platform/webapi/update-delete-entities-using-web-api#basic-delete */
  private remove(def: TableDef, id: string, req: ApiRequest, tx: Transaction | undefined): ApiResponse {
    this.need(req, "Delete", def);
    const ctx = writeContext(req.headers, this.caller(req)?.id ?? this.identity.userId);
    this.withTx(tx, (t) => this.store.delete(t, def.logicalName, id, ctx, req.headers["if-match"]));
    return { status: 204, headers: { "OData-Version": "4.0" } };
  }

  /**
   * CreateMultiple / UpdateMultiple: every target names its type with `@odata.type`; all rows are written or none
   * is (standard tables roll back on any error). Available for custom tables and some standard ones only
   * (BULK_STANDARD_TABLES); Dataverse sets no fixed number of targets but fails on size and time, and names
   * 1,000 as the starting point: the local Dataverse refuses more than MAX_BULK_TARGETS.
   * https://learn.microsoft.com/power-apps/developer/data-platform/bulk-operations#availability-with-standard-tables
   * https://learn.microsoft.com/power-apps/developer/data-platform/bulk-operations#number-of-records-with-standard-tables
   * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/updatemultiple
   */
  private multiple(
    def: TableDef,
    message: "CreateMultiple" | "UpdateMultiple",
    req: ApiRequest,
    tx: Transaction | undefined,
  ): ApiResponse {
    if (!def.custom && !BULK_STANDARD_TABLES.has(def.logicalName))
      throw new DataverseError(
        400,
        CODES.badRequest,
        `The message '${message}' is not available for the table '${def.logicalName}' (no sdkmessagefilter); send one request per row or a $batch.`,
      );
    const body = parseBody(req.body) as { Targets?: unknown };
    if (!body || !Array.isArray(body.Targets) || body.Targets.length === 0)
      throw badRequest(`${message} needs a non-empty 'Targets' array.`);
    if (body.Targets.length > MAX_BULK_TARGETS)
      throw badRequest(
        `${message} has ${body.Targets.length} targets; the local Dataverse takes at most ${MAX_BULK_TARGETS} per request.`,
      );
    const ctx = writeContext(req.headers, this.caller(req)?.id ?? this.identity.userId);
    const expected = `Microsoft.Dynamics.CRM.${def.logicalName}`;
    const create = message === "CreateMultiple";
    const targets = body.Targets.map((raw, i) => {
      const target = raw as Record<string, unknown>;
      if (target?.["@odata.type"] !== expected) {
        throw badRequest(`Targets[${i}]: the '@odata.type' annotation must be '${expected}' for every item.`);
      }
      const id = target[def.primaryId];
      if (!create && (typeof id !== "string" || !isGuid(id)))
        throw badRequest(`Targets[${i}]: '${def.primaryId}' must be the GUID of the ${def.logicalName} to update.`);
      const values = readPayload(this.store, def, target);
      this.checkWrite(req, def, values, create);
      if (create) return { id: undefined, values };
      delete values[def.primaryId];
      return { id: (id as string).toLowerCase(), values };
    });
    const ids = this.withTx(tx, (t) =>
      targets.map((u) =>
        u.id === undefined
          ? (this.store.create(t, def.logicalName, u.values, ctx)[def.primaryId] as string)
          : (this.store.update(t, def.logicalName, u.id, u.values, ctx), u.id),
      ),
    );
    if (!create) return { status: 204, headers: { "OData-Version": "4.0" } };
    // https://learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/createmultiple
    return json(200, {
      "@odata.context": `${this.base}$metadata#Microsoft.Dynamics.CRM.CreateMultipleResponse`,
      Ids: ids,
    });
  }
}

/** Standard tables taking CreateMultiple / UpdateMultiple here (custom tables always do). */
export const BULK_STANDARD_TABLES = new Set(["account", "contact"]);
export const MAX_BULK_TARGETS = 1000;

function parseBody(body: string): unknown {
  if (body.trim() === "") throw badRequest("The request body is empty; a JSON object was expected.");
  try {
    return JSON.parse(body);
  } catch (e) {
    throw badRequest(`Error parsing JSON in the request body: ${(e as Error).message}`);
  }
}

function parseOrderBy(def: TableDef, text: string | null): { col: ColumnDef; desc: boolean }[] {
  if (!text) return [];
  return text.split(",").map((part) => {
    const [name, dir, ...rest] = part.trim().split(/\s+/);
    if (rest.length || (dir && dir !== "asc" && dir !== "desc"))
      throw badRequest(`Syntax error in $orderby '${text}'.`);
    const col = propertyColumn(def, name);
    if (!col) throw unknownProperty(def, name);
    return { col, desc: dir === "desc" };
  });
}

function compareValues(a: unknown, b: unknown, guid = false): number {
  const x =
    a === undefined || a === null
      ? null
      : typeof a === "object"
        ? (a as { id: string }).id
        : typeof a === "string"
          ? a.toLowerCase()
          : a;
  const y =
    b === undefined || b === null
      ? null
      : typeof b === "object"
        ? (b as { id: string }).id
        : typeof b === "string"
          ? b.toLowerCase()
          : b;
  if (x === y) return 0;
  if (x === null) return -1;
  if (y === null) return 1;
  if (guid && typeof x === "string" && typeof y === "string") return compareSqlGuid(x, y);
  return (x as string | number) < (y as string | number) ? -1 : 1;
}

/** `$skiptoken` in Dataverse's paging-cookie form: `<cookie pagenumber="2" pagingcookie="…" istracking="False" />`. */
function skipToken(page: number, pk: string, first: string, last: string): string {
  const inner = `<cookie page="${page - 1}"><${pk} last="{${last.toUpperCase()}}" first="{${first.toUpperCase()}}" /></cookie>`;
  return `<cookie pagenumber="${page}" pagingcookie="${encodeURIComponent(encodeURIComponent(inner))}" istracking="False" />`;
}

function parseSkipToken(token: string, pk: string): { page: number; lastId?: string } {
  const page = Number(/pagenumber="(\d+)"/.exec(token)?.[1]);
  if (!Number.isInteger(page) || page < 2)
    throw badRequest(`The $skiptoken '${token}' is not one this service issued.`);
  const cookie = /pagingcookie="([^"]*)"/.exec(token)?.[1];
  let inner = cookie ?? "";
  for (let i = 0; i < 3 && inner && !inner.includes("<"); i++) inner = decodeURIComponent(inner);
  const last = new RegExp(`<${pk}[^>]*\\blast="\\{([0-9A-Fa-f-]{36})\\}"`).exec(inner)?.[1];
  return { page, lastId: last?.toLowerCase() };
}

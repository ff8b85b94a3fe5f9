/**
 * In-memory tables with a version counter (the `@odata.etag` source), lookup indexes and an undo log
 * so a `$batch` change set or an UpdateMultiple call commits or rolls back as one.
 */
import { randomUUID } from "node:crypto";
import { DataverseError, CODES, notFound } from "./errors";
import { isLookup, Metadata, type TableDef } from "./metadata";

export interface LookupValue {
  id: string;
  table: string;
}
/** Stored values: GUIDs lower-case, DateTime as epoch ms, money/decimal as numbers, lookups as references. */
export type Value = string | number | boolean | LookupValue | null;
export type Row = Record<string, Value>;

/** Internal column holding the row version behind `@odata.etag` (Dataverse's `versionnumber`). */
export const VERSION = "versionnumber";

export type MessageName = "Create" | "Update" | "Delete";

export interface WriteContext {
  userId: string;
  correlationId: string;
  /** `MSCRM.BypassCustomPluginExecution: true` or BypassBusinessLogicExecution CustomSync. */
  bypassSync: boolean;
  /** `MSCRM.BypassBusinessLogicExecution: CustomAsync`. */
  bypassAsync: boolean;
}

export interface ChangeEvent {
  message: MessageName;
  table: string;
  id: string;
  /** The attributes the request wrote (the message's Target). */
  target: Row;
  pre?: Row;
  post?: Row;
  ctx: WriteContext;
  operationId: string;
  at: number;
}

interface UndoEntry {
  table: string;
  id: string;
  before: Row | undefined;
}

export class Transaction {
  readonly undo: UndoEntry[] = [];
  readonly events: ChangeEvent[] = [];
  done = false;
}

export const isLookupValue = (v: Value): v is LookupValue => typeof v === "object" && v !== null;

export class Store {
  private readonly data = new Map<string, Map<string, Row>>();
  /** table → lookup column → referenced id → ids of rows pointing at it. */
  private readonly lookupIndex = new Map<string, Map<string, Map<string, Set<string>>>>();
  private readonly listeners: ((e: ChangeEvent) => void)[] = [];
  /** Bumped on every change to a table: query caches (paging through big results) key on it. */
  private readonly tableVersions = new Map<string, number>();
  private version = 1000;

  constructor(
    readonly metadata: Metadata,
    readonly now: () => number = Date.now,
  ) {
    for (const def of metadata.tables.values()) {
      if (def.viewOf) continue; // reads go to the member tables
      this.data.set(def.logicalName, new Map());
      const idx = new Map<string, Map<string, Set<string>>>();
      for (const col of def.columns.values()) if (isLookup(col)) idx.set(col.name, new Map());
      this.lookupIndex.set(def.logicalName, idx);
    }
  }

  def(table: string): TableDef {
    const def = this.metadata.table(table);
    if (!def)
      throw new DataverseError(404, CODES.badRequest, `The entity '${table}' does not exist in the sandbox metadata.`);
    return def;
  }

  onChange(listener: (e: ChangeEvent) => void): void {
    this.listeners.push(listener);
  }

  /** The member tables of a view (activitypointer), else undefined. */
  private members(table: string): string[] | undefined {
    return this.metadata.table(table)?.viewOf;
  }

  get(table: string, id: string): Row | undefined {
    const members = this.members(table);
    if (members) {
      for (const m of members) {
        const row = this.get(m, id);
        if (row) return row;
      }
      return undefined;
    }
    return this.data.get(table)?.get(id.toLowerCase());
  }

  rows(table: string): IterableIterator<Row> {
    const members = this.members(table);
    if (members)
      return (function* (store: Store) {
        for (const m of members) yield* store.rows(m);
      })(this);
    return this.table(table).values();
  }

  count(table: string): number {
    const members = this.members(table);
    if (members) return members.reduce((n, m) => n + this.count(m), 0);
    return this.table(table).size;
  }

  /** Ids of `table` rows whose lookup `column` references `targetId` (an index read, no scan). */
  referencing(table: string, column: string, targetId: string): ReadonlySet<string> {
    const members = this.members(table);
    if (members) {
      const ids = new Set<string>();
      for (const m of members) for (const id of this.referencing(m, column, targetId)) ids.add(id);
      return ids;
    }
    return this.lookupIndex.get(table)?.get(column)?.get(targetId.toLowerCase()) ?? EMPTY;
  }

  hasLookupIndex(table: string, column: string): boolean {
    const members = this.members(table);
    if (members) return members.every((m) => this.hasLookupIndex(m, column));
    return this.lookupIndex.get(table)?.has(column) ?? false;
  }

  /** Primary name of a referenced row, for lookup FormattedValue annotations. */
  nameOf(ref: LookupValue): string | null {
    const def = this.metadata.table(ref.table);
    const row = def && this.get(ref.table, ref.id);
    const name = row?.[def!.primaryName];
    return typeof name === "string" ? name : null;
  }

  tableVersion(table: string): number {
    // Member versions only grow, so their sum changes whenever one of them does.
    const members = this.members(table);
    if (members) return members.reduce((n, m) => n + this.tableVersion(m), 0);
    return this.tableVersions.get(table) ?? 0;
  }

  private touch(table: string): void {
    this.tableVersions.set(table, this.tableVersion(table) + 1);
  }

  currentVersion(): number {
    return this.version;
  }

  begin(): Transaction {
    return new Transaction();
  }

  commit(tx: Transaction): void {
    if (tx.done) return;
    tx.done = true;
    for (const e of tx.events) for (const l of this.listeners) l(e);
  }

  rollback(tx: Transaction): void {
    if (tx.done) return;
    tx.done = true;
    for (let i = tx.undo.length - 1; i >= 0; i--) {
      const { table, id, before } = tx.undo[i];
      this.touch(table);
      const current = this.get(table, id);
      if (current) this.unindex(table, current);
      if (before) {
        this.table(table).set(id, before);
        this.index(table, before);
      } else {
        this.table(table).delete(id);
      }
    }
  }

  /** Runs `fn` as one transaction: every write commits (and notifies) together or none does. */
  atomically<T>(fn: (tx: Transaction) => T): T {
    const tx = this.begin();
    try {
      const result = fn(tx);
      this.commit(tx);
      return result;
    } catch (e) {
      this.rollback(tx);
      throw e;
    }
  }

  create(tx: Transaction, table: string, values: Row, ctx: WriteContext): Row {
    const def = this.def(table);
    const id =
      typeof values[def.primaryId] === "string" ? (values[def.primaryId] as string).toLowerCase() : randomUUID();
    if (this.table(table).has(id)) {
      throw new DataverseError(412, CODES.duplicate, `A record with matching key values already exists.`);
    }
    const now = this.now();
    const row: Row = {};
    for (const col of def.columns.keys()) row[col] = null;
    Object.assign(row, def.defaults, values);
    row[def.primaryId] = id;
    if (def.columns.has("createdon"))
      row.createdon = typeof values.overriddencreatedon === "number" ? values.overriddencreatedon : now;
    if (def.columns.has("modifiedon")) row.modifiedon = now;
    row[VERSION] = ++this.version;
    this.syncBase(def, row);
    this.put(tx, table, id, row);
    const target: Row = { ...values, [def.primaryId]: id };
    for (const k of Object.keys(def.defaults)) if (!(k in target)) target[k] = row[k];
    this.addBase(def, target);
    if (def.columns.has("createdon")) target.createdon = row.createdon;
    this.emit(tx, { message: "Create", table, id, target, post: { ...row }, ctx });
    return row;
  }

  update(tx: Transaction, table: string, id: string, values: Row, ctx: WriteContext, ifMatch?: string): Row {
    const def = this.def(table);
    const before = this.get(table, id);
    if (!before) throw notFound(table, id);
    checkEtag(before, ifMatch);
    const row: Row = { ...before, ...values };
    if (def.columns.has("modifiedon")) row.modifiedon = this.now();
    row[VERSION] = ++this.version;
    this.syncBase(def, row);
    this.put(tx, table, before[def.primaryId] as string, row);
    const target: Row = { ...values, [def.primaryId]: row[def.primaryId] };
    if (def.columns.has("modifiedon")) target.modifiedon = row.modifiedon;
    this.addBase(def, target);
    this.emit(tx, {
      message: "Update",
      table,
      id: row[def.primaryId] as string,
      target,
      pre: before,
      post: { ...row },
      ctx,
    });
    return row;
  }

  delete(tx: Transaction, table: string, id: string, ctx: WriteContext, ifMatch?: string): void {
    const def = this.def(table);
    const before = this.get(table, id);
    if (!before) throw notFound(table, id);
    checkEtag(before, ifMatch);
    const key = before[def.primaryId] as string;
    tx.undo.push({ table, id: key, before });
    this.unindex(table, before);
    this.table(table).delete(key);
    this.touch(table);
    this.emit(tx, { message: "Delete", table, id: key, target: { [def.primaryId]: key }, pre: before, ctx });
  }

  /** Loads a row as-is (snapshot / export folder): no events, keeps its version when it has one. */
  load(table: string, row: Row): void {
    const def = this.def(table);
    const id = String(row[def.primaryId]).toLowerCase();
    const full: Row = {};
    for (const col of def.columns.keys()) full[col] = null;
    Object.assign(full, def.defaults, row);
    full[def.primaryId] = id;
    if (typeof full[VERSION] !== "number") full[VERSION] = ++this.version;
    else this.version = Math.max(this.version, full[VERSION] as number);
    this.syncBase(def, full);
    const existing = this.get(table, id);
    if (existing) this.unindex(table, existing);
    this.touch(table);
    this.table(table).set(id, full);
    this.index(table, full);
  }

  tableNames(): string[] {
    return [...this.data.keys()];
  }

  private table(table: string): Map<string, Row> {
    // Dataverse creates activitypointer rows only through the activity tables.
    if (this.members(table))
      throw new DataverseError(
        400,
        CODES.badRequest,
        `The '${table}' table cannot be written directly; write its rows through ${this.members(table)!.join(", ")}.`,
      );
    const t = this.data.get(table);
    if (!t)
      throw new DataverseError(404, CODES.badRequest, `The entity '${table}' does not exist in the sandbox metadata.`);
    return t;
  }

  /** `<money>_base` follows its money column at exchange rate 1 (one base currency in the sandbox). */
  private syncBase(def: TableDef, row: Row): void {
    for (const col of def.columns.values()) if (col.base) row[col.base] = row[col.name];
  }

  /** The platform adds the computed `_base` of every money value it writes to the message's Target. */
  private addBase(def: TableDef, target: Row): void {
    for (const col of def.columns.values()) if (col.base && col.name in target) target[col.base] = target[col.name];
  }

  private put(tx: Transaction, table: string, id: string, row: Row): void {
    const before = this.get(table, id);
    tx.undo.push({ table, id, before });
    this.touch(table);
    if (before) this.unindex(table, before);
    this.table(table).set(id, row);
    this.index(table, row);
  }

  private emit(tx: Transaction, e: Omit<ChangeEvent, "operationId" | "at">): void {
    tx.events.push({ ...e, operationId: randomUUID(), at: this.now() });
  }

  private index(table: string, row: Row): void {
    const def = this.def(table);
    const id = row[def.primaryId] as string;
    for (const [column, byTarget] of this.lookupIndex.get(table)!) {
      const v = row[column];
      if (!isLookupValue(v)) continue;
      let set = byTarget.get(v.id);
      if (!set) byTarget.set(v.id, (set = new Set()));
      set.add(id);
    }
  }

  private unindex(table: string, row: Row): void {
    const def = this.def(table);
    const id = row[def.primaryId] as string;
    for (const [column, byTarget] of this.lookupIndex.get(table)!) {
      const v = row[column];
      if (!isLookupValue(v)) continue;
      const set = byTarget.get(v.id);
      set?.delete(id);
      if (set && set.size === 0) byTarget.delete(v.id);
    }
  }
}

const EMPTY: ReadonlySet<string> = new Set();

export const etagOf = (row: Row): string => `W/"${row[VERSION]}"`;

/**
 * Optimistic concurrency: `If-Match` with the row's `@odata.etag` (or `*`), else 412.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/perform-conditional-operations-using-web-api#apply-optimistic-concurrency
 */
function checkEtag(row: Row, ifMatch: string | undefined): void {
  if (ifMatch === undefined || ifMatch.trim() === "*") return;
  const wanted = ifMatch.split(",").map((s) => s.trim());
  if (!wanted.includes(etagOf(row))) {
    throw new DataverseError(
      412,
      CODES.concurrency,
      "The version of the existing record doesn't match the RowVersion property provided.",
    );
  }
}

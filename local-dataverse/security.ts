/**
 * Who calls, and what they may do: users with security roles (the solution's, from solution/src/Roles, and the
 * platform's standard roles as local data) and field security profiles (solution/src/Other/FieldSecurityProfiles.xml).
 * - A missing table privilege answers 403 with 0x80040220 ("Principal user is missing prv… privilege").
 *   https://learn.microsoft.com/troubleshoot/power-platform/dataverse/user-permissions/client-errors
 * - A secured column reads as null without a profile that grants read; writing it without create/update
 *   permission fails with AttributePrivilegeCreateIsMissing (0x8004F502) or
 *   AttributePermissionUpdateIsMissingDuringUpdate (0x8004F507).
 *   https://learn.microsoft.com/power-apps/developer/data-platform/reference/web-service-error-codes
 *   https://learn.microsoft.com/power-platform/admin/field-level-security
 * - A role naming a privilege that does not exist fails when the solution is loaded, as its import would.
 * One business unit: every privilege level (Basic … Global) is treated as reaching every row (see
 * docs/local-dataverse.md).
 */
import { DataverseError } from "./errors";
import type { Metadata, TableDef } from "./metadata";
import { OTHER_PRIVILEGES } from "./platform-tables";
import type { SolutionSource } from "../solution/scripts/source-model";
import type { Row, Store } from "./store";

export type Verb = "Create" | "Read" | "Write" | "Delete" | "Append" | "AppendTo" | "Assign" | "Share";
const VERBS: Verb[] = ["Create", "Read", "Write", "Delete", "Append", "AppendTo", "Assign", "Share"];

export const PRIVILEGE_DENIED = "0x80040220";
export const FIELD_CREATE_DENIED = "0x8004F502";
export const FIELD_UPDATE_DENIED = "0x8004F507";

export interface User {
  /** Short key (service, salesperson, …): demo switcher and tokens. */
  key: string;
  id: string;
  fullname: string;
  email: string;
  roles: string[];
  /** Field security profiles by name. */
  profiles: string[];
  /** System Administrator: every privilege and every secured column, as in Dataverse. */
  admin?: boolean;
}

const SALES_TABLES = ["Account", "Contact", "Opportunity", "Invoice", "Activity"];
const grant = (verbs: Verb[], names: string[]): string[] => names.flatMap((n) => verbs.map((v) => `prv${v}${n}`));

/**
 * The platform's standard roles, reduced to the tables the local Dataverse serves (sandbox data, not the solution's).
 * https://learn.microsoft.com/dynamics365/sales/security-roles-for-sales
 */
export const STANDARD_ROLES: Record<string, string[]> = {
  Salesperson: [
    ...grant(["Create", "Read", "Write", "Append", "AppendTo", "Assign", "Share"], SALES_TABLES),
    "prvReadUser",
    "prvReadTeam",
  ],
  "Sales Manager": [
    ...grant(["Create", "Read", "Write", "Delete", "Append", "AppendTo", "Assign", "Share"], SALES_TABLES),
    "prvReadUser",
    "prvReadTeam",
  ],
};

const uid = (n: number): string => `5a9d3e42-0c7b-4f7a-9a55-${n.toString(16).padStart(12, "0")}`;

/**
 * The local Dataverse's users. `service` is the Customer Tiering service's application user (the plugin service,
 * the re-rank, the CLI); the others are people for the demo page's user switcher.
 */
export const USERS: User[] = [
  {
    key: "service",
    id: uid(1),
    fullname: "Customer Tiering service (application user)",
    email: "customer-tiering@local.invalid",
    roles: ["Customer Tiering service"],
    profiles: ["Customer tier writers"],
  },
  {
    key: "admin",
    id: uid(2),
    fullname: "System Administrator",
    email: "admin@local.invalid",
    roles: [],
    profiles: [],
    admin: true,
  },
  {
    key: "salesperson-restricted",
    id: uid(3),
    fullname: "Sam Seller (no tier profile)",
    email: "sam@local.invalid",
    roles: ["Salesperson", "Customer Tiering salesperson"],
    profiles: [],
  },
  {
    key: "salesperson",
    id: uid(4),
    fullname: "Sara Seller",
    email: "sara@local.invalid",
    roles: ["Salesperson", "Customer Tiering salesperson"],
    profiles: ["Customer tier readers"],
  },
  {
    key: "salesops",
    id: uid(5),
    fullname: "Olga Ops",
    email: "olga@local.invalid",
    roles: ["Salesperson", "Customer Tiering salesperson", "Tier model manager"],
    profiles: ["Customer tier writers"],
  },
  {
    key: "manager",
    id: uid(6),
    fullname: "Max Manager",
    email: "max@local.invalid",
    roles: ["Sales Manager", "Customer Tiering manager"],
    profiles: ["Customer tier readers"],
  },
];

/** Every privilege name Dataverse would know for the served tables, plus a few of tables not served. */
function knownPrivileges(metadata: Metadata): Set<string> {
  const names = new Set(OTHER_PRIVILEGES);
  for (const def of metadata.tables.values()) for (const v of VERBS) names.add(`prv${v}${def.privilegeName}`);
  return names;
}

interface FieldAccess {
  read: boolean;
  create: boolean;
  update: boolean;
}

export class Security {
  private readonly roles = new Map<string, Set<string>>();
  /** table → secured columns. */
  private readonly secured = new Map<string, Set<string>>();
  /** profile → "table.column" → access. */
  private readonly profiles = new Map<string, Map<string, FieldAccess>>();
  private readonly privilegeCache = new Map<string, Set<string>>();

  constructor(
    readonly metadata: Metadata,
    source: SolutionSource,
    readonly users: User[] = USERS,
  ) {
    const known = knownPrivileges(metadata);
    for (const [name, privileges] of Object.entries(STANDARD_ROLES)) this.roles.set(name, new Set(privileges));
    for (const role of source.roles) {
      for (const p of role.privileges) {
        // https://learn.microsoft.com/power-platform/admin/security-roles-privileges
        if (!known.has(p.name))
          throw new Error(`${role.file}: role '${role.name}' names privilege '${p.name}', which does not exist`);
      }
      this.roles.set(role.name, new Set(role.privileges.map((p) => p.name)));
    }
    for (const e of source.entities.values())
      for (const c of e.columns.values()) if (c.secured) this.columnSet(e.logicalName).add(c.logicalName);
    for (const fp of source.fieldPermissions) {
      if (!this.secured.get(fp.entity)?.has(fp.column))
        throw new Error(`field security profile '${fp.profile}' names ${fp.entity}.${fp.column}, which is not secured`);
      const profile = this.profiles.get(fp.profile) ?? new Map<string, FieldAccess>();
      profile.set(`${fp.entity}.${fp.column}`, { read: fp.canRead, create: fp.canCreate, update: fp.canUpdate });
      this.profiles.set(fp.profile, profile);
    }
    for (const u of users) {
      for (const r of u.roles) if (!this.roles.has(r)) throw new Error(`user ${u.key}: no role named '${r}'`);
      for (const p of u.profiles)
        if (!this.profiles.has(p)) throw new Error(`user ${u.key}: no field security profile named '${p}'`);
    }
  }

  private columnSet(table: string): Set<string> {
    let set = this.secured.get(table);
    if (!set) this.secured.set(table, (set = new Set()));
    return set;
  }

  user(key: string): User {
    const u = this.users.find((x) => x.key === key);
    if (!u) throw new Error(`no local Dataverse user '${key}'`);
    return u;
  }

  privileges(user: User): Set<string> {
    let set = this.privilegeCache.get(user.key);
    if (!set) {
      set = new Set(user.roles.flatMap((r) => [...this.roles.get(r)!]));
      this.privilegeCache.set(user.key, set);
    }
    return set;
  }

  has(user: User, verb: Verb, def: TableDef): boolean {
    return !!user.admin || this.privileges(user).has(`prv${verb}${def.privilegeName}`);
  }

  /** Throws Dataverse's privilege error when `user` lacks prv<verb> on the table. */
  require(user: User, verb: Verb, def: TableDef): void {
    if (this.has(user, verb, def)) return;
    const privilege = `prv${verb}${def.privilegeName}`;
    throw new DataverseError(
      403,
      PRIVILEGE_DENIED,
      `Principal user (Id=${user.id}, type=8, roleCount=${user.roles.length}), is missing ${privilege} privilege on OTC for entity '${def.logicalName}'. context.Caller=${user.id}`,
    );
  }

  private access(user: User, table: string, column: string): FieldAccess {
    if (user.admin || !this.secured.get(table)?.has(column)) return { read: true, create: true, update: true };
    const out = { read: false, create: false, update: false };
    for (const p of user.profiles) {
      const a = this.profiles.get(p)?.get(`${table}.${column}`);
      if (!a) continue;
      out.read ||= a.read;
      out.create ||= a.create;
      out.update ||= a.update;
    }
    return out;
  }

  /** Secured columns of `table` the user cannot read (empty for most calls). */
  hiddenColumns(user: User, table: string): Set<string> {
    const out = new Set<string>();
    for (const c of this.secured.get(table) ?? []) if (!this.access(user, table, c).read) out.add(c);
    return out;
  }

  /** Refuses a write of a secured column the user may not create / update. */
  requireFieldWrite(user: User, table: string, columns: string[], create: boolean): void {
    for (const c of columns) {
      const a = this.access(user, table, c);
      if (create ? a.create : a.update) continue;
      throw create
        ? new DataverseError(
            403,
            FIELD_CREATE_DENIED,
            `The user does not have create permissions to a secured field. The requested operation could not be completed. (${table}.${c})`,
          )
        : new DataverseError(
            403,
            FIELD_UPDATE_DENIED,
            `The user doesn't have AttributePrivilegeUpdate and not granted shared access for a secured attribute during update operation (${table}.${c})`,
          );
    }
  }
}

/**
 * The store as `user` sees it: secured columns the user cannot read are null in every row, so $select, $filter,
 * $orderby, FetchXML conditions and aggregates all see null, never the value. Without hidden columns, the store itself.
 */
export function storeAs(store: Store, security: Security | undefined, user: User): Store {
  if (!security || user.admin) return store;
  const hidden = new Map<string, Set<string>>();
  const hiddenOf = (table: string): Set<string> => {
    let h = hidden.get(table);
    if (!h) hidden.set(table, (h = security.hiddenColumns(user, table)));
    return h;
  };
  if (![...store.metadata.tables.keys()].some((t) => hiddenOf(t).size > 0)) return store;
  const mask = (table: string, row: Row | undefined): Row | undefined => {
    const h = hiddenOf(table);
    if (!row || h.size === 0) return row;
    const copy = { ...row };
    for (const c of h) if (c in copy) copy[c] = null;
    return copy;
  };
  const view = Object.create(store) as Store;
  view.get = (table, id) => mask(table, store.get(table, id));
  view.rows = function* (table: string) {
    if (hiddenOf(table).size === 0) yield* store.rows(table);
    else for (const r of store.rows(table)) yield mask(table, r)!;
  };
  return view;
}

/** A key that differs between users who see different columns (query caches). */
export function viewKey(security: Security | undefined, user: User): string {
  if (!security || user.admin) return "all";
  return [...security.metadata.tables.keys()]
    .map((t) => [...security.hiddenColumns(user, t)].map((c) => `${t}.${c}`).join(","))
    .filter(Boolean)
    .join(";");
}

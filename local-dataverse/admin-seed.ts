/**
 * Fills the platform tables of metadata-admin.ts the way the platform and importing the solution and setting up its
 * application user would: the SDK messages and their filters, the solution row, the solution's and the standard roles with
 * their privileges, the field security profiles, and each local user's roles and profiles (security.ts USERS; the
 * service's application user gets LOCAL_SERVICE_APP_ID). Rows already there (a state file) are kept.
 */
import { createHash } from "node:crypto";
import { SDK_MESSAGE_IDS } from "../solution/scripts/steps";
import { readSolutionIdentity, readSolutionProfiles, readSolutionRoles } from "../solution/scripts/security";
import { STANDARD_ROLES, type User } from "./security";
import type { Row, Store } from "./store";

/** A stable GUID for a named platform row (the real ones are per environment or fixed by the platform). */
export function nameGuid(kind: string, name: string): string {
  const h = createHash("sha1").update(`${kind}:${name}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The application (client) ID of the local service user, as an app registration or managed identity would have. */
export const LOCAL_SERVICE_APP_ID = "5a9d3e42-0c7b-4f7a-9a55-0000000a9901";

/** RolePrivilege level → roleprivileges.privilegedepthmask. */
export const DEPTH_MASK: Record<string, number> = { Basic: 1, Local: 2, Deep: 4, Global: 8 };

function put(store: Store, table: string, row: Row): void {
  const id = String(row[store.def(table).primaryId]);
  if (!store.get(table, id)) store.load(table, row);
}

/**
 * The platform's message rows: Create, Update and Delete (sdkmessage, with their fixed ids) and a message filter for
 * each of them on every table (sdkmessagefilter), as every environment has them before any solution. A step
 * registration points at both (plugins/register-steps.ts looks the filter up). No step is seeded: importing the
 * solution registers none; `tiering configure` does (issue 13).
 * https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/sdkmessagefilter
 */
export function seedSdkMessages(store: Store): void {
  for (const [message, messageId] of Object.entries(SDK_MESSAGE_IDS)) {
    put(store, "sdkmessage", { sdkmessageid: messageId, name: message });
    for (const def of store.metadata.tables.values()) {
      if (def.viewOf) continue;
      put(store, "sdkmessagefilter", {
        sdkmessagefilterid: nameGuid("sdkmessagefilter", `${message}:${def.logicalName}`),
        name: `${message} of ${def.logicalName}`,
        primaryobjecttypecode: def.logicalName,
        sdkmessageid: { id: messageId, table: "sdkmessage" },
      });
    }
  }
}

/** The solution row, roles with their privileges, field security profiles, and who holds which. */
export function seedSecurity(store: Store, users: readonly User[]): void {
  const solution = readSolutionIdentity();
  put(store, "solution", {
    solutionid: nameGuid("solution", solution.uniqueName),
    uniquename: solution.uniqueName,
    friendlyname: solution.uniqueName,
    version: solution.version,
    ismanaged: true,
  });
  const roles = [
    ...readSolutionRoles(),
    ...Object.entries(STANDARD_ROLES).map(([name, privileges]) => ({
      id: nameGuid("role", name),
      name,
      privileges: privileges.map((p) => ({ name: p, level: "Global" })),
    })),
  ];
  const roleIds = new Map(roles.map((r) => [r.name, r.id]));
  for (const role of roles) {
    put(store, "role", { roleid: role.id, name: role.name });
    for (const p of role.privileges) {
      const privilegeId = nameGuid("privilege", p.name);
      put(store, "privilege", { privilegeid: privilegeId, name: p.name });
      put(store, "roleprivileges", {
        roleprivilegeid: nameGuid("roleprivileges", `${role.id}:${p.name}`),
        roleid: role.id,
        privilegeid: privilegeId,
        privilegedepthmask: DEPTH_MASK[p.level] ?? 8,
      });
    }
  }
  const profileIds = new Map<string, string>();
  for (const profile of readSolutionProfiles()) {
    put(store, "fieldsecurityprofile", { fieldsecurityprofileid: profile.id, name: profile.name });
    profileIds.set(profile.name, profile.id);
  }
  for (const user of users) {
    if (user.key === "service") {
      const row = store.get("systemuser", user.id);
      if (row && row.applicationid == null) store.load("systemuser", { ...row, applicationid: LOCAL_SERVICE_APP_ID });
    }
    for (const name of user.roles) {
      const roleId = roleIds.get(name);
      if (!roleId) continue;
      put(store, "systemuserroles", {
        systemuserroleid: nameGuid("systemuserroles", `${user.id}:${roleId}`),
        systemuserid: user.id,
        roleid: roleId,
      });
    }
    for (const name of user.profiles) {
      const profileId = profileIds.get(name);
      if (!profileId) continue;
      put(store, "systemuserprofiles", {
        systemuserprofileid: nameGuid("systemuserprofiles", `${user.id}:${profileId}`),
        systemuserid: user.id,
        fieldsecurityprofileid: profileId,
      });
    }
  }
}

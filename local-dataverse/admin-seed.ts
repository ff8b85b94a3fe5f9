/**
 * Fills the platform tables of metadata-admin.ts the way importing the solution and setting up its application user
 * would: the solution row, the step registrations with their images, the solution's and the standard roles with
 * their privileges, the field security profiles, and each local user's roles and profiles (security.ts USERS; the
 * service's application user gets LOCAL_SERVICE_APP_ID). Rows already there (a state file) are kept.
 */
import { createHash } from "node:crypto";
import { SDK_MESSAGE_IDS, type StepRegistration } from "../solution/scripts/steps";
import { readSolutionIdentity, readSolutionProfiles, readSolutionRoles } from "../solution/scripts/security";
import { STANDARD_ROLES, type User } from "./security";
import type { Row, Store } from "./store";
import { stepId } from "./webhooks";

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

export function seedSteps(store: Store, steps: StepRegistration[], endpoints: Map<string, string>): void {
  const endpointByName = new Map([...endpoints].map(([id, name]) => [name, id]));
  for (const step of steps) {
    const messageId = SDK_MESSAGE_IDS[step.message];
    put(store, "sdkmessage", { sdkmessageid: messageId, name: step.message });
    const filterId = nameGuid("sdkmessagefilter", `${step.message}:${step.primaryEntity}`);
    put(store, "sdkmessagefilter", {
      sdkmessagefilterid: filterId,
      name: `${step.message} of ${step.primaryEntity}`,
      primaryobjecttypecode: step.primaryEntity,
      sdkmessageid: { id: messageId, table: "sdkmessage" },
    });
    const id = stepId(step.name);
    const endpoint = endpointByName.get(step.serviceEndpoint);
    put(store, "sdkmessageprocessingstep", {
      sdkmessageprocessingstepid: id,
      name: step.name,
      stage: step.stage,
      mode: step.mode,
      rank: step.rank,
      filteringattributes: step.filteringAttributes.join(",") || null,
      sdkmessageid: { id: messageId, table: "sdkmessage" },
      sdkmessagefilterid: { id: filterId, table: "sdkmessagefilter" },
      eventhandler: endpoint ? { id: endpoint, table: "serviceendpoint" } : null,
    });
    for (const image of step.images) {
      put(store, "sdkmessageprocessingstepimage", {
        sdkmessageprocessingstepimageid: nameGuid("sdkmessageprocessingstepimage", `${step.name}:${image.name}`),
        name: image.name,
        entityalias: image.entityAlias,
        imagetype: image.imageType,
        attributes: image.attributes.join(",") || null,
        sdkmessageprocessingstepid: { id, table: "sdkmessageprocessingstep" },
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

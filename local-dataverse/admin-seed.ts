/**
 * Fills the platform tables of metadata-admin.ts the way importing the solution and setting up its application user
 * would: the solution row, the step registrations with their images, the solution's roles and field security
 * profiles, and the local Dataverse's one user as the service's application user (its role and writer profile).
 * Rows already there (a state file) are kept.
 */
import { createHash } from "node:crypto";
import { SDK_MESSAGE_IDS, type StepRegistration } from "../solution/scripts/steps";
import {
  readSolutionIdentity,
  readSolutionProfiles,
  readSolutionRoles,
  SERVICE_FIELD_PROFILE,
  SERVICE_ROLE,
} from "../solution/scripts/security";
import type { Row, Store } from "./store";
import { stepId } from "./webhooks";

/** A stable GUID for a named platform row (the real ones are per environment or fixed by the platform). */
export function nameGuid(kind: string, name: string): string {
  const h = createHash("sha1").update(`${kind}:${name}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

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

/** The solution row, roles with their privileges, field security profiles; `userId` gets the service's role and profile. */
export function seedSecurity(store: Store, userId: string): void {
  const solution = readSolutionIdentity();
  put(store, "solution", {
    solutionid: nameGuid("solution", solution.uniqueName),
    uniquename: solution.uniqueName,
    friendlyname: solution.uniqueName,
    version: solution.version,
    ismanaged: true,
  });
  for (const role of readSolutionRoles()) {
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
    if (role.name === SERVICE_ROLE) {
      put(store, "systemuserroles", {
        systemuserroleid: nameGuid("systemuserroles", `${userId}:${role.id}`),
        systemuserid: userId,
        roleid: role.id,
      });
    }
  }
  for (const profile of readSolutionProfiles()) {
    put(store, "fieldsecurityprofile", { fieldsecurityprofileid: profile.id, name: profile.name });
    if (profile.name === SERVICE_FIELD_PROFILE) {
      put(store, "systemuserprofiles", {
        systemuserprofileid: nameGuid("systemuserprofiles", `${userId}:${profile.id}`),
        systemuserid: userId,
        fieldsecurityprofileid: profile.id,
      });
    }
  }
}

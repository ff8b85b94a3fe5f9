/**
 * The platform tables `tiering doctor` reads (solution, step registrations, roles, field security), with their real
 * logical and entity set names and only the columns doctor and step registration (plugins/register-steps.ts) need.
 * The local Dataverse fills them from the solution source and the local users (security.ts) at start (admin-seed.ts),
 * as importing the solution and assigning roles would; the step rows are written through the Web API, and the webhook
 * delivery reads them (steps.ts). Roles and privileges are a read-only picture: what is enforced is security.ts.
 */
import type { TableSpec } from "./table-types";

const audit = {
  createdon: { type: "DateTime", readOnly: true },
  modifiedon: { type: "DateTime", readOnly: true },
} as const;

export const ADMIN_SPECS: TableSpec[] = [
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/solution
    logicalName: "solution",
    privilegeName: "Solution",
    entitySetName: "solutions",
    primaryId: "solutionid",
    primaryName: "friendlyname",
    columns: {
      solutionid: { type: "Uniqueidentifier" },
      uniquename: { type: "String", maxLength: 65 },
      friendlyname: { type: "String", maxLength: 256 },
      version: { type: "String", maxLength: 256 },
      ismanaged: { type: "Boolean" },
      installedon: { type: "DateTime", readOnly: true },
      ...audit,
    },
  },
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/sdkmessage
    logicalName: "sdkmessage",
    privilegeName: "SdkMessage",
    entitySetName: "sdkmessages",
    primaryId: "sdkmessageid",
    primaryName: "name",
    columns: { sdkmessageid: { type: "Uniqueidentifier" }, name: { type: "String", maxLength: 256 } },
  },
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/sdkmessagefilter
    logicalName: "sdkmessagefilter",
    privilegeName: "SdkMessage",
    entitySetName: "sdkmessagefilters",
    primaryId: "sdkmessagefilterid",
    primaryName: "name",
    columns: {
      sdkmessagefilterid: { type: "Uniqueidentifier" },
      name: { type: "String", maxLength: 256 },
      // EntityName-typed in Dataverse: the table's logical name as a string.
      primaryobjecttypecode: { type: "String", maxLength: 64 },
      // https://learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/sdkmessagefilter
      sdkmessageid: { type: "Lookup", targets: ["sdkmessage"], nav: { sdkmessageid: "sdkmessage" } },
    },
  },
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/sdkmessageprocessingstep
    logicalName: "sdkmessageprocessingstep",
    privilegeName: "SdkMessageProcessingStep",
    entitySetName: "sdkmessageprocessingsteps",
    primaryId: "sdkmessageprocessingstepid",
    primaryName: "name",
    columns: {
      sdkmessageprocessingstepid: { type: "Uniqueidentifier" },
      name: { type: "String", maxLength: 256 },
      description: { type: "String", maxLength: 256 },
      stage: { type: "Picklist", options: { 10: "Pre-validation", 20: "Pre-operation", 40: "Post-operation" } },
      mode: { type: "Picklist", options: { 0: "Synchronous", 1: "Asynchronous" } },
      rank: { type: "Integer" },
      invocationsource: { type: "Picklist", options: { [-1]: "Internal", 0: "Parent", 1: "Child" } },
      supporteddeployment: {
        type: "Picklist",
        options: { 0: "Server Only", 1: "Microsoft Dynamics 365 Client", 2: "Both" },
      },
      asyncautodelete: { type: "Boolean" },
      filteringattributes: { type: "String", maxLength: 100000 },
      // Navigation properties as the Web API names them (case-sensitive); eventhandler is polymorphic (plug-in type
      // or service endpoint), so each target has its own: only service endpoints exist here.
      // https://learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/sdkmessageprocessingstep
      sdkmessageid: { type: "Lookup", targets: ["sdkmessage"], nav: { sdkmessageid: "sdkmessage" } },
      sdkmessagefilterid: {
        type: "Lookup",
        targets: ["sdkmessagefilter"],
        nav: { sdkmessagefilterid: "sdkmessagefilter" },
      },
      eventhandler: {
        type: "Lookup",
        targets: ["serviceendpoint"],
        nav: { eventhandler_serviceendpoint: "serviceendpoint" },
      },
      statecode: { type: "State", options: { 0: "Enabled", 1: "Disabled" } },
      statuscode: { type: "Status", options: { 1: "Enabled", 2: "Disabled" } },
      ...audit,
    },
    defaults: { statecode: 0, statuscode: 1 },
  },
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/sdkmessageprocessingstepimage
    logicalName: "sdkmessageprocessingstepimage",
    privilegeName: "SdkMessageProcessingStepImage",
    entitySetName: "sdkmessageprocessingstepimages",
    primaryId: "sdkmessageprocessingstepimageid",
    primaryName: "name",
    columns: {
      sdkmessageprocessingstepimageid: { type: "Uniqueidentifier" },
      name: { type: "String", maxLength: 256 },
      entityalias: { type: "String", maxLength: 256 },
      imagetype: { type: "Picklist", options: { 0: "PreImage", 1: "PostImage", 2: "Both" } },
      messagepropertyname: { type: "String", maxLength: 256 },
      attributes: { type: "String", maxLength: 100000 },
      // https://learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/sdkmessageprocessingstepimage
      sdkmessageprocessingstepid: {
        type: "Lookup",
        targets: ["sdkmessageprocessingstep"],
        nav: { sdkmessageprocessingstepid: "sdkmessageprocessingstep" },
      },
    },
  },
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/role
    logicalName: "role",
    privilegeName: "Role",
    entitySetName: "roles",
    primaryId: "roleid",
    primaryName: "name",
    columns: { roleid: { type: "Uniqueidentifier" }, name: { type: "String", maxLength: 100 }, ...audit },
  },
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/systemuserroles
    // The N:N intersect of users and roles (Dataverse fills it through associate requests; the local double loads it).
    logicalName: "systemuserroles",
    privilegeName: "Role",
    entitySetName: "systemuserrolescollection",
    primaryId: "systemuserroleid",
    primaryName: "systemuserroleid",
    columns: {
      systemuserroleid: { type: "Uniqueidentifier" },
      systemuserid: { type: "Uniqueidentifier" },
      roleid: { type: "Uniqueidentifier" },
    },
  },
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/privilege
    logicalName: "privilege",
    privilegeName: "Role",
    entitySetName: "privileges",
    primaryId: "privilegeid",
    primaryName: "name",
    columns: { privilegeid: { type: "Uniqueidentifier" }, name: { type: "String", maxLength: 100 } },
  },
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/roleprivileges
    // privilegedepthmask: 1 Basic (user), 2 Local (business unit), 4 Deep (parent: child BUs), 8 Global.
    logicalName: "roleprivileges",
    privilegeName: "Role",
    entitySetName: "roleprivilegescollection",
    primaryId: "roleprivilegeid",
    primaryName: "roleprivilegeid",
    columns: {
      roleprivilegeid: { type: "Uniqueidentifier" },
      roleid: { type: "Uniqueidentifier" },
      privilegeid: { type: "Uniqueidentifier" },
      privilegedepthmask: { type: "Integer" },
    },
  },
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/fieldsecurityprofile
    logicalName: "fieldsecurityprofile",
    privilegeName: "FieldSecurityProfile",
    entitySetName: "fieldsecurityprofiles",
    primaryId: "fieldsecurityprofileid",
    primaryName: "name",
    columns: { fieldsecurityprofileid: { type: "Uniqueidentifier" }, name: { type: "String", maxLength: 256 } },
  },
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/systemuserprofiles
    logicalName: "systemuserprofiles",
    privilegeName: "FieldSecurityProfile",
    entitySetName: "systemuserprofilescollection",
    primaryId: "systemuserprofileid",
    primaryName: "systemuserprofileid",
    columns: {
      systemuserprofileid: { type: "Uniqueidentifier" },
      systemuserid: { type: "Uniqueidentifier" },
      fieldsecurityprofileid: { type: "Uniqueidentifier" },
    },
  },
];

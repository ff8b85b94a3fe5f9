/**
 * The platform tables the local Dataverse serves, as data: Dataverse's own logical names, entity sets, columns and
 * single-valued navigation properties (case-sensitive, exactly as the Web API $metadata names them). The solution's
 * tables and its columns on these tables come from solution/src (solution-tables.ts); nothing here is ct_.
 * https://learn.microsoft.com/power-apps/developer/data-platform/reference/about-entity-reference
 */
import type { Spec, TableSpec } from "./table-types";

/** Owner lookups point at a user or a team (the `principal` base type): one `ownerid` navigation property. */
const OWNER: Spec = { type: "Owner", targets: ["systemuser", "team"], nav: { ownerid: ["systemuser", "team"] } };

const audit: Record<string, Spec> = {
  createdon: { type: "DateTime", readOnly: true },
  modifiedon: { type: "DateTime", readOnly: true },
  /** Settable on create to backdate `createdon` (data migration), as Dataverse allows. */
  overriddencreatedon: { type: "DateTime" },
  ownerid: OWNER,
};

const activity = (logicalName: string, entitySetName: string): TableSpec => ({
  logicalName,
  entitySetName,
  primaryId: "activityid",
  primaryName: "subject",
  privilegeName: "Activity",
  columns: {
    activityid: { type: "Uniqueidentifier" },
    subject: { type: "String", maxLength: 400 },
    activitytypecode: { type: "String", readOnly: true },
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/phonecall#BKMK_regardingobjectid_account_phonecall
    regardingobjectid: {
      type: "Lookup",
      targets: ["account", "contact", "opportunity"],
      nav: {
        [`regardingobjectid_account_${logicalName}`]: "account",
        [`regardingobjectid_contact_${logicalName}`]: "contact",
        [`regardingobjectid_opportunity_${logicalName}`]: "opportunity",
      },
    },
    statecode: { type: "State", options: { 0: "Open", 1: "Completed", 2: "Canceled", 3: "Scheduled" } },
    statuscode: { type: "Status", options: { 1: "Open", 2: "Completed", 3: "Canceled", 4: "Scheduled" } },
    actualstart: { type: "DateTime" },
    actualend: { type: "DateTime" },
    scheduledend: { type: "DateTime" },
    description: { type: "Memo" },
    ...audit,
  },
  defaults: { statecode: 0, statuscode: 1, activitytypecode: logicalName },
});

/**
 * The activity tables, and activitypointer: Dataverse's base activity table, in which every row of every activity
 * type appears (one row per activity, same activityid, `activitytypecode` naming its type), so one query can read
 * all activity types at once. It is a view over the activity tables here, not a copy; it cannot be written directly.
 * https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/activitypointer
 * https://learn.microsoft.com/power-apps/developer/data-platform/activity-entities
 */
export const ACTIVITY_TABLES: [string, string][] = [
  ["phonecall", "phonecalls"],
  ["appointment", "appointments"],
  ["email", "emails"],
  // The tier programme's follow-ups (issue 9): a task for the new service rep, or for the owner when an account leaves.
  ["task", "tasks"],
];

const activityPointer = (): TableSpec => {
  const spec = activity("activitypointer", "activitypointers");
  const regarding = { ...spec.columns.regardingobjectid, nav: undefined };
  return {
    ...spec,
    columns: { ...spec.columns, regardingobjectid: regarding, ownerid: { ...OWNER, nav: undefined } },
    defaults: {},
    viewOf: ACTIVITY_TABLES.map(([t]) => t),
  };
};

const active = {
  statecode: { type: "State", options: { 0: "Active", 1: "Inactive" } },
  statuscode: { type: "Status", options: { 1: "Active", 2: "Inactive" } },
} satisfies Record<string, Spec>;

export const PLATFORM_TABLES: TableSpec[] = [
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/account
    logicalName: "account",
    entitySetName: "accounts",
    primaryId: "accountid",
    primaryName: "name",
    privilegeName: "Account",
    columns: {
      accountid: { type: "Uniqueidentifier" },
      name: { type: "String", maxLength: 160 },
      ...active,
      ...audit,
    },
    defaults: { statecode: 0, statuscode: 1 },
  },
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/contact#BKMK_parentcustomerid_account
    logicalName: "contact",
    entitySetName: "contacts",
    primaryId: "contactid",
    primaryName: "fullname",
    privilegeName: "Contact",
    columns: {
      contactid: { type: "Uniqueidentifier" },
      firstname: { type: "String", maxLength: 50 },
      lastname: { type: "String", maxLength: 50 },
      fullname: { type: "String", maxLength: 160 },
      parentcustomerid: {
        type: "Customer",
        targets: ["account", "contact"],
        nav: { parentcustomerid_account: "account", parentcustomerid_contact: "contact" },
      },
      ...active,
      ...audit,
    },
    defaults: { statecode: 0, statuscode: 1 },
  },
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/invoice#BKMK_customerid_account
    logicalName: "invoice",
    entitySetName: "invoices",
    primaryId: "invoiceid",
    primaryName: "name",
    privilegeName: "Invoice",
    columns: {
      invoiceid: { type: "Uniqueidentifier" },
      name: { type: "String", maxLength: 300 },
      customerid: {
        type: "Customer",
        targets: ["account", "contact"],
        nav: { customerid_account: "account", customerid_contact: "contact" },
      },
      totalamount: { type: "Money" },
      statecode: { type: "State", options: { 0: "Active", 1: "Closed", 2: "Paid", 3: "Canceled" } },
      statuscode: {
        type: "Status",
        options: {
          1: "New",
          2: "Partially Shipped",
          4: "Billed",
          5: "Booked",
          6: "Installed",
          100001: "Complete",
          100002: "Partial",
          100003: "Canceled",
        },
      },
      ...audit,
    },
    defaults: { statecode: 0, statuscode: 1 },
  },
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/opportunity
    logicalName: "opportunity",
    entitySetName: "opportunities",
    primaryId: "opportunityid",
    primaryName: "name",
    privilegeName: "Opportunity",
    columns: {
      opportunityid: { type: "Uniqueidentifier" },
      name: { type: "String", maxLength: 300 },
      customerid: {
        type: "Customer",
        targets: ["account", "contact"],
        nav: { customerid_account: "account", customerid_contact: "contact" },
      },
      statecode: { type: "State", options: { 0: "Open", 1: "Won", 2: "Lost" } },
      statuscode: {
        type: "Status",
        options: { 1: "In Progress", 2: "On Hold", 3: "Won", 4: "Canceled", 5: "Out-Sold" },
      },
      actualvalue: { type: "Money" },
      estimatedvalue: { type: "Money" },
      closeprobability: { type: "Integer" },
      actualclosedate: { type: "DateTime", dateOnly: true },
      estimatedclosedate: { type: "DateTime", dateOnly: true },
      ...audit,
    },
    defaults: { statecode: 0, statuscode: 1 },
  },
  ...ACTIVITY_TABLES.map(([t, set]) => activity(t, set)),
  activityPointer(),
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/systemuser
    // The privilege names use "User" (prvReadUser), not the table's name.
    logicalName: "systemuser",
    entitySetName: "systemusers",
    primaryId: "systemuserid",
    primaryName: "fullname",
    privilegeName: "User",
    columns: {
      systemuserid: { type: "Uniqueidentifier" },
      fullname: { type: "String", maxLength: 200 },
      internalemailaddress: { type: "String", maxLength: 100 },
      isdisabled: { type: "Boolean" },
      // An application user's Microsoft Entra application (client) ID.
      // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/systemuser
      applicationid: { type: "Uniqueidentifier" },
      createdon: { type: "DateTime", readOnly: true },
      modifiedon: { type: "DateTime", readOnly: true },
    },
    defaults: { isdisabled: false },
  },
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/team (the columns the
    // tier programme reads: a policy's team of service reps).
    logicalName: "team",
    entitySetName: "teams",
    primaryId: "teamid",
    primaryName: "name",
    privilegeName: "Team",
    columns: {
      teamid: { type: "Uniqueidentifier" },
      name: { type: "String", maxLength: 160 },
      createdon: { type: "DateTime", readOnly: true },
      modifiedon: { type: "DateTime", readOnly: true },
    },
  },
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/teammembership
    // The N:N intersect table of teams and users; its two ids are plain uniqueidentifiers, read with a FetchXML
    // link-entity. Dataverse fills it through associate requests only; the local Dataverse also takes a plain
    // create, so tests and seeds can add members. Reading it needs read on teams.
    logicalName: "teammembership",
    entitySetName: "teammemberships",
    primaryId: "teammembershipid",
    primaryName: "teammembershipid",
    privilegeName: "Team",
    columns: {
      teammembershipid: { type: "Uniqueidentifier" },
      teamid: { type: "Uniqueidentifier" },
      systemuserid: { type: "Uniqueidentifier" },
    },
  },
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/serviceendpoint
    logicalName: "serviceendpoint",
    entitySetName: "serviceendpoints",
    primaryId: "serviceendpointid",
    primaryName: "name",
    privilegeName: "ServiceEndpoint",
    columns: {
      serviceendpointid: { type: "Uniqueidentifier" },
      name: { type: "String", maxLength: 256 },
      url: { type: "String", maxLength: 2000 },
      contract: {
        type: "Picklist",
        options: {
          1: "OneWay",
          2: "Queue",
          3: "Rest",
          4: "TwoWay",
          5: "Topic",
          6: "Queue (Persistent)",
          7: "Event Hub",
          8: "Webhook",
          9: "EventGrid",
        },
      },
      authtype: {
        type: "Picklist",
        options: { 1: "ACS", 2: "SASKey", 3: "SASToken", 4: "WebhookKey", 5: "HttpHeader", 6: "HttpQueryString" },
      },
      authvalue: { type: "Memo", writeOnly: true },
      createdon: { type: "DateTime", readOnly: true },
      modifiedon: { type: "DateTime", readOnly: true },
    },
    defaults: { contract: 8, authtype: 4 },
  },
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/asyncoperation
    logicalName: "asyncoperation",
    entitySetName: "asyncoperations",
    primaryId: "asyncoperationid",
    primaryName: "name",
    privilegeName: "AsyncOperation",
    columns: {
      asyncoperationid: { type: "Uniqueidentifier" },
      name: { type: "String", maxLength: 256 },
      operationtype: { type: "Picklist", options: { 1: "System Event" } },
      statecode: { type: "State", options: { 0: "Ready", 1: "Suspended", 2: "Locked", 3: "Completed" } },
      statuscode: {
        type: "Status",
        options: {
          0: "Waiting For Resources",
          10: "Waiting",
          20: "In Progress",
          21: "Pausing",
          22: "Canceling",
          30: "Succeeded",
          31: "Failed",
          32: "Canceled",
        },
      },
      message: { type: "Memo" },
      friendlymessage: { type: "Memo" },
      errorcode: { type: "Integer" },
      primaryentitytype: { type: "String" },
      messagename: { type: "String" },
      data: { type: "Memo" },
      owningextensionid: { type: "Lookup", targets: ["sdkmessageprocessingstep"] },
      regardingobjectid: {
        type: "Lookup",
        targets: [
          "account",
          "contact",
          "invoice",
          "opportunity",
          "phonecall",
          "appointment",
          "email",
          "ct_tiermodel",
          "ct_tierpolicy",
          "ct_tierhistory",
        ],
      },
      completedon: { type: "DateTime" },
      createdon: { type: "DateTime", readOnly: true },
      modifiedon: { type: "DateTime", readOnly: true },
    },
    defaults: {},
  },
];

/**
 * Privilege names of platform tables the local Dataverse does not serve, which roles may still name
 * (https://learn.microsoft.com/power-platform/admin/security-roles-privileges). A role naming anything else that is
 * neither here nor derived from a served table fails to load, as the import would.
 */
export const OTHER_PRIVILEGES = ["prvReadTransactionCurrency", "prvReadBusinessUnit", "prvReadOrganization"];

/**
 * Table and column definitions the sandbox serves. Types follow Dataverse's attribute types
 * (https://learn.microsoft.com/power-apps/developer/data-platform/webapi/web-api-types-operations#primitive-types)
 * so `$select`, `$filter`, FetchXML and the webhook context type-check and format values like the real service.
 */
import { CHANNEL_OPTIONS, TIER_OPTIONS, TREND_OPTIONS } from "../src/engine/choices";

export type ColumnType =
  | "Uniqueidentifier"
  | "String"
  | "Memo"
  | "Integer"
  | "Decimal"
  | "Money"
  | "DateTime"
  | "Boolean"
  | "Lookup"
  | "Customer"
  | "Owner"
  | "Picklist"
  | "State"
  | "Status";

export interface ColumnDef {
  name: string;
  type: ColumnType;
  /** Lookup targets (logical names); several for Customer / regarding lookups. */
  targets?: string[];
  /** Choice labels by value (Picklist, State, Status). */
  options?: Record<number, string>;
  /** Computed by the platform (e.g. `_base` money, createdon): ignored on write like Dataverse does. */
  readOnly?: boolean;
  /** Settable but never returned (serviceendpoint.authvalue holds the webhook key). */
  writeOnly?: boolean;
  /** DateOnly behaviour: formatted without a time part. */
  dateOnly?: boolean;
  maxLength?: number;
  /** For Money columns: the `<name>_base` column kept equal to value / exchange rate (1 here). */
  base?: string;
}

export interface TableDef {
  logicalName: string;
  entitySetName: string;
  primaryId: string;
  primaryName: string;
  columns: Map<string, ColumnDef>;
  /** Single-valued navigation property (`x@odata.bind`) → [lookup column, target table]. */
  navigation: Map<string, { column: string; target: string }>;
  /** Default values set on create (e.g. statecode 0), like the platform does. */
  defaults: Record<string, unknown>;
  /** A read-only view over the rows of these tables (activitypointer over the activity tables): no rows of its own. */
  viewOf?: string[];
}

const labels = <K extends string>(map: Record<K, number>): Record<number, string> =>
  Object.fromEntries(Object.entries(map).map(([k, v]) => [v as number, k]));

const TIER = labels(TIER_OPTIONS);
const TREND = labels(TREND_OPTIONS);
const CHANNEL = labels(CHANNEL_OPTIONS);

type Spec = Omit<ColumnDef, "name"> & { nav?: Record<string, string> };

interface TableSpec {
  logicalName: string;
  entitySetName: string;
  primaryId: string;
  primaryName: string;
  columns: Record<string, Spec>;
  defaults?: Record<string, unknown>;
  viewOf?: string[];
}

const audit: Record<string, Spec> = {
  createdon: { type: "DateTime", readOnly: true },
  modifiedon: { type: "DateTime", readOnly: true },
  /** Settable on create to backdate `createdon` (data migration), as Dataverse allows. */
  overriddencreatedon: { type: "DateTime" },
  ownerid: { type: "Owner", targets: ["systemuser"], nav: { ownerid: "systemuser" } },
};

const activity = (logicalName: string, entitySetName: string): TableSpec => ({
  logicalName,
  entitySetName,
  primaryId: "activityid",
  primaryName: "subject",
  columns: {
    activityid: { type: "Uniqueidentifier" },
    subject: { type: "String", maxLength: 400 },
    activitytypecode: { type: "String", readOnly: true },
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
const ACTIVITY_TABLES: [string, string][] = [
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
    columns: { ...spec.columns, regardingobjectid: regarding },
    defaults: {},
    viewOf: ACTIVITY_TABLES.map(([t]) => t),
  };
};

const SPECS: TableSpec[] = [
  {
    logicalName: "account",
    entitySetName: "accounts",
    primaryId: "accountid",
    primaryName: "name",
    columns: {
      accountid: { type: "Uniqueidentifier" },
      name: { type: "String", maxLength: 160 },
      statecode: { type: "State", options: { 0: "Active", 1: "Inactive" } },
      statuscode: { type: "Status", options: { 1: "Active", 2: "Inactive" } },
      ct_tier: { type: "Picklist", options: TIER },
      ct_computedtier: { type: "Picklist", options: TIER },
      ct_previoustier: { type: "Picklist", options: TIER },
      ct_tieroverride: { type: "Picklist", options: TIER },
      ct_tierscore: { type: "Decimal" },
      ct_tierreason: { type: "Memo" },
      ct_tiercalculatedon: { type: "DateTime" },
      ct_tierchangedon: { type: "DateTime" },
      ct_tieroverridereason: { type: "String", maxLength: 400 },
      ct_tieroverrideuntil: { type: "DateTime", dateOnly: true },
      ct_trend: { type: "Picklist", options: TREND },
      ct_trenddelta: { type: "Decimal" },
      ct_revenue12m: { type: "Money" },
      ct_lasttouchon: { type: "DateTime", dateOnly: true },
      ct_nexttouchdue: { type: "DateTime", dateOnly: true },
      ct_cadencedays: { type: "Integer" },
      ct_touchchannel: { type: "Picklist", options: CHANNEL },
      ct_overtouched: { type: "Boolean" },
      ct_servicerepid: {
        type: "Lookup",
        targets: ["systemuser"],
        nav: { ct_servicerepid: "systemuser", ct_ServiceRepId: "systemuser" },
      },
      ...audit,
    },
    defaults: { statecode: 0, statuscode: 1 },
  },
  {
    logicalName: "contact",
    entitySetName: "contacts",
    primaryId: "contactid",
    primaryName: "fullname",
    columns: {
      contactid: { type: "Uniqueidentifier" },
      fullname: { type: "String", maxLength: 160 },
      parentcustomerid: {
        type: "Customer",
        targets: ["account", "contact"],
        nav: { parentcustomerid_account: "account", parentcustomerid_contact: "contact" },
      },
      statecode: { type: "State", options: { 0: "Active", 1: "Inactive" } },
      statuscode: { type: "Status", options: { 1: "Active", 2: "Inactive" } },
      ...audit,
    },
    defaults: { statecode: 0, statuscode: 1 },
  },
  {
    logicalName: "invoice",
    entitySetName: "invoices",
    primaryId: "invoiceid",
    primaryName: "name",
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
    logicalName: "opportunity",
    entitySetName: "opportunities",
    primaryId: "opportunityid",
    primaryName: "name",
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
    logicalName: "systemuser",
    entitySetName: "systemusers",
    primaryId: "systemuserid",
    primaryName: "fullname",
    columns: {
      systemuserid: { type: "Uniqueidentifier" },
      fullname: { type: "String", maxLength: 200 },
      internalemailaddress: { type: "String", maxLength: 100 },
      isdisabled: { type: "Boolean" },
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
    // link-entity. Dataverse fills it through associate requests only; the sandbox also takes a plain create, so
    // tests and seeds can add members.
    logicalName: "teammembership",
    entitySetName: "teammemberships",
    primaryId: "teammembershipid",
    primaryName: "teammembershipid",
    columns: {
      teammembershipid: { type: "Uniqueidentifier" },
      teamid: { type: "Uniqueidentifier" },
      systemuserid: { type: "Uniqueidentifier" },
    },
  },
  {
    logicalName: "ct_tiermodel",
    entitySetName: "ct_tiermodels",
    primaryId: "ct_tiermodelid",
    primaryName: "ct_name",
    columns: {
      ct_tiermodelid: { type: "Uniqueidentifier" },
      ct_name: { type: "String", maxLength: 100 },
      ct_modeljson: { type: "Memo" },
      ct_cutpointsjson: { type: "Memo" },
      ct_kpiquantilesjson: { type: "Memo" },
      ct_previewsamplejson: { type: "Memo" },
      ct_modelstatus: { type: "String", maxLength: 2000 },
      ct_lastrerankon: { type: "DateTime" },
      ct_rerankaccountcount: { type: "Integer" },
      statecode: { type: "State", options: { 0: "Active", 1: "Inactive" } },
      statuscode: { type: "Status", options: { 1: "Active", 2: "Inactive" } },
      ...audit,
    },
    defaults: { statecode: 0, statuscode: 1 },
  },
  {
    logicalName: "ct_tierpolicy",
    entitySetName: "ct_tierpolicies",
    primaryId: "ct_tierpolicyid",
    primaryName: "ct_name",
    columns: {
      ct_tierpolicyid: { type: "Uniqueidentifier" },
      ct_name: { type: "String", maxLength: 100 },
      ct_tier: { type: "Picklist", options: TIER },
      ct_cadencedays: { type: "Integer" },
      ct_touchchannel: { type: "Picklist", options: CHANNEL },
      ct_gracedays: { type: "Integer" },
      ct_touchdormant: { type: "Boolean" },
      ct_serviceprivileges: { type: "Memo" },
      ct_responsetimehours: { type: "Integer" },
      ct_servicerepteamid: {
        type: "Lookup",
        targets: ["team"],
        nav: { ct_servicerepteamid: "team", ct_ServiceRepTeamId: "team" },
      },
      statecode: { type: "State", options: { 0: "Active", 1: "Inactive" } },
      statuscode: { type: "Status", options: { 1: "Active", 2: "Inactive" } },
      ...audit,
    },
    defaults: { statecode: 0, statuscode: 1 },
  },
  {
    logicalName: "ct_tierhistory",
    entitySetName: "ct_tierhistories",
    primaryId: "ct_tierhistoryid",
    primaryName: "ct_name",
    columns: {
      ct_tierhistoryid: { type: "Uniqueidentifier" },
      ct_name: { type: "String", maxLength: 100 },
      ct_accountid: { type: "Lookup", targets: ["account"], nav: { ct_accountid: "account", ct_AccountId: "account" } },
      ct_fromtier: { type: "Picklist", options: TIER },
      ct_totier: { type: "Picklist", options: TIER },
      ct_score: { type: "Decimal" },
      ct_reason: { type: "Memo" },
      ct_source: { type: "Picklist", options: { 100000000: "rerank", 100000001: "save", 100000002: "override" } },
      ct_changedon: { type: "DateTime" },
      statecode: { type: "State", options: { 0: "Active", 1: "Inactive" } },
      statuscode: { type: "Status", options: { 1: "Active", 2: "Inactive" } },
      ...audit,
    },
    defaults: { statecode: 0, statuscode: 1 },
  },
  {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/serviceendpoint
    logicalName: "serviceendpoint",
    entitySetName: "serviceendpoints",
    primaryId: "serviceendpointid",
    primaryName: "name",
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

function build(spec: TableSpec): TableDef {
  const columns = new Map<string, ColumnDef>();
  const navigation = new Map<string, { column: string; target: string }>();
  for (const [name, { nav, ...col }] of Object.entries(spec.columns)) {
    if (col.type === "Money") {
      const base = `${name}_base`;
      columns.set(name, { name, ...col, base });
      columns.set(base, { name: base, type: "Money", readOnly: true });
    } else {
      columns.set(name, { name, ...col });
    }
    for (const [navName, target] of Object.entries(nav ?? {})) navigation.set(navName, { column: name, target });
  }
  return { ...spec, columns, navigation, defaults: spec.defaults ?? {} };
}

export class Metadata {
  readonly tables = new Map<string, TableDef>();
  private readonly bySet = new Map<string, TableDef>();

  constructor(specs: TableSpec[] = SPECS) {
    for (const spec of specs) {
      const def = build(spec);
      this.tables.set(def.logicalName, def);
      this.bySet.set(def.entitySetName, def);
    }
  }

  table(logicalName: string): TableDef | undefined {
    return this.tables.get(logicalName);
  }

  bySetName(entitySetName: string): TableDef | undefined {
    return this.bySet.get(entitySetName);
  }
}

export const isLookup = (c: ColumnDef): boolean => c.type === "Lookup" || c.type === "Customer" || c.type === "Owner";
export const isChoice = (c: ColumnDef): boolean => c.type === "Picklist" || c.type === "State" || c.type === "Status";
export const isNumeric = (c: ColumnDef): boolean =>
  c.type === "Integer" || c.type === "Decimal" || c.type === "Money" || isChoice(c);

/** The Edm type name Dataverse reports for a column, used in error messages. */
export function edmType(c: ColumnDef): string {
  switch (c.type) {
    case "Uniqueidentifier":
    case "Lookup":
    case "Customer":
    case "Owner":
      return "Edm.Guid";
    case "String":
    case "Memo":
      return "Edm.String";
    case "Integer":
    case "Picklist":
    case "State":
    case "Status":
      return "Edm.Int32";
    case "Decimal":
    case "Money":
      return "Edm.Decimal";
    case "DateTime":
      return c.dateOnly ? "Edm.Date" : "Edm.DateTimeOffset";
    case "Boolean":
      return "Edm.Boolean";
  }
}

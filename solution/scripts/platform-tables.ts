/**
 * Platform tables the service reads and writes but the solution does not define: their Web API entity set names,
 * the columns the service uses and the single-valued navigation properties it binds, as the Dataverse table
 * reference names them (case-sensitive).
 * https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/account (and .../contact,
 * .../invoice, .../opportunity, .../activitypointer, .../task, .../systemuser, .../team, .../teammembership)
 * Columns the solution adds to a platform table (account's ct_ columns) come from solution/src, not from here.
 */
export interface PlatformTable {
  entitySet: string;
  columns: readonly string[];
  /** Navigation property → the tables it may point at. */
  navigation: Record<string, readonly string[]>;
}

const activity = (table: string): PlatformTable => ({
  entitySet: `${table}s`,
  columns: ["activityid", "regardingobjectid", "statecode", "statuscode", "actualend", "subject"],
  navigation: { [`regardingobjectid_account_${table}`]: ["account"] },
});

export const PLATFORM_TABLES: Record<string, PlatformTable> = {
  account: {
    entitySet: "accounts",
    columns: ["accountid", "name", "statecode", "statuscode", "ownerid", "primarycontactid", "modifiedon", "createdon"],
    navigation: {},
  },
  contact: {
    entitySet: "contacts",
    columns: ["contactid", "fullname", "parentcustomerid", "statecode"],
    navigation: { parentcustomerid_account: ["account"] },
  },
  invoice: {
    entitySet: "invoices",
    columns: ["invoiceid", "name", "customerid", "statecode", "totalamount", "totalamount_base", "createdon"],
    navigation: { customerid_account: ["account"], customerid_contact: ["contact"] },
  },
  opportunity: {
    entitySet: "opportunities",
    columns: [
      "opportunityid",
      "name",
      "customerid",
      "statecode",
      "actualvalue",
      "actualvalue_base",
      "estimatedvalue",
      "estimatedvalue_base",
      "closeprobability",
      "actualclosedate",
    ],
    navigation: { customerid_account: ["account"], customerid_contact: ["contact"] },
  },
  phonecall: activity("phonecall"),
  appointment: activity("appointment"),
  email: activity("email"),
  activitypointer: {
    entitySet: "activitypointers",
    columns: ["activityid", "activitytypecode", "regardingobjectid", "statecode", "actualend"],
    navigation: {},
  },
  task: {
    entitySet: "tasks",
    columns: ["activityid", "subject", "description", "scheduledend", "prioritycode", "ownerid", "regardingobjectid"],
    navigation: { ownerid: ["systemuser", "team"], regardingobjectid_account_task: ["account"] },
  },
  systemuser: {
    entitySet: "systemusers",
    columns: ["systemuserid", "fullname", "isdisabled", "accessmode"],
    navigation: {},
  },
  team: { entitySet: "teams", columns: ["teamid", "name"], navigation: {} },
  teammembership: {
    entitySet: "teammemberships",
    columns: ["teammembershipid", "teamid", "systemuserid"],
    navigation: {},
  },
};

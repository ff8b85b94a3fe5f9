/**
 * Platform columns the solution refers to but does not define, with their metadata types, from the
 * Dataverse table reference (https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/account,
 * .../invoice, .../opportunity, .../phonecall, .../appointment, .../email).
 */
const activity = { regardingobjectid: "lookup", statecode: "state", actualend: "datetime" };

export const SYSTEM_COLUMNS: Record<string, Record<string, string>> = {
  account: {
    accountid: "primarykey",
    name: "nvarchar",
    telephone1: "nvarchar",
    emailaddress1: "nvarchar",
    address1_city: "nvarchar",
    primarycontactid: "lookup",
    ownerid: "owner",
    statecode: "state",
    statuscode: "status",
  },
  invoice: {
    customerid: "customer",
    totalamount: "money",
    totalamount_base: "money",
    statecode: "state",
    createdon: "datetime",
  },
  opportunity: {
    customerid: "customer",
    statecode: "state",
    actualvalue: "money",
    actualvalue_base: "money",
    estimatedvalue: "money",
    estimatedvalue_base: "money",
    closeprobability: "int",
    actualclosedate: "datetime",
  },
  phonecall: activity,
  appointment: activity,
  email: activity,
};

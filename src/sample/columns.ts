/** Header rows of the export folder (docs/export-folder.md), Dataverse logical names in the order the sample writes them. */
export const SAMPLE_FILES = {
  accounts: { file: "accounts.csv", header: ["accountid", "name", "statecode"] },
  invoices: { file: "invoices.csv", header: ["invoiceid", "customerid", "totalamount_base", "statecode", "createdon"] },
  opportunities: {
    file: "opportunities.csv",
    header: [
      "opportunityid",
      "customerid",
      "statecode",
      "actualvalue_base",
      "estimatedvalue_base",
      "closeprobability",
      "actualclosedate",
      "estimatedclosedate",
    ],
  },
  activities: {
    file: "activities.csv",
    header: ["activityid", "regardingobjectid", "activitytypecode", "statecode", "actualend"],
  },
} as const satisfies Record<string, { file: string; header: readonly string[] }>;

export type SampleFile = keyof typeof SAMPLE_FILES;

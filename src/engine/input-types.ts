/**
 * Source rows the engine reads, named after their Dataverse logical names (docs/data-model.md, docs/export-folder.md).
 * Instants are epoch milliseconds (UTC); money is the `_base` column, so mixed currencies add up.
 */

export interface AccountRow {
  accountid: string;
  name?: string;
  statecode: number;
  /** Stored tier code (ct_tier), if the account was ranked before. */
  ct_tier?: string | null;
  ct_tierchangedon?: number | null;
  ct_lasttouchon?: number | null;
  ct_tieroverride?: string | null;
  ct_tieroverridereason?: string | null;
  ct_tieroverrideuntil?: number | null;
}

export interface InvoiceRow {
  customerid: string;
  totalamount_base: number;
  statecode: number;
  createdon: number;
}

export interface OpportunityRow {
  customerid: string;
  statecode: number;
  actualvalue_base: number | null;
  estimatedvalue_base: number | null;
  closeprobability: number | null;
  actualclosedate: number | null;
}

export interface ActivityRow {
  regardingobjectid: string;
  activitytypecode: string;
  statecode: number;
  actualend: number | null;
}

export interface EngineInput {
  accounts: AccountRow[];
  invoices: Iterable<InvoiceRow>;
  opportunities: Iterable<OpportunityRow>;
  activities: Iterable<ActivityRow>;
}

import type { AccountRow, ActivityRow, EngineInput, InvoiceRow, OpportunityRow } from "../../src/engine";
import { parseInstant } from "../../src/engine";

/** Terse row builders for hand-made populations. Dates are ISO strings for readability. */
export const at = (iso: string): number => {
  const t = parseInstant(iso);
  if (Number.isNaN(t)) throw new Error(`bad date in test: ${iso}`);
  return t;
};

export const account = (id: string, extra: Partial<AccountRow> = {}): AccountRow => ({
  accountid: id,
  name: `Account ${id}`,
  statecode: 0,
  ...extra,
});
export const invoice = (customerid: string, amount: number, createdon: string, statecode = 2): InvoiceRow => ({
  customerid,
  totalamount_base: amount,
  statecode,
  createdon: at(createdon),
});
export const won = (customerid: string, value: number, closed: string): OpportunityRow => ({
  customerid,
  statecode: 1,
  actualvalue_base: value,
  estimatedvalue_base: value,
  closeprobability: 100,
  actualclosedate: at(closed),
});
export const open = (customerid: string, estimated: number, probability: number): OpportunityRow => ({
  customerid,
  statecode: 0,
  actualvalue_base: null,
  estimatedvalue_base: estimated,
  closeprobability: probability,
  actualclosedate: null,
});
export const touch = (regardingobjectid: string, type: string, actualend: string, statecode = 1): ActivityRow => ({
  regardingobjectid,
  activitytypecode: type,
  statecode,
  actualend: at(actualend),
});

export function input(
  accounts: AccountRow[],
  invoices: InvoiceRow[] = [],
  opportunities: OpportunityRow[] = [],
  activities: ActivityRow[] = [],
): EngineInput {
  return { accounts, invoices, opportunities, activities };
}

/** n accounts "a00".."a{n-1}", each with one paid invoice of the given amounts inside the window of 2024-01-01. */
export function ladder(amounts: number[]): EngineInput {
  const accounts = amounts.map((_, i) => account(`a${String(i).padStart(2, "0")}`));
  return input(
    accounts,
    amounts.map((amt, i) => invoice(accounts[i].accountid, amt, "2023-06-15")),
  );
}

import { STATE, tierFromOption } from "../engine/choices";
import type { AccountRow, ActivityRow, InvoiceRow, OpportunityRow } from "../engine/input-types";
import {
  amount,
  CellError,
  instant,
  optionalInstant,
  optionalNumber,
  optionalPercent,
  required,
  state,
  text,
} from "./cells";
import {
  amountBytes,
  instantBytes,
  optionalInstantBytes,
  optionalNumberBytes,
  optionalPercentBytes,
  presentBytes,
  requiredTextBytes,
  stateBytes,
  textBytes,
  type BytesParser,
} from "./cell-bytes";
import type { ColumnSpec, TableSpec } from "./read-table";

/** The tables of the export folder (docs/export-folder.md), their columns and how each cell is read. */

const col = (name: string, parse: (cell: string) => unknown, isRequired = true, bytes?: BytesParser): ColumnSpec => ({
  name,
  parse,
  required: isRequired,
  ...(bytes && { bytes }),
});

/** The row tables' columns read from bytes (src/export-reader/cell-bytes); the string rule stays the reference. */
const fast = (name: string, parse: (cell: string) => unknown, bytes: BytesParser): ColumnSpec =>
  col(name, parse, true, bytes);

/** A tier cell holds a code (AAA) or the `ct_tier` option value (100000000), as a Dataverse export may. */
function tierCell(cell: string): string | null {
  if (cell === "") return null;
  if (/^\d+$/.test(cell)) {
    const code = tierFromOption(Number(cell));
    if (!code) throw new CellError(`unknown ct_tier option value ${cell}`);
    return code;
  }
  return cell;
}

export const ACCOUNTS: TableSpec<AccountRow> = {
  file: "accounts.csv",
  columns: [
    fast("accountid", required, requiredTextBytes),
    col("name", text, false, textBytes),
    fast("statecode", state(STATE.account), stateBytes(STATE.account)),
    col("ct_tier", tierCell, false),
    col("ct_tierchangedon", optionalInstant, false, optionalInstantBytes),
    col("ct_lasttouchon", optionalInstant, false, optionalInstantBytes),
    col("ct_tieroverride", tierCell, false),
    col("ct_tieroverridereason", text, false),
    col("ct_tieroverrideuntil", optionalInstant, false),
  ],
  toRow: (v) => ({
    accountid: v[0] as string,
    name: v[1] as string,
    statecode: v[2] as number,
    ct_tier: v[3] as string | null,
    ct_tierchangedon: v[4] as number | null,
    ct_lasttouchon: v[5] as number | null,
    ct_tieroverride: v[6] as string | null,
    ct_tieroverridereason: (v[7] as string) || null,
    ct_tieroverrideuntil: v[8] as number | null,
  }),
};

export const INVOICES: TableSpec<InvoiceRow> = {
  file: "invoices.csv",
  columns: [
    fast("invoiceid", required, presentBytes), // checked, never read
    fast("customerid", required, requiredTextBytes),
    fast("totalamount_base", amount, amountBytes),
    fast("statecode", state(STATE.invoice), stateBytes(STATE.invoice)),
    fast("createdon", instant, instantBytes),
  ],
  toRow: (v) => ({
    customerid: v[1] as string,
    totalamount_base: v[2] as number,
    statecode: v[3] as number,
    createdon: v[4] as number,
  }),
};

export const OPPORTUNITIES: TableSpec<OpportunityRow> = {
  file: "opportunities.csv",
  columns: [
    fast("opportunityid", required, presentBytes),
    fast("customerid", required, requiredTextBytes),
    fast("statecode", state(STATE.opportunity), stateBytes(STATE.opportunity)),
    fast("actualvalue_base", optionalNumber, optionalNumberBytes),
    fast("estimatedvalue_base", optionalNumber, optionalNumberBytes),
    fast("closeprobability", optionalPercent, optionalPercentBytes),
    fast("actualclosedate", optionalInstant, optionalInstantBytes),
    fast("estimatedclosedate", optionalInstant, optionalInstantBytes),
  ],
  toRow: (v) => ({
    customerid: v[1] as string,
    statecode: v[2] as number,
    actualvalue_base: v[3] as number | null,
    estimatedvalue_base: v[4] as number | null,
    closeprobability: v[5] as number | null,
    actualclosedate: v[6] as number | null,
  }),
};

export const ACTIVITIES: TableSpec<ActivityRow> = {
  file: "activities.csv",
  columns: [
    fast("activityid", required, presentBytes),
    fast("regardingobjectid", text, textBytes),
    fast("activitytypecode", required, requiredTextBytes),
    fast("statecode", state(STATE.activity), stateBytes(STATE.activity)),
    fast("actualend", optionalInstant, optionalInstantBytes),
  ],
  toRow: (v) => ({
    regardingobjectid: v[1] as string,
    activitytypecode: v[2] as string,
    statecode: v[3] as number,
    actualend: v[4] as number | null,
  }),
};

/** One contact: the account it belongs to (design of docs/export-folder.md: contacts.csv is optional). */
export interface ContactRow {
  contactid: string;
  parentcustomerid: string;
}

export const CONTACTS: TableSpec<ContactRow> = {
  file: "contacts.csv",
  columns: [fast("contactid", required, requiredTextBytes), col("parentcustomerid", text, true, textBytes)],
  toRow: (v) => ({ contactid: v[0] as string, parentcustomerid: v[1] as string }),
};

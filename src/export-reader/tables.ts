import {
  ACTIVITY_CHANNELS,
  CHANNEL_OPTIONS,
  channelFromOption,
  STATE,
  tierFromOption,
  type Channel,
} from "../engine/choices";
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
  knownTextBytes,
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

/** An account id column of a row table: an account's rows are usually adjacent, so the id repeats (LastCell). */
const accountRef = (name: string, parse: (cell: string) => unknown, bytes: BytesParser): ColumnSpec => ({
  ...fast(name, parse, bytes),
  repeats: true,
});

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
    accountRef("customerid", required, requiredTextBytes),
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
    accountRef("customerid", required, requiredTextBytes),
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
    accountRef("regardingobjectid", text, textBytes),
    fast("activitytypecode", required, knownTextBytes(Object.keys(ACTIVITY_CHANNELS))),
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

/** Optional `tierpolicies.csv`: one `ct_tierpolicy` row per tier, the touch pattern (docs/touch-pattern.md). */
export interface TierPolicyRow {
  tier: string;
  statecode: number;
  cadenceDays: number;
  channel: Channel;
  graceDays: number | null;
  touchDormant: boolean | null;
}

function wholeDays(min: number): (cell: string) => number | null {
  return (cell) => {
    if (cell === "") return null;
    if (!/^\d+$/.test(cell) || Number(cell) < min || Number(cell) > 3650)
      throw new CellError(`"${cell}" is not a whole number of days from ${min} to 3650`);
    return Number(cell);
  };
}

/** A channel cell holds a name (call) or the `ct_touchchannel` option value (100000001). */
function channelCell(cell: string): Channel {
  const c = /^\d+$/.test(cell) ? channelFromOption(Number(cell)) : (cell.toLowerCase() as Channel);
  if (!c || !(c in CHANNEL_OPTIONS))
    throw new CellError(`unknown channel "${cell}" (expected ${Object.keys(CHANNEL_OPTIONS).join(", ")})`);
  return c;
}

/** A Two Options cell as Dataverse exports it (true/false, 1/0, yes/no); empty: the default. */
function optionalBoolean(cell: string): boolean | null {
  const c = cell.toLowerCase();
  if (c === "") return null;
  if (c === "true" || c === "1" || c === "yes") return true;
  if (c === "false" || c === "0" || c === "no") return false;
  throw new CellError(`"${cell}" is not true or false`);
}

export const TIER_POLICIES: TableSpec<TierPolicyRow> = {
  file: "tierpolicies.csv",
  columns: [
    col("ct_tier", (c) => required(tierCell(c) ?? "")),
    col("statecode", (c) => (c === "" ? 0 : state({ active: 0, inactive: 1 })(c)), false),
    col("ct_cadencedays", (c) => {
      const v = wholeDays(1)(c);
      if (v === null) throw new CellError("is empty; a value is required");
      return v;
    }),
    col("ct_touchchannel", channelCell),
    col("ct_gracedays", wholeDays(0), false),
    col("ct_touchdormant", optionalBoolean, false),
  ],
  toRow: (v) => ({
    tier: v[0] as string,
    statecode: v[1] as number,
    cadenceDays: v[2] as number,
    channel: v[3] as Channel,
    graceDays: v[4] as number | null,
    touchDormant: v[5] as boolean | null,
  }),
};

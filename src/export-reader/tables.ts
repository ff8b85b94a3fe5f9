import { CHANNEL_OPTIONS, channelFromOption, STATE, tierFromOption, type Channel } from "../engine/choices";
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
import type { ColumnSpec, TableSpec } from "./read-table";

/** The four tables of the export folder (design.md §5), their columns and how each cell is read. */

const col = (name: string, parse: (cell: string) => unknown, isRequired = true): ColumnSpec => ({
  name,
  parse,
  required: isRequired,
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
    col("accountid", required),
    col("name", text, false),
    col("statecode", state(STATE.account)),
    col("ct_tier", tierCell, false),
    col("ct_tierchangedon", optionalInstant, false),
    col("ct_lasttouchon", optionalInstant, false),
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
    col("invoiceid", required),
    col("customerid", required),
    col("totalamount_base", amount),
    col("statecode", state(STATE.invoice)),
    col("createdon", instant),
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
    col("opportunityid", required),
    col("customerid", required),
    col("statecode", state(STATE.opportunity)),
    col("actualvalue_base", optionalNumber),
    col("estimatedvalue_base", optionalNumber),
    col("closeprobability", optionalPercent),
    col("actualclosedate", optionalInstant),
    col("estimatedclosedate", optionalInstant),
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
    col("activityid", required),
    col("regardingobjectid", text),
    col("activitytypecode", required),
    col("statecode", state(STATE.activity)),
    col("actualend", optionalInstant),
  ],
  toRow: (v) => ({
    regardingobjectid: v[1] as string,
    activitytypecode: v[2] as string,
    statecode: v[3] as number,
    actualend: v[4] as number | null,
  }),
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

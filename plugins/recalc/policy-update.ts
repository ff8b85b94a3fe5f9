import {
  CHANNEL_OPTIONS,
  isoDate,
  policyFor,
  TIER_OPTIONS,
  touchCadence,
  type TierCode,
  type TouchPolicy,
} from "../../src/engine";
import type { DataverseGateway, Row } from "../dataverse/gateway";
import { entitySet } from "../dataverse/metadata";
import type { Logger } from "../log";
import { readPolicies, touchPolicies } from "../programme/policies";
import { instant } from "./facts";
import { attribute, cond, order } from "../dataverse/fetchxml";

/** UpdateMultiple takes up to 1,000 records a request. https://learn.microsoft.com/power-apps/developer/data-platform/bulk-operations */
export const UPDATE_MULTIPLE_LIMIT = 1000;
/** FetchXML returns at most 5,000 rows a page. https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/page-results */
const PAGE = 5000;

export interface PolicyApplied {
  tier: string | null;
  accounts: number;
  written: number;
  requests: number;
}

function accountsOfTier(tier: TierCode, page: number): string {
  return (
    `<fetch page="${page}" count="${PAGE}"><entity name="account">` +
    [
      "accountid",
      "ct_lasttouchon",
      "ct_tierchangedon",
      "ct_tierreason",
      "ct_nexttouchdue",
      "ct_cadencedays",
      "ct_touchchannel",
    ]
      .map(attribute)
      .join("") +
    `<filter>${cond("statecode", "eq", 0)}${cond("ct_tier", "eq", TIER_OPTIONS[tier])}</filter>` +
    `${order("accountid")}</entity></fetch>`
  );
}

/** Whether the account's last calculation found it active in the window (its explanation's rule is not "inactive"). */
function activeInWindow(row: Row): boolean {
  try {
    const reason = JSON.parse(String(row.ct_tierreason ?? "{}")) as { rule?: { kind?: string } };
    return reason.rule?.kind !== "inactive";
  } catch {
    return true;
  }
}

/** The touch columns an account of `policy`'s tier should hold today, or null when they already do. */
function touchTarget(row: Row, policy: TouchPolicy, asOf: number): Row | null {
  const c = touchCadence(
    policy,
    {
      lastTouchOn: instant(row.ct_lasttouchon, "account.ct_lasttouchon"),
      tierChangedOn: instant(row.ct_tierchangedon, "account.ct_tierchangedon"),
      activeInWindow: activeInWindow(row),
    },
    asOf,
  );
  const want: Row = {
    ct_cadencedays: c.days,
    ct_touchchannel: CHANNEL_OPTIONS[c.channel],
    ct_nexttouchdue: c.nextTouchDue === null ? null : isoDate(c.nextTouchDue),
  };
  const have = {
    ct_cadencedays: row.ct_cadencedays ?? null,
    ct_touchchannel: row.ct_touchchannel ?? null,
    ct_nexttouchdue:
      row.ct_nexttouchdue == null ? null : isoDate(instant(row.ct_nexttouchdue, "account.ct_nexttouchdue")!),
  };
  if (Object.keys(want).every((k) => want[k] === have[k as keyof typeof have])) return null;
  return { "@odata.type": "Microsoft.Dynamics.CRM.account", accountid: row.accountid, ...want };
}

/**
 * A saved tier policy reaches every account of its tier: each active account of the tier gets the pattern's cadence,
 * channel and next due date, written with UpdateMultiple in requests of up to 1,000 accounts. The newest active
 * policy of the tier is the one applied (as the save path reads it), so a save of an older duplicate changes nothing.
 */
export async function applyPolicy(
  gateway: DataverseGateway,
  policyId: string,
  asOf: number,
  log: Logger,
): Promise<PolicyApplied> {
  const result: PolicyApplied = { tier: null, accounts: 0, written: 0, requests: 0 };
  const row = await gateway.retrieve("ct_tierpolicy", policyId, ["ct_tier", "statecode"]);
  result.requests++;
  const tier = Object.entries(TIER_OPTIONS).find(([, v]) => v === row?.ct_tier)?.[0] as TierCode | undefined;
  if (!row || !tier) return result;
  result.tier = tier;
  const policy = policyFor(touchPolicies(await readPolicies(gateway)), tier);
  result.requests++;
  const targets: Row[] = [];
  for (let page = 1; ; page++) {
    const res = await gateway.fetch("account", accountsOfTier(tier, page));
    result.requests++;
    result.accounts += res.rows.length;
    for (const r of res.rows) {
      const t = touchTarget(r, policy, asOf);
      if (t) targets.push(t);
    }
    if (!res.moreRecords || res.rows.length === 0) break;
  }
  for (let i = 0; i < targets.length; i += UPDATE_MULTIPLE_LIMIT) {
    const batch = targets.slice(i, i + UPDATE_MULTIPLE_LIMIT);
    await gateway.commit([
      {
        method: "POST",
        path: `${entitySet("account")}/Microsoft.Dynamics.CRM.UpdateMultiple`,
        body: { Targets: batch },
      },
    ]);
    result.requests++;
    result.written += batch.length;
  }
  log.info({ tier, accounts: result.accounts, written: result.written }, "tier policy applied to its accounts");
  return result;
}

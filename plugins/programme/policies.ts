import {
  channelFromOption,
  policySet,
  PolicyValueError,
  tierFromOption,
  touchPolicy,
  type PolicySet,
  type TouchPolicy,
} from "../../src/engine";
import type { DataverseGateway, Row } from "../dataverse/gateway";

/** One active `ct_tierpolicy` row, as the programme uses it. */
export interface TierPolicy {
  id: string;
  tier: string;
  /** ct_servicerepteamid: the team whose members are assigned as service rep; null: no rep for this tier. */
  repTeamId: string | null;
  responseTimeHours: number | null;
  privileges: string | null;
  /** The tier's touch pattern (cadence, channel, grace days, dormant rule). */
  touch: TouchPolicy;
}

export const POLICY_COLUMNS = [
  "ct_tierpolicyid",
  "ct_tier",
  "_ct_servicerepteamid_value",
  "ct_responsetimehours",
  "ct_serviceprivileges",
  "ct_cadencedays",
  "ct_touchchannel",
  "ct_gracedays",
  "ct_touchdormant",
  "modifiedon",
] as const;

/** The columns that make up the touch pattern: the policy step filters on them (solution/src/SdkMessageProcessingSteps). */
export const PATTERN_COLUMNS = ["ct_cadencedays", "ct_touchchannel", "ct_gracedays", "ct_touchdormant"] as const;

export class PolicyError extends Error {
  override name = "PolicyError";
}

/**
 * The active policies by tier code. Read on every tier change (rare next to saves), so an edit by sales ops
 * applies to the next entry. Two active rows for one tier: the newest wins, as on the form's default view.
 */
export async function readPolicies(gateway: DataverseGateway): Promise<Map<string, TierPolicy>> {
  const rows = await gateway.query(
    "ct_tierpolicy",
    `?$select=${POLICY_COLUMNS.join(",")}&$filter=statecode eq 0&$orderby=modifiedon desc`,
  );
  const out = new Map<string, TierPolicy>();
  for (const row of rows) {
    const policy = policyFromRow(row);
    if (policy && !out.has(policy.tier)) out.set(policy.tier, policy);
  }
  return out;
}

export function policyFromRow(row: Row): TierPolicy | null {
  const id = String(row.ct_tierpolicyid);
  const tier = typeof row.ct_tier === "number" ? tierFromOption(row.ct_tier) : undefined;
  if (!tier) return null;
  const hours = row.ct_responsetimehours;
  if (hours != null && (typeof hours !== "number" || !Number.isInteger(hours) || hours < 1)) {
    throw new PolicyError(
      `ct_tierpolicy ${id}: ct_responsetimehours must be a whole number of hours ≥ 1 (got ${JSON.stringify(hours)})`,
    );
  }
  const team = row._ct_servicerepteamid_value;
  let touch: TouchPolicy;
  try {
    const channel = typeof row.ct_touchchannel === "number" ? channelFromOption(row.ct_touchchannel) : undefined;
    touch = touchPolicy(`ct_tierpolicy ${id}`, tier, {
      cadenceDays: row.ct_cadencedays,
      channel: channel ?? row.ct_touchchannel,
      graceDays: row.ct_gracedays,
      touchDormant: row.ct_touchdormant,
    });
  } catch (e) {
    if (e instanceof PolicyValueError) throw new PolicyError(e.message);
    throw e;
  }
  return {
    touch,
    id,
    tier,
    repTeamId: typeof team === "string" && team ? team.toLowerCase() : null,
    responseTimeHours: typeof hours === "number" ? hours : null,
    privileges: typeof row.ct_serviceprivileges === "string" ? row.ct_serviceprivileges : null,
  };
}

/** The touch pattern of every tier: the active policy rows over the defaults (a tier without a row keeps its default). */
export function touchPolicies(policies: ReadonlyMap<string, TierPolicy>): PolicySet {
  return policySet([...policies.values()].map((p) => p.touch));
}

import { TIER_OPTIONS, type TierCode } from "../../src/engine";
import { agg, cond, inList } from "../dataverse/fetchxml";
import type { DataverseGateway } from "../dataverse/gateway";

export interface Rep {
  id: string;
  name: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function guid(id: string, what: string): string {
  if (!GUID.test(id)) throw new Error(`${what}: "${id}" is not a GUID`);
  return id.toLowerCase();
}

/**
 * The enabled users of a team, through the teammembership intersect table.
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/join-tables#many-to-many-relationships
 */
export async function teamMembers(gateway: DataverseGateway, teamId: string): Promise<Rep[]> {
  const fetchXml =
    `<fetch><entity name="systemuser"><attribute name="systemuserid"/><attribute name="fullname"/>` +
    `<filter>${cond("isdisabled", "eq", 0)}</filter>` +
    `<link-entity name="teammembership" from="systemuserid" to="systemuserid" intersect="true" link-type="inner">` +
    `<filter>${cond("teamid", "eq", guid(teamId, "ct_servicerepteamid"))}</filter>` +
    `</link-entity></entity></fetch>`;
  const { rows } = await gateway.fetch("systemuser", fetchXml);
  return rows.map((r) => ({
    id: String(r.systemuserid).toLowerCase(),
    name: typeof r.fullname === "string" ? r.fullname : "",
  }));
}

/** Active accounts of `tier` each rep serves now (FetchXML count grouped by ct_servicerepid). */
export async function repLoads(
  gateway: DataverseGateway,
  tier: string,
  reps: readonly Rep[],
): Promise<Map<string, number>> {
  const loads = new Map(reps.map((r) => [r.id, 0]));
  if (reps.length === 0) return loads;
  const option = (TIER_OPTIONS as Record<string, number>)[tier as TierCode];
  if (option === undefined) throw new Error(`tier "${tier}" has no option in the ct_tier choice`);
  const fetchXml =
    `<fetch aggregate="true"><entity name="account">` +
    `${agg("accountid", "accounts", "count")}<attribute name="ct_servicerepid" alias="rep" groupby="true" />` +
    `<filter>${cond("statecode", "eq", 0)}${cond("ct_tier", "eq", option)}` +
    `${inList(
      "ct_servicerepid",
      reps.map((r) => guid(r.id, "systemuserid")),
    )}</filter></entity></fetch>`;
  const { rows } = await gateway.fetch("account", fetchXml);
  for (const row of rows) {
    const rep = String(row.rep ?? row._ct_servicerepid_value ?? "").toLowerCase();
    if (loads.has(rep)) loads.set(rep, Number(row.accounts));
  }
  return loads;
}

/** Fewest accounts first; ties by name, then id, so every run and every process picks the same rep. */
export function pickRep(reps: readonly Rep[], loads: ReadonlyMap<string, number>): Rep | null {
  let best: Rep | null = null;
  for (const r of reps) {
    if (!best) {
      best = r;
      continue;
    }
    const d = (loads.get(r.id) ?? 0) - (loads.get(best.id) ?? 0);
    if (d < 0 || (d === 0 && compareNames(r, best) < 0)) best = r;
  }
  return best;
}

const compareNames = (a: Rep, b: Rep): number =>
  a.name.localeCompare(b.name, "en", { sensitivity: "base" }) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

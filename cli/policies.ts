import { existsSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_GRACE_DAYS, DEFAULT_POLICY_SET, policySet, type PolicySet, type TouchPolicy } from "../src/engine";
import { readTable, RowError } from "../src/export-reader/read-table";
import { TIER_POLICIES } from "../src/export-reader/tables";

/**
 * The touch pattern per tier for a CLI run: the export folder's `tierpolicies.csv` (the active `ct_tierpolicy` rows)
 * when it is there, else the solution's defaults. Tiers the file leaves out keep their default policy.
 */
export async function readPolicies(dir: string): Promise<PolicySet> {
  if (!existsSync(join(dir, TIER_POLICIES.file))) return DEFAULT_POLICY_SET;
  const found = new Map<string, { policy: TouchPolicy; record: number }>();
  await readTable(dir, TIER_POLICIES, (row, record) => {
    if (row.statecode !== 0) return;
    const before = found.get(row.tier);
    if (before)
      throw new RowError(
        "ct_tier",
        `a second active policy for tier ${row.tier} (the first is on line {line})`,
        before.record,
      );
    found.set(row.tier, {
      record,
      policy: {
        tier: row.tier,
        cadenceDays: row.cadenceDays,
        channel: row.channel,
        graceDays: row.graceDays ?? DEFAULT_GRACE_DAYS,
        touchDormant: row.touchDormant ?? false,
      },
    });
  });
  return policySet([...found.values()].map((f) => f.policy));
}

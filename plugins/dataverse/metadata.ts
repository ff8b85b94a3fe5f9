import { TABLES } from "./schema.generated";

/**
 * The slice of Dataverse metadata the service needs: entity set names (so dataverse-ify never asks
 * `EntityDefinitions` for them) and the account columns it reads and writes (docs/data-model.md, docs/dataverse-contract.md).
 */
/** Entity set names of every table the service uses, from the generated schema (solution/src). */
export const ENTITY_SETS: Record<string, string> = Object.fromEntries(
  Object.entries(TABLES).map(([table, t]) => [table, t.entitySet]),
);

export const ACCOUNT_STATE_COLUMNS = [
  "statecode",
  "ct_tier",
  "ct_tierchangedon",
  "ct_tieroverride",
  "ct_tieroverridereason",
  "ct_tieroverrideuntil",
  "ct_lasttouchon",
] as const;

/** Columns the recalculation writes; also read, to write only what changed. */
export const ACCOUNT_RESULT_COLUMNS = [
  "ct_computedtier",
  "ct_tierscore",
  "ct_tierreason",
  "ct_tiercalculatedon",
  "ct_previoustier",
  "ct_trend",
  "ct_trenddelta",
  "ct_revenue12m",
  "ct_nexttouchdue",
  "ct_cadencedays",
  "ct_touchchannel",
  "ct_overtouched",
] as const;

/** Columns holding a date only (solution: Format date, Behavior DateOnly): the Web API takes and returns "YYYY-MM-DD". */
export const DATE_ONLY_COLUMNS = new Set(["ct_nexttouchdue", "ct_tieroverrideuntil", "ct_lasttouchon"]);

/** Account update columns that trigger a re-evaluation (the override, docs/tier-model.md). */
export const OVERRIDE_COLUMNS = ["ct_tieroverride", "ct_tieroverridereason", "ct_tieroverrideuntil"] as const;

export { TIER_CHANGE_SOURCE_OPTIONS as TIER_HISTORY_SOURCE } from "../../src/engine/choices";

export function entitySet(logicalName: string): string {
  const set = ENTITY_SETS[logicalName];
  if (!set) throw new Error(`no entity set known for table "${logicalName}"`);
  return set;
}

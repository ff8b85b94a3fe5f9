import {
  CHANNEL_OPTIONS,
  TIER_OPTIONS,
  TREND_OPTIONS,
  isoDate,
  isoInstant,
  tierFromOption,
  type AccountFacts,
  type AccountOutcome,
  type StoredState,
  type TierCode,
} from "../../src/engine";
import type { Row } from "../dataverse/gateway";
import { DATE_ONLY_COLUMNS, TIER_HISTORY_SOURCE } from "../dataverse/metadata";
import { instant } from "./facts";
import { bind } from "../dataverse/schema";

/** `ct_tierreason` is a 4,000-character text column. */
export const REASON_MAX = 4000;

export class TierCodeError extends Error {
  override name = "TierCodeError";
}

function tierOption(code: string, column: string): number {
  const v = (TIER_OPTIONS as Record<string, number>)[code];
  if (v === undefined)
    throw new TierCodeError(
      `${column}: tier "${code}" has no option in the ct_tier choice (${Object.keys(TIER_OPTIONS).join(", ")})`,
    );
  return v;
}

const optionTier = (v: unknown): string | null => (typeof v === "number" ? (tierFromOption(v) ?? null) : null);

/** A date-only value as "YYYY-MM-DD" (the Web API form), from text, Date or epoch ms. */
function dateOf(v: unknown): string | null {
  const t = instant(v, "date");
  return t === null ? null : isoDate(t);
}

/** What the account holds today, as the engine reads it. */
export function storedState(row: Row): StoredState {
  return {
    tier: optionTier(row.ct_tier),
    changedOn: instant(row.ct_tierchangedon, "account.ct_tierchangedon"),
    override: optionTier(row.ct_tieroverride),
    overrideReason: typeof row.ct_tieroverridereason === "string" ? row.ct_tieroverridereason : null,
    overrideUntil: instant(row.ct_tieroverrideuntil, "account.ct_tieroverrideuntil"),
  };
}

export type AccountValues = Record<string, string | number | boolean | null>;

/** The explanation without its `asOf`, which changes on every run and alone is no reason to write. */
function reasonText(o: AccountOutcome): string {
  const text = JSON.stringify(o.explanation);
  if (text.length > REASON_MAX)
    throw new RangeError(`ct_tierreason: explanation is ${text.length} characters, above ${REASON_MAX}`);
  return text;
}

/** The account columns an outcome sets (docs/data-model.md), in Web API form. */
export function accountValues(o: AccountOutcome, facts: AccountFacts, current: Row, asOf: number): AccountValues {
  const v: AccountValues = {
    ct_tier: tierOption(o.stored.tier, "ct_tier"),
    ct_computedtier: tierOption(o.computedTier, "ct_computedtier"),
    ct_tierscore: o.score,
    ct_tierreason: reasonText(o),
    ct_tierchangedon: isoInstant(o.stored.changedOn),
    ct_trend: TREND_OPTIONS[o.trend.code],
    ct_trenddelta: o.trend.delta,
    ct_revenue12m: facts.monetary,
    // A date-only column (solution: Format date, Behavior DateOnly). What the engine counted, as the re-rank writes
    // it: a stored touch dated after asOf is not one.
    ct_lasttouchon: facts.lastTouchOn === null ? null : isoDate(facts.lastTouchOn),
    ct_nexttouchdue: o.cadence.nextTouchDue === null ? null : isoDate(o.cadence.nextTouchDue),
    ct_cadencedays: o.cadence.days,
    ct_touchchannel: CHANNEL_OPTIONS[o.cadence.channel],
    ct_tiercalculatedon: isoInstant(asOf),
  };
  // Only a path that counted the touches judges over-touching; the others leave the flag as it is.
  if (o.cadence.overTouched !== null) v.ct_overtouched = o.cadence.overTouched;
  // The tier before the last change: set when the stored tier changes, kept otherwise.
  v.ct_previoustier =
    o.stored.changed && o.stored.previousTier
      ? tierOption(o.stored.previousTier, "ct_previoustier")
      : ((current.ct_previoustier as number | null | undefined) ?? null);
  return v;
}

function same(column: string, want: string | number | boolean | null, have: unknown): boolean {
  if (want === null || have === null || have === undefined)
    return want === null && (have === null || have === undefined);
  if (typeof want === "number") return typeof have === "number" && Math.abs(want - have) < 1e-9;
  if (typeof want === "boolean") return want === have;
  if (column === "ct_tierreason") {
    try {
      const a = JSON.parse(want) as Record<string, unknown>;
      const b = JSON.parse(String(have)) as Record<string, unknown>;
      return JSON.stringify({ ...a, asOf: null }) === JSON.stringify({ ...b, asOf: null });
    } catch {
      return false;
    }
  }
  if (DATE_ONLY_COLUMNS.has(column)) return dateOf(want) === dateOf(have);
  if (/on$/.test(column)) {
    const a = instant(want, column);
    const b = instant(have, column);
    // Dataverse keeps date-times to the second.
    return a !== null && b !== null && Math.floor(a / 1000) === Math.floor(b / 1000);
  }
  return want === have;
}

/** Columns whose value differs from the row; ct_tiercalculatedon is written with them, never alone. */
export function changedColumns(want: AccountValues, current: Row): string[] {
  return Object.keys(want).filter((c) => c !== "ct_tiercalculatedon" && !same(c, want[c], current[c]));
}

export function historyRow(
  o: AccountOutcome,
  accountId: string,
  asOf: number,
  trigger: string,
): Record<string, unknown> {
  const source =
    o.stored.rule.kind === "override" || trigger === "override"
      ? TIER_HISTORY_SOURCE.override
      : TIER_HISTORY_SOURCE.save;
  const from = o.stored.previousTier;
  return {
    // The primary name cannot be field-secured, so it names no tier (issue 17); ct_fromtier/ct_totier are secured.
    ct_name: `Tier change ${isoDate(o.stored.changedOn ?? asOf)}`,
    ...Object.fromEntries([bind("ct_tierhistory", "ct_AccountId", "account", accountId)]),
    ct_fromtier: from ? tierOption(from, "ct_fromtier") : null,
    ct_totier: tierOption(o.stored.tier, "ct_totier"),
    ct_score: o.score,
    ct_reason: reasonText(o),
    ct_source: source,
    ct_changedon: isoInstant(o.stored.changedOn ?? asOf),
  };
}

export type { TierCode };

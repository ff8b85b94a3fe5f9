import { channelFromOption, tierFromOption, trendFromOption, type Trend } from "../engine/choices";
import type { KpiContribution, KpiName, TierExplanation } from "../engine/explanation-types";
import { calendarDaysFrom, parseIsoDate } from "./dates";
import { parseExplanation } from "./explanation";
import type { IInputs } from "./generated/ManifestTypes";
import { badgeColors } from "./palette";
import type { PolicyState } from "./policy";
import { makeTranslate, type Translate } from "./strings";

/** The parts of the PCF context the badge reads; a full ComponentFramework.Context<IInputs> fits. */
export interface BadgeContext {
  parameters: IInputs;
  formatting: Pick<
    ComponentFramework.Formatting,
    "formatCurrency" | "formatDateShort" | "formatDecimal" | "formatInteger"
  >;
  resources: Pick<ComponentFramework.Resources, "getString">;
  mode: Pick<ComponentFramework.Mode, "isControlDisabled" | "allocatedWidth">;
  client: Pick<ComponentFramework.Client, "getFormFactor">;
}

/** Narrower than this (px), the automatic layout turns compact: quick-view forms and side panes. */
export const COMPACT_BELOW_PX = 320;
/** ComponentFramework.Client.getFormFactor(): 0 unknown, 1 desktop, 2 tablet, 3 phone. */
const FORM_FACTOR_PHONE = 3;

export interface TierView {
  label: string;
  background: string;
  foreground: string;
  /** "Calculated tier: A", shown on hover/focus. */
  computed?: string;
}
export interface ScoreView {
  value: number;
  text: string;
  label: string;
  valueText: string;
}
/** What the trend line says: the engine's code, or "small" for a stable code over clearly different quarters. */
type TrendKind = Trend | "small";

export interface TrendView {
  code: Trend;
  label: string;
  srLabel: string;
  tooltip: string;
}
export interface DueView {
  text: string;
  relative: string;
  overdue: boolean;
}
export interface OverrideView {
  tag: string;
  detail: string;
}
/** The tier's service privileges and response-time target (ct_tierpolicy), or why they are not shown. */
export interface PolicyView {
  /** The line under the badge. */
  line: string;
  title: string;
  privileges?: string;
  response?: string;
  status: PolicyState["status"] | "none";
}
export type WhyView =
  | {
      ok: true;
      button: string;
      title: string;
      summary: string;
      lines: string[];
      rule: string;
      held?: string;
      close: string;
    }
  | { ok: false; button: string; title: string; message: string; problem: string; close: string };

export type BadgeBody =
  | { kind: "restricted"; text: string; hint: string }
  | { kind: "empty"; text: string; hint: string }
  | {
      kind: "ranked";
      tier: TierView;
      score?: ScoreView;
      trend?: TrendView;
      cadence?: string;
      due?: DueView;
      lastTouch?: string;
      override?: OverrideView;
      why?: WhyView;
      policy?: PolicyView;
    };

export interface BadgeModel {
  groupLabel: string;
  compact: boolean;
  disabled: boolean;
  body: BadgeBody;
  /** "Tier model invalid: …" while the active model row's JSON cannot be used (ct_modelstatus). */
  warning?: string;
}

/** Formats an amount in the organisation's base currency. */
type Money = (amount: number) => string;

/**
 * Amounts through context.formatting.formatCurrency with the base currency's symbol the form gives the control
 * (https://learn.microsoft.com/power-apps/developer/component-framework/reference/formatting/formatcurrency);
 * without one, a plain number rather than a guessed currency.
 */
function moneyFormat(f: BadgeContext["formatting"], symbol: string | null | undefined): Money {
  const s = symbol?.trim();
  return s ? (amount) => f.formatCurrency(amount, 0, s) : (amount) => f.formatDecimal(amount, 0);
}

type Prop = { raw: unknown; security?: ComponentFramework.PropertyHelper.SecurityValues };
/** A field the user may not read (field security) counts as empty. */
const readable = <P extends Prop>(p: P | undefined): P["raw"] | null =>
  p && p.security?.readable !== false && p.raw != null ? p.raw : null;

export function isCompact(ctx: BadgeContext): boolean {
  const layout = ctx.parameters.layout?.raw ?? "auto";
  if (layout === "compact") return true;
  if (layout === "standard") return false;
  const width = ctx.mode.allocatedWidth;
  return (width > 0 && width < COMPACT_BELOW_PX) || ctx.client.getFormFactor() === FORM_FACTOR_PHONE;
}

/**
 * Everything the badge shows, already localised and formatted; `today` is the user's current date, `modelIssue` the
 * cause of an invalid active model (null or undefined: none known), `policy` the
 * tier's ct_tierpolicy as far as it is known (undefined: not asked for).
 */
export function buildBadgeModel(
  ctx: BadgeContext,
  today: Date,
  policy?: PolicyState,
  modelIssue?: string | null,
): BadgeModel {
  const t = makeTranslate(ctx.resources);
  const disabled = ctx.mode.isControlDisabled;
  const base = {
    groupLabel: t(disabled ? "Group_LabelReadOnly" : "Group_Label"),
    compact: isCompact(ctx),
    disabled,
    ...(modelIssue ? { warning: t("Model_Invalid", modelIssue) } : {}),
  };
  const p = ctx.parameters;

  // Field security hides ct_tier: say so, and show nothing derived from the other tier columns either.
  if (p.tier.security?.readable === false) {
    return { ...base, body: { kind: "restricted", text: t("Tier_Restricted"), hint: t("Tier_RestrictedHint") } };
  }
  const tierValue = readable(p.tier);
  if (tierValue == null) {
    return { ...base, body: { kind: "empty", text: t("Tier_NotRanked"), hint: t("Tier_NotRankedHint") } };
  }

  const f = ctx.formatting;
  const money = moneyFormat(f, p.baseCurrency?.raw);
  const tier = tierView(p.tier, tierValue, readable(p.computedTier), p.computedTier, t);
  const explained = readable(p.reason);
  const parsed = explained ? parseExplanation(explained) : undefined;
  const explanation = parsed?.ok ? parsed.value : undefined;

  return {
    ...base,
    body: {
      kind: "ranked",
      tier,
      score: scoreView(readable(p.score), f, t),
      trend: trendView(readable(p.trend), explanation, money, t),
      cadence: cadenceText(readable(p.cadenceDays), readable(p.channel), p.channel, f, t),
      due: dueView(readable(p.nextTouchDue), today, f, t),
      lastTouch: lastTouchText(readable(p.lastTouchOn), f, t),
      override: overrideView(
        readable(p.override),
        readable(p.overrideReason),
        readable(p.overrideUntil),
        explanation,
        today,
        f,
        t,
      ),
      why:
        parsed &&
        (parsed.ok ? whyView(parsed.value, tier.label, money, f, t) : whyProblem(tier.label, parsed.problem, t)),
      policy: policy && policyView(policy, tier.label, f, t),
    },
  };
}

/** The choice's label in the user's language: option metadata, else the formatted value, else our code. */
function optionLabel(
  prop: ComponentFramework.PropertyTypes.OptionSetProperty,
  value: number,
  fallback: string | undefined,
): string {
  const option = prop.attributes?.Options?.find((o) => o.Value === value);
  // A formatted value that is only the number ("100,000,000", as hosts without metadata give) says less than our code.
  const formatted =
    prop.raw === value && !/^[\d\s.,'\u00a0\u202f]*$/.test(prop.formatted ?? "") ? prop.formatted : undefined;
  return option?.Label || formatted || fallback || prop.formatted || String(value);
}

function tierView(
  prop: ComponentFramework.PropertyTypes.OptionSetProperty,
  value: number,
  computedValue: number | null,
  computedProp: ComponentFramework.PropertyTypes.OptionSetProperty,
  t: Translate,
): TierView {
  const code = tierFromOption(value);
  const option = prop.attributes?.Options?.find((o) => o.Value === value);
  const colors = badgeColors(option?.Color, code);
  const view: TierView = { label: optionLabel(prop, value, code), ...colors };
  // Only worth a hover when override or hysteresis made the stored tier differ from the computed one.
  if (computedValue != null && computedValue !== value)
    view.computed = t("Tier_Computed", optionLabel(computedProp, computedValue, tierFromOption(computedValue)));
  return view;
}

function scoreView(score: number | null, f: BadgeContext["formatting"], t: Translate): ScoreView | undefined {
  if (score == null) return undefined;
  const value = Math.min(100, Math.max(0, score));
  const text = f.formatDecimal(score, 1);
  return { value, text, label: t("Score_Label"), valueText: t("Score_ValueText", text) };
}

/**
 * A "stable" code over quarters that differ by more than a tenth (the change was under the model's minimum amount)
 * reads "No clear trend": label and tooltip come from the same facts, so "Last quarter 0, usual quarter 724" is
 * never called stable.
 */
const CLEARLY_DIFFERENT = 0.1;

function trendKind(code: Trend, e: TierExplanation["trend"] | undefined): TrendKind {
  if (code !== "stable" || !e || e.code !== code) return code;
  const larger = Math.max(Math.abs(e.q0), Math.abs(e.baseline));
  return larger > 0 && Math.abs(e.q0 - e.baseline) > CLEARLY_DIFFERENT * larger ? "small" : "stable";
}

function trendView(
  value: number | null,
  explanation: TierExplanation | undefined,
  money: Money,
  t: Translate,
): TrendView | undefined {
  const code = trendFromOption(value);
  if (!code) return undefined;
  const e = explanation?.trend;
  const kind = trendKind(code, e);
  const label = t(`Trend_${kind}`);
  let tooltip = t(`TrendHint_${kind}`);
  if (e && e.code === code && code !== "insufficient") {
    tooltip += " " + t("Trend_Quarters", money(e.q0), money(e.baseline));
  }
  return { code, label, srLabel: t("Trend_Label", label), tooltip };
}

function cadenceText(
  days: number | null,
  channelValue: number | null,
  channelProp: ComponentFramework.PropertyTypes.OptionSetProperty,
  f: BadgeContext["formatting"],
  t: Translate,
): string | undefined {
  if (days == null || days <= 0) return undefined;
  const every = days === 1 ? t("Cadence_OneDay") : t("Cadence_Days", f.formatInteger(days));
  if (channelValue == null) return every;
  const code = channelFromOption(channelValue);
  // Our own strings for known channels keep "Every 14 days · Meeting" in one language; others use the option label.
  const channel = code ? t(`Channel_${code}`) : optionLabel(channelProp, channelValue, undefined);
  return `${every} · ${channel}`;
}

function dueView(date: Date | null, today: Date, f: BadgeContext["formatting"], t: Translate): DueView | undefined {
  if (!date) return undefined;
  const days = calendarDaysFrom(today, date);
  return { text: t("Due_Label", f.formatDateShort(date)), relative: relativeDue(days, f, t), overdue: days < 0 };
}

function relativeDue(days: number, f: BadgeContext["formatting"], t: Translate): string {
  if (days === 0) return t("Due_Today");
  if (days === 1) return t("Due_Tomorrow");
  if (days > 1) return t("Due_InDays", f.formatInteger(days));
  if (days === -1) return t("Overdue_OneDay");
  return t("Overdue_Days", f.formatInteger(-days));
}

function lastTouchText(date: Date | null, f: BadgeContext["formatting"], t: Translate): string | undefined {
  return date ? t("LastTouch_Label", f.formatDateShort(date)) : undefined;
}

function overrideView(
  value: number | null,
  reason: string | null,
  until: Date | null,
  explanation: TierExplanation | undefined,
  today: Date,
  f: BadgeContext["formatting"],
  t: Translate,
): OverrideView | undefined {
  if (value == null) return undefined;
  // The column wins; the explanation's copy fills in when the form does not bind ct_tieroverrideuntil.
  const rule = explanation?.stored?.rule;
  const end = until ?? (rule?.kind === "override" ? parseIsoDate(rule.until) : undefined);
  if (end && calendarDaysFrom(today, end) < 0) return undefined; // expired: the stored tier no longer follows it
  const why = reason?.trim() || (rule?.kind === "override" ? rule.reason : "");
  const parts = [
    why ? t("Override_Reason", why) : undefined,
    end ? t("Override_Until", f.formatDateShort(end)) : t("Override_NoEnd"),
  ];
  return { tag: t("Override_Tag"), detail: parts.filter(Boolean).join(" · ") };
}

/** KPIs in base currency (docs/tier-model.md); the others are a count (frequency) and days (recency). */
const MONEY_KPIS: ReadonlySet<KpiName> = new Set(["monetary", "pipeline", "won"]);

/** One KPI's line; a KPI with nothing in the window says so in words instead of "0. Better than 31 %". */
function kpiLine(k: KpiContribution, money: Money, f: BadgeContext["formatting"], t: Translate): string {
  const points = f.formatDecimal(k.points, 1);
  if (k.value == null || (k.value === 0 && k.kpi !== "recency"))
    return t("Kpi_NoneLine", t(`KpiNone_${k.kpi}`), points);
  let value: string;
  if (k.kpi === "recency") value = t("Kpi_Days", f.formatInteger(k.value));
  else if (MONEY_KPIS.has(k.kpi)) value = money(k.value);
  else value = f.formatInteger(k.value);
  return t("Kpi_Line", t(`Kpi_${k.kpi}`), value, f.formatInteger(Math.round(k.pct)), points);
}

function ruleText(e: TierExplanation, f: BadgeContext["formatting"], t: Translate): string {
  const r = e.rule;
  switch (r.kind) {
    case "inactive":
      return t("Rule_inactive");
    case "percentile":
      return r.cut == null ? t("Rule_percentileBelow") : t("Rule_percentile", e.tier, f.formatDecimal(r.cut, 1));
    case "pareto":
      return r.share == null ? t("Rule_paretoRest") : t("Rule_pareto", f.formatInteger(Math.round(r.share * 100)));
    case "threshold":
      return r.minScore == null ? t("Rule_thresholdBelow") : t("Rule_threshold", f.formatDecimal(r.minScore, 0));
  }
}

function whyView(
  e: TierExplanation,
  tierLabel: string,
  money: Money,
  f: BadgeContext["formatting"],
  t: Translate,
): WhyView {
  const asOf = parseIsoDate(e.asOf);
  const stored = e.stored?.rule;
  const held =
    stored?.kind === "held" ? t(stored.reason === "margin" ? "Held_margin" : "Held_minDays", tierLabel) : undefined;
  return {
    ok: true,
    button: t("Why_Button"),
    title: t("Why_Title", tierLabel),
    summary: t("Why_Summary", f.formatDecimal(e.score, 1), asOf ? f.formatDateShort(asOf) : e.asOf),
    lines: e.kpis.map((k) => kpiLine(k, money, f, t)),
    rule: ruleText(e, f, t),
    held,
    close: t("Why_Close"),
  };
}

function whyProblem(tierLabel: string, problem: string, t: Translate): WhyView {
  return {
    ok: false,
    button: t("Why_Button"),
    title: t("Why_Title", tierLabel),
    message: t("Why_Invalid"),
    problem,
    close: t("Why_Close"),
  };
}

function policyView(state: PolicyState, tierLabel: string, f: BadgeContext["formatting"], t: Translate): PolicyView {
  const title = t("Policy_Title", tierLabel);
  if (state.status === "loading") return { status: "loading", title, line: t("Policy_Loading") };
  if (state.status === "unavailable") return { status: "unavailable", title, line: t("Policy_Unavailable") };
  const p = state.policy;
  const privileges = p?.privileges ? t("Policy_Privileges", p.privileges) : undefined;
  const response = p?.responseTimeHours ? t("Policy_Response", f.formatInteger(p.responseTimeHours)) : undefined;
  if (!privileges && !response) return { status: "none", title, line: t("Policy_None") };
  return { status: "ready", title, privileges, response, line: [privileges, response].filter(Boolean).join(" · ") };
}

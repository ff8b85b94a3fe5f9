/**
 * Keys of the control's UI strings in strings/TierBadge.<lcid>.resx, read through context.resources.getString.
 * The resx test checks that every language file holds exactly these keys (plus the manifest's display keys).
 */
export const STRING_KEYS = [
  "Group_Label",
  "Group_LabelReadOnly",
  "Tier_Restricted",
  "Tier_RestrictedHint",
  "Tier_NotRanked",
  "Tier_NotRankedHint",
  "Tier_Computed",
  "Score_Label",
  "Score_ValueText",
  "Trend_Label",
  "Trend_growing",
  "Trend_stable",
  "Trend_declining",
  "Trend_insufficient",
  "TrendHint_growing",
  "TrendHint_stable",
  "TrendHint_declining",
  "TrendHint_insufficient",
  "Trend_Quarters",
  "Channel_meeting",
  "Channel_call",
  "Channel_email",
  "Cadence_Days",
  "Cadence_OneDay",
  "Due_Label",
  "Due_Today",
  "Due_Tomorrow",
  "Due_InDays",
  "Overdue_OneDay",
  "Overdue_Days",
  "LastTouch_Label",
  "Override_Tag",
  "Override_Reason",
  "Override_Until",
  "Override_NoEnd",
  "Why_Button",
  "Why_Title",
  "Why_Summary",
  "Why_Invalid",
  "Why_Close",
  "Kpi_monetary",
  "Kpi_frequency",
  "Kpi_recency",
  "Kpi_pipeline",
  "Kpi_won",
  "Kpi_Days",
  "Kpi_None",
  "Kpi_Line",
  "Rule_inactive",
  "Rule_percentile",
  "Rule_percentileBelow",
  "Rule_pareto",
  "Rule_paretoRest",
  "Rule_threshold",
  "Rule_thresholdBelow",
  "Held_margin",
  "Held_minDays",
  "Policy_Title",
  "Policy_Privileges",
  "Policy_Response",
  "Policy_None",
  "Policy_Loading",
  "Policy_Unavailable",
] as const;

export type StringKey = (typeof STRING_KEYS)[number];

/** Looks a string up and fills its {0}, {1}… placeholders (already formatted by the caller). */
export type Translate = (key: StringKey, ...args: string[]) => string;

export function makeTranslate(resources: Pick<ComponentFramework.Resources, "getString">): Translate {
  return (key, ...args) =>
    resources.getString(key).replace(/\{(\d+)\}/g, (whole, index: string) => args[Number(index)] ?? whole);
}

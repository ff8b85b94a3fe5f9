/**
 * Keys of the editor's UI strings in strings/TierModelEditor.<lcid>.resx, read through context.resources.getString.
 * The resx test checks that every language file holds these keys (plus the manifest's display keys).
 */
export const EDITOR_STRING_KEYS = [
  "Editor_Label",
  "Section_Scoring",
  "Method_Label",
  "Method_percentile",
  "Method_pareto",
  "Method_thresholds",
  "Window_Label",
  "Weights_Title",
  "Weight_monetary",
  "Weight_frequency",
  "Weight_recency",
  "Weight_pipeline",
  "Weight_won",
  "Tiers_Title",
  "Tier_Share",
  "Tier_RevenueShare",
  "Tier_MinScore",
  "Tier_Last",
  "Hysteresis_Title",
  "Hysteresis_demotionMargin",
  "Hysteresis_minDaysInTier",
  "Trend_Title",
  "Trend_dropRatio",
  "Trend_riseRatio",
  "Trend_minAbsoluteChange",
  "Trend_baselineQuarters",
  "Status_Valid",
  "Status_Invalid",
  "Problem_General",
  "Problem_NotNumber",
  "Preview_Title",
  "Preview_None",
  "Preview_Broken",
  "Preview_Invalid",
  "Preview_Caption",
  "Preview_Window",
  "Col_Tier",
  "Col_Accounts",
  "Col_ActiveShare",
  "Col_RevenueShare",
  "Movement_Title",
  "Movement_Summary",
  "Movement_From",
  "Movement_NoTier",
] as const;

export type EditorStringKey = (typeof EDITOR_STRING_KEYS)[number];
export type EditorTranslate = (key: EditorStringKey, ...args: string[]) => string;

export function makeEditorTranslate(resources: Pick<ComponentFramework.Resources, "getString">): EditorTranslate {
  return (key, ...args) =>
    resources.getString(key).replace(/\{(\d+)\}/g, (whole, index: string) => args[Number(index)] ?? whole);
}

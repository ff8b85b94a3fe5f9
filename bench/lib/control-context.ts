import { readFileSync } from "node:fs";
import { CHANNEL_OPTIONS, TIER_OPTIONS, TREND_OPTIONS } from "../../src/engine/choices";
import type { TierExplanation } from "../../src/engine/explanation-types";
import type { IInputs } from "../../src/control/generated/ManifestTypes";
import type { BadgeContext } from "../../src/control/view-model";
import { repoRoot } from "./paths";

/**
 * A form's context for the TierBadge control, as the platform hands it to updateView: a ranked AAA account with
 * every field set (the heaviest render: pill, meter, trend, due date and the "why" explanation).
 */
type Option = ComponentFramework.PropertyHelper.OptionMetadata;
const options = (map: Record<string, number>): Option[] =>
  Object.entries(map).map(([Label, Value]) => ({ Label, Value, Color: "" }));
const prop = <T>(raw: T, formatted?: string) => ({
  raw,
  formatted,
  error: false,
  errorMessage: "",
  type: "",
  security: { readable: true, editable: false, secured: false },
});
const optionSet = (raw: number | null, opts: Option[]) =>
  ({
    ...prop(raw, opts.find((x) => x.Value === raw)?.Label),
    attributes: { Options: opts, DefaultValue: -1 },
  }) as unknown as ComponentFramework.PropertyTypes.OptionSetProperty;

function resx(lcid: number): Map<string, string> {
  const xml = readFileSync(`${repoRoot()}/src/control/strings/TierBadge.${lcid}.resx`, "utf8");
  const map = new Map<string, string>();
  for (const m of xml.matchAll(/<data name="([^"]+)"[^>]*>\s*<value>([\s\S]*?)<\/value>/g))
    map.set(m[1], m[2].replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"));
  return map;
}

export function badgeContext(variant: 0 | 1): BadgeContext {
  const tier = variant === 0 ? TIER_OPTIONS.AAA : TIER_OPTIONS.A;
  const explanation: TierExplanation = {
    v: 1,
    asOf: "2026-03-01T00:00:00.000Z",
    method: "percentile",
    tier: variant === 0 ? "AAA" : "A",
    score: variant === 0 ? 91.25 : 72.5,
    rule: { kind: "percentile", cut: 88.4 },
    stored: { tier: variant === 0 ? "AAA" : "A", rule: { kind: "computed" } },
    kpis: [
      { kpi: "monetary", value: 48210.5, pct: 96.5, weight: 0.45, points: 43.425 },
      { kpi: "frequency", value: 14, pct: 92, weight: 0.2, points: 18.4 },
      { kpi: "recency", value: 12, pct: 81.2, weight: 0.15, points: 12.18 },
      { kpi: "pipeline", value: 12000, pct: 77, weight: 0.1, points: 7.7 },
      { kpi: "won", value: null, pct: 25, weight: 0.1, points: 2.5 },
    ],
    trend: { code: "declining", q0: 8000, baseline: 15000 },
    cadence: { days: 14, channel: "meeting", nextTouchDue: "2026-03-13", overdueDays: 0 },
  };
  const strings = resx(1033);
  const date = (d: Date | null) => prop(d, d?.toDateString()) as ComponentFramework.PropertyTypes.DateTimeProperty;
  const parameters: IInputs = {
    tier: optionSet(tier, options(TIER_OPTIONS)),
    computedTier: optionSet(tier, options(TIER_OPTIONS)),
    score: prop(explanation.score, String(explanation.score)) as ComponentFramework.PropertyTypes.DecimalNumberProperty,
    trend: optionSet(TREND_OPTIONS.declining, options(TREND_OPTIONS)),
    nextTouchDue: date(new Date(2026, 2, 13 + variant)),
    lastTouchOn: date(new Date(2026, 1, 27)),
    cadenceDays: prop(14, "14") as ComponentFramework.PropertyTypes.WholeNumberProperty,
    channel: optionSet(CHANNEL_OPTIONS.meeting, options(CHANNEL_OPTIONS)),
    override: optionSet(null, options(TIER_OPTIONS)),
    overrideReason: prop(null) as ComponentFramework.PropertyTypes.StringProperty,
    overrideUntil: date(null),
    reason: prop(JSON.stringify(explanation), "") as ComponentFramework.PropertyTypes.StringProperty,
    baseCurrency: prop("$", "$") as ComponentFramework.PropertyTypes.StringProperty,
    layout: { raw: "auto", type: "Enum" } as IInputs["layout"],
  };
  return {
    parameters,
    formatting: {
      formatDateShort: (d: Date) =>
        new Intl.DateTimeFormat("en-US", { year: "numeric", month: "numeric", day: "numeric" }).format(d),
      formatDecimal: (v: number, precision = 2) =>
        new Intl.NumberFormat("en-US", { minimumFractionDigits: precision, maximumFractionDigits: precision }).format(
          v,
        ),
      formatInteger: (v: number) => new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 }).format(v),
      formatCurrency: (v: number, precision = 2, symbol = "") =>
        symbol +
        new Intl.NumberFormat("en-US", { minimumFractionDigits: precision, maximumFractionDigits: precision }).format(
          v,
        ),
    },
    resources: { getString: (key: string) => strings.get(key) ?? key },
    mode: { isControlDisabled: false, allocatedWidth: 480 },
    client: { getFormFactor: () => 1 },
  };
}

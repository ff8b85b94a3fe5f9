import * as fs from "node:fs";
import * as path from "node:path";
import { CHANNEL_OPTIONS, TIER_OPTIONS, TREND_OPTIONS } from "../../src/engine/choices";
import type { IInputs } from "../../src/control/generated/ManifestTypes";
import type { BadgeContext } from "../../src/control/view-model";

type Security = ComponentFramework.PropertyHelper.SecurityValues;
type Option = ComponentFramework.PropertyHelper.OptionMetadata;

export const READABLE: Security = { readable: true, editable: false, secured: false };
export const UNREADABLE: Security = { readable: false, editable: false, secured: true };

const option = (Label: string, Value: number, Color = ""): Option => ({ Label, Value, Color });
export const TIER_METADATA: Option[] = Object.entries(TIER_OPTIONS).map(([code, value]) => option(code, value));
const TREND_METADATA = Object.entries(TREND_OPTIONS).map(([code, value]) => option(code, value));
const CHANNEL_METADATA = Object.entries(CHANNEL_OPTIONS).map(([code, value]) => option(code, value));

function base<T>(raw: T, formatted: string | undefined, security?: Security) {
  return { raw, formatted, error: false, errorMessage: "", security, type: "" };
}

export function optionSet(
  raw: number | null,
  options: Option[],
  security?: Security,
): ComponentFramework.PropertyTypes.OptionSetProperty {
  const label = options.find((o) => o.Value === raw)?.Label;
  return {
    ...base(raw, label, security),
    attributes: {
      Options: options,
      DefaultValue: -1,
    } as unknown as ComponentFramework.PropertyHelper.FieldPropertyMetadata.OptionSetMetadata,
  };
}
const decimal = (raw: number | null, security?: Security): ComponentFramework.PropertyTypes.DecimalNumberProperty =>
  ({
    ...base(raw, raw == null ? undefined : String(raw), security),
  }) as ComponentFramework.PropertyTypes.DecimalNumberProperty;
const whole = (raw: number | null, security?: Security): ComponentFramework.PropertyTypes.WholeNumberProperty =>
  ({
    ...base(raw, raw == null ? undefined : String(raw), security),
  }) as ComponentFramework.PropertyTypes.WholeNumberProperty;
const date = (raw: Date | null, security?: Security): ComponentFramework.PropertyTypes.DateTimeProperty =>
  ({ ...base(raw, raw?.toDateString(), security) }) as ComponentFramework.PropertyTypes.DateTimeProperty;
const text = (raw: string | null, security?: Security): ComponentFramework.PropertyTypes.StringProperty =>
  ({ ...base(raw, raw ?? undefined, security) }) as ComponentFramework.PropertyTypes.StringProperty;

/** Field values as a form would hold them (null: empty), by the manifest's property names. */
export interface Values {
  tier: number | null;
  computedTier: number | null;
  score: number | null;
  trend: number | null;
  nextTouchDue: Date | null;
  lastTouchOn: Date | null;
  cadenceDays: number | null;
  channel: number | null;
  override: number | null;
  overrideReason: string | null;
  overrideUntil: Date | null;
  reason: string | null;
}
export const EMPTY: Values = {
  tier: null,
  computedTier: null,
  score: null,
  trend: null,
  nextTouchDue: null,
  lastTouchOn: null,
  cadenceDays: null,
  channel: null,
  override: null,
  overrideReason: null,
  overrideUntil: null,
  reason: null,
};

export interface ContextOptions {
  values?: Partial<Values>;
  lcid?: 1033 | 1031;
  tierColors?: Partial<Record<keyof typeof TIER_OPTIONS, string>>;
  /** Field security per property name (default: readable). */
  security?: Partial<Record<keyof Values, Security>>;
  layout?: "auto" | "standard" | "compact";
  /** The base currency symbol the form gives the control (static input). */
  baseCurrency?: string | null;
  allocatedWidth?: number;
  formFactor?: number;
  disabled?: boolean;
  /** context.webAPI (absent, like the pcf-start harness without the WebAPI feature, unless given). */
  webAPI?: Pick<ComponentFramework.WebApi, "retrieveMultipleRecords">;
}

const LOCALES = { 1033: "en-US", 1031: "de-DE" } as const;

/** The control's resx for one language, parsed the way the platform serves it to getString. */
export function loadResx(lcid: 1033 | 1031): Map<string, string> {
  const file = path.join(__dirname, "../../src/control/strings", `TierBadge.${lcid}.resx`);
  const doc = new DOMParser().parseFromString(fs.readFileSync(file, "utf8"), "application/xml");
  const map = new Map<string, string>();
  doc
    .querySelectorAll("root > data")
    .forEach((d) => map.set(d.getAttribute("name") ?? "", d.querySelector("value")?.textContent ?? ""));
  return map;
}

/** Formatting like the platform's for the user's locale (dates in the short pattern with a four-digit year). */
export function formattingFor(locale: string): BadgeContext["formatting"] {
  return {
    formatDateShort: (d: Date) =>
      new Intl.DateTimeFormat(locale, { year: "numeric", month: "numeric", day: "numeric" }).format(d),
    formatDecimal: (v: number, precision = 2) =>
      new Intl.NumberFormat(locale, { minimumFractionDigits: precision, maximumFractionDigits: precision }).format(v),
    formatInteger: (v: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(v),
    // Like the platform's: the number in the locale's pattern with the symbol the caller gives, where the locale puts it.
    formatCurrency: (v: number, precision = 2, symbol = "") => {
      const parts = new Intl.NumberFormat(locale, {
        style: "currency",
        currency: "XXX",
        minimumFractionDigits: precision,
        maximumFractionDigits: precision,
      }).formatToParts(v);
      return parts
        .map((p) => (p.type === "currency" ? symbol : p.value))
        .join("")
        .replace(/\u00a0/g, " ")
        .trim();
    },
  };
}

export interface MockContext extends BadgeContext {
  mode: BadgeContext["mode"] & { trackContainerResize: jest.Mock };
  updatedProperties: string[];
  webAPI?: Pick<ComponentFramework.WebApi, "retrieveMultipleRecords">;
  factory: { requestRender: jest.Mock };
}

export function makeContext(opts: ContextOptions = {}): MockContext {
  const v = { ...EMPTY, ...opts.values };
  const s = opts.security ?? {};
  const tierMeta = TIER_METADATA.map((o) => ({
    ...o,
    Color: opts.tierColors?.[o.Label as keyof typeof TIER_OPTIONS] ?? "",
  }));
  const strings = loadResx(opts.lcid ?? 1033);
  const parameters: IInputs = {
    tier: optionSet(v.tier, tierMeta, s.tier),
    computedTier: optionSet(v.computedTier, tierMeta, s.computedTier),
    score: decimal(v.score, s.score),
    trend: optionSet(v.trend, TREND_METADATA, s.trend),
    nextTouchDue: date(v.nextTouchDue, s.nextTouchDue),
    lastTouchOn: date(v.lastTouchOn, s.lastTouchOn),
    cadenceDays: whole(v.cadenceDays, s.cadenceDays),
    channel: optionSet(v.channel, CHANNEL_METADATA, s.channel),
    override: optionSet(v.override, tierMeta, s.override),
    overrideReason: text(v.overrideReason, s.overrideReason),
    overrideUntil: date(v.overrideUntil, s.overrideUntil),
    reason: text(v.reason, s.reason),
    baseCurrency: text(opts.baseCurrency === undefined ? "$" : opts.baseCurrency),
    layout: { raw: opts.layout ?? "auto", type: "Enum" },
  };
  return {
    parameters,
    formatting: formattingFor(LOCALES[opts.lcid ?? 1033]),
    // Like the platform: an unknown key comes back as itself.
    resources: { getString: (key: string) => strings.get(key) ?? key },
    mode: {
      isControlDisabled: opts.disabled ?? false,
      allocatedWidth: opts.allocatedWidth ?? -1,
      trackContainerResize: jest.fn(),
    },
    client: { getFormFactor: () => opts.formFactor ?? 1 },
    updatedProperties: [],
    ...(opts.webAPI ? { webAPI: opts.webAPI } : {}),
    factory: { requestRender: jest.fn() },
  };
}

/** A local-midnight date, the way date-only columns arrive. */
export const day = (iso: string): Date => {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(y, m - 1, d);
};

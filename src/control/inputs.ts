/**
 * The control's property bag, as `pcf-scripts` generates it into generated/ManifestTypes.d.ts from
 * ControlManifest.Input.xml. Kept here by hand so a fresh checkout type-checks before the first build; the
 * harness test compares this file with the generated one after every build, so the two cannot drift apart.
 */
export interface IInputs {
  tier: ComponentFramework.PropertyTypes.OptionSetProperty;
  computedTier: ComponentFramework.PropertyTypes.OptionSetProperty;
  score: ComponentFramework.PropertyTypes.DecimalNumberProperty;
  trend: ComponentFramework.PropertyTypes.OptionSetProperty;
  nextTouchDue: ComponentFramework.PropertyTypes.DateTimeProperty;
  lastTouchOn: ComponentFramework.PropertyTypes.DateTimeProperty;
  cadenceDays: ComponentFramework.PropertyTypes.WholeNumberProperty;
  channel: ComponentFramework.PropertyTypes.OptionSetProperty;
  override: ComponentFramework.PropertyTypes.OptionSetProperty;
  overrideReason: ComponentFramework.PropertyTypes.StringProperty;
  overrideUntil: ComponentFramework.PropertyTypes.DateTimeProperty;
  reason: ComponentFramework.PropertyTypes.StringProperty;
  layout: ComponentFramework.PropertyTypes.EnumProperty<"auto" | "standard" | "compact">;
}

export interface IOutputs {
  tier?: number;
  computedTier?: number;
  score?: number;
  trend?: number;
  nextTouchDue?: Date;
  lastTouchOn?: Date;
  cadenceDays?: number;
  channel?: number;
  override?: number;
  overrideReason?: string;
  overrideUntil?: Date;
  reason?: string;
}

/**
 * What a model-driven form knows before it renders the TierBadge: which account column each control property is
 * bound to (the solution's main account form) and each bound column's attribute metadata (display name and, for
 * choices, the options with their labels). Read from solution/src so the demo page and the solution cannot drift.
 * https://learn.microsoft.com/power-apps/developer/component-framework/reference/propertyhelper/fieldpropertymetadata/optionsetmetadata
 */
import { readSolutionSource } from "../solution/scripts/source-model";
import { DEFAULT_TIER_COLORS } from "../src/control/palette";

export interface OptionMetadata {
  Label: string;
  Value: number;
  /** Dataverse's OptionMetadata.Color; the solution sets none, so the control falls back to its palette. */
  Color: string;
}

export interface ColumnMetadata {
  LogicalName: string;
  DisplayName: string;
  /** Solution column type: picklist, decimal, int, datetime, nvarchar, ntext … */
  type: string;
  /** datetime: "date" (date only) or "datetime". */
  format: string;
  Options?: OptionMetadata[];
}

export interface FormMetadata {
  form: string;
  control: string;
  /** Control property → account column. */
  bound: Record<string, string>;
  /** Static (input) properties and their values, e.g. layout = auto. */
  statics: Record<string, string>;
  columns: Record<string, ColumnMetadata>;
  /** The control's badge colours for choices without a colour, so the list's badges look like the control's. */
  tierColors: Record<string, string>;
  /** Table logical name → Web API entity set, for context.webAPI (the solution's own tables and account). */
  entitySets: Record<string, string>;
}

const CONTROL = "ct_CustomerTiering.TierBadge";
/** formFactor 0 = the web client's desktop layout (1 tablet, 2 phone). */
const DESKTOP = "0";

export function readFormMetadata(dir?: string): FormMetadata {
  const source = readSolutionSource(dir);
  const form = source.forms.find(
    (f) => f.entity === "account" && f.type === "main" && f.bindings.some((b) => b.control === CONTROL),
  );
  if (!form) throw new Error(`solution/src: no main account form hosts ${CONTROL}`);
  const binding =
    form.bindings.find((b) => b.control === CONTROL && b.formFactor === DESKTOP) ??
    form.bindings.find((b) => b.control === CONTROL)!;
  const account = source.entities.get("account");
  if (!account) throw new Error("solution/src: the account table is missing");
  const columns: Record<string, ColumnMetadata> = {};
  for (const column of binding.bound.values()) {
    const def = account.columns.get(column);
    if (!def)
      throw new Error(`${form.file}: ${CONTROL} is bound to account.${column}, which the solution does not define`);
    const meta: ColumnMetadata = {
      LogicalName: column,
      DisplayName: def.displayName,
      type: def.type,
      format: def.format,
    };
    if (def.optionSetName) {
      const set = source.optionSets.get(def.optionSetName);
      if (!set)
        throw new Error(
          `${def.file}: account.${column} uses choice ${def.optionSetName}, which the solution does not define`,
        );
      meta.Options = set.options.map((o) => ({ Label: o.label, Value: o.value, Color: "" }));
    }
    columns[column] = meta;
  }
  return {
    form: form.name,
    control: CONTROL,
    bound: Object.fromEntries(binding.bound),
    statics: Object.fromEntries(binding.statics),
    columns,
    tierColors: { ...DEFAULT_TIER_COLORS },
    entitySets: {
      account: "accounts",
      ...Object.fromEntries(
        [...source.entities.values()].filter((e) => e.entitySetName).map((e) => [e.logicalName, e.entitySetName]),
      ),
    },
  };
}

import * as React from "react";
import { Dropdown, MessageBar, MessageBarType, TextField, type IDropdownOption } from "@fluentui/react";
import { KPI_NAMES } from "../../engine/explanation-types";
import { parsePreviewSample, previewModel, type PreviewSample } from "../../engine/preview";
import {
  check,
  draftFrom,
  edit,
  generalProblem,
  NOT_A_NUMBER,
  problemFor,
  setMethod,
  shown,
  tiersOf,
  type Check,
  type Draft,
  type TierField,
} from "../draft";
import type { EditorFormatting } from "../formatting";
import type { EditorTranslate } from "../strings";
import { PreviewPanel } from "./PreviewPanel";

export interface ModelEditorProps {
  /** The model column's text when the editor was (re)loaded. */
  modelText: string | null;
  /** The preview sample column's text (ct_previewsamplejson), null before the first re-rank. */
  sampleText: string | null;
  disabled: boolean;
  t: EditorTranslate;
  f: EditorFormatting;
  /** Every edit: the JSON to store when the model is valid, null while it is not (nothing is output then). */
  onChange(valid: string | null): void;
}

type SampleState = { ok: true; sample: PreviewSample } | { ok: false; problem: string } | null;

const TIER_LABELS: Record<TierField, "Tier_Share" | "Tier_RevenueShare" | "Tier_MinScore"> = {
  share: "Tier_Share",
  revenueShare: "Tier_RevenueShare",
  minScore: "Tier_MinScore",
};
/** The field each method reads; the others stay in the JSON but are not asked for. */
const METHOD_FIELD: Record<string, TierField> = { percentile: "share", pareto: "revenueShare", thresholds: "minScore" };

/** The tier model editor: typed inputs validated by the engine's own schema, and a live preview of the model. */
export const ModelEditorView: React.FC<ModelEditorProps> = (props) => {
  const { t, f, disabled } = props;
  const [draft, setDraft] = React.useState<Draft>(() => draftFrom(props.modelText));
  const result: Check = React.useMemo(() => check(draft), [draft]);
  const sample: SampleState = React.useMemo(() => {
    if (!props.sampleText?.trim()) return null;
    try {
      return { ok: true, sample: parsePreviewSample(props.sampleText) };
    } catch (e) {
      return { ok: false, problem: (e as Error).message };
    }
  }, [props.sampleText]);
  const preview = React.useMemo(
    () => (result.ok && sample?.ok ? previewModel(sample.sample, result.model) : undefined),
    [result, sample],
  );

  const update = (next: Draft) => {
    setDraft(next);
    const c = check(next);
    props.onChange(c.ok ? c.text : null);
  };
  const method = typeof draft.json.method === "string" ? draft.json.method : "percentile";
  const general = generalProblem(result);
  const localProblem = (p: string | undefined) => (p === NOT_A_NUMBER ? t("Problem_NotNumber") : p);

  const numberField = (path: string, label: string, key = path) => (
    <TextField
      key={key}
      label={label}
      value={shown(draft, path)}
      disabled={disabled}
      inputMode="decimal"
      onChange={(_e, v) => update(edit(draft, path, v ?? ""))}
      errorMessage={localProblem(problemFor(result, path))}
      data-path={path}
      className="ct-editor__field"
    />
  );

  const methods: IDropdownOption[] = (["percentile", "pareto", "thresholds"] as const).map((m) => ({
    key: m,
    text: t(`Method_${m}`),
  }));
  const tiers = tiersOf(draft);
  const asked = METHOD_FIELD[method] ?? "share";

  return (
    <div className="ct-editor" role="group" aria-label={t("Editor_Label")}>
      <div className="ct-editor__status" data-testid="editor-status">
        {result.ok ? (
          <MessageBar messageBarType={MessageBarType.success}>{t("Status_Valid")}</MessageBar>
        ) : (
          <MessageBar messageBarType={MessageBarType.error}>
            {t("Status_Invalid")}
            {general ? ` ${t("Problem_General", general)}` : ""}
          </MessageBar>
        )}
      </div>
      <section className="ct-editor__section" aria-labelledby="ct-editor-scoring">
        <h3 id="ct-editor-scoring">{t("Section_Scoring")}</h3>
        <div className="ct-editor__grid">
          <Dropdown
            label={t("Method_Label")}
            options={methods}
            selectedKey={method}
            disabled={disabled}
            errorMessage={problemFor(result, "method")}
            onChange={(_e, o) => o && update(setMethod(draft, String(o.key)))}
          />
          {numberField("windowMonths", t("Window_Label"))}
        </div>
        <h4>{t("Weights_Title")}</h4>
        <div className="ct-editor__grid">{KPI_NAMES.map((k) => numberField(`weights.${k}`, t(`Weight_${k}`)))}</div>
      </section>
      <section className="ct-editor__section" aria-labelledby="ct-editor-tiers">
        <h3 id="ct-editor-tiers">{t("Tiers_Title")}</h3>
        {tiers.map((tier, i) => {
          const code = String(tier.code ?? i);
          const last = i === tiers.length - 1;
          return (
            <fieldset key={`${code}-${i}`} className="ct-editor__tier">
              <legend>{code}</legend>
              {last ? (
                <p className="ct-editor__hint">{t("Tier_Last")}</p>
              ) : (
                <div className="ct-editor__grid">
                  {(["share", "revenueShare", "minScore"] as const).map((field) =>
                    numberField(
                      `tiers[${i}].${field}`,
                      `${code}: ${t(TIER_LABELS[field])}${field === asked ? " *" : ""}`,
                    ),
                  )}
                </div>
              )}
            </fieldset>
          );
        })}
      </section>
      <section className="ct-editor__section" aria-labelledby="ct-editor-hysteresis">
        <h3 id="ct-editor-hysteresis">{t("Hysteresis_Title")}</h3>
        <div className="ct-editor__grid">
          {numberField("hysteresis.demotionMargin", t("Hysteresis_demotionMargin"))}
          {numberField("hysteresis.minDaysInTier", t("Hysteresis_minDaysInTier"))}
        </div>
      </section>
      <section className="ct-editor__section" aria-labelledby="ct-editor-trend">
        <h3 id="ct-editor-trend">{t("Trend_Title")}</h3>
        <div className="ct-editor__grid">
          {numberField("trend.dropRatio", t("Trend_dropRatio"))}
          {numberField("trend.riseRatio", t("Trend_riseRatio"))}
          {numberField("trend.minAbsoluteChange", t("Trend_minAbsoluteChange"))}
          {numberField("trend.baselineQuarters", t("Trend_baselineQuarters"))}
        </div>
      </section>
      <PreviewPanel preview={preview} sample={sample} valid={result.ok} t={t} f={f} />
    </div>
  );
};

import * as React from "react";
import type { ModelPreview, PreviewSample } from "../../engine/preview";
import type { EditorTranslate } from "../strings";
import type { EditorFormatting } from "../formatting";

type SampleState = { ok: true; sample: PreviewSample } | { ok: false; problem: string } | null;

/** Accounts and revenue per tier, and the movement against today's tiers, of the model as edited. */
export const PreviewPanel: React.FC<{
  preview: ModelPreview | undefined;
  sample: SampleState;
  valid: boolean;
  t: EditorTranslate;
  f: EditorFormatting;
}> = ({ preview, sample, valid, t, f }) => {
  const pct = (share: number | null) => (share == null ? "–" : `${f.formatDecimal(share * 100, 1)} %`);
  const count = (n: number) => f.formatInteger(Math.round(n));
  let body: React.ReactNode;
  if (!sample) body = <p>{t("Preview_None")}</p>;
  else if (!sample.ok) body = <p>{t("Preview_Broken", sample.problem)}</p>;
  else if (!valid || !preview) body = <p>{t("Preview_Invalid")}</p>;
  else {
    const asOf = new Date(preview.asOf);
    body = (
      <>
        <p className="ct-editor__hint">
          {t("Preview_Caption", count(sample.sample.weight.length), count(preview.population), f.formatDateShort(asOf))}
        </p>
        {preview.windowDiffers && (
          <p className="ct-editor__hint">{t("Preview_Window", f.formatInteger(sample.sample.windowMonths))}</p>
        )}
        <div className="ct-editor__scroll">
          <table className="ct-editor__table" data-testid="preview-tiers">
            <thead>
              <tr>
                <th scope="col">{t("Col_Tier")}</th>
                <th scope="col">{t("Col_Accounts")}</th>
                <th scope="col">{t("Col_ActiveShare")}</th>
                <th scope="col">{t("Col_RevenueShare")}</th>
              </tr>
            </thead>
            <tbody>
              {preview.rows.map((r) => (
                <tr key={r.tier}>
                  <th scope="row">{r.tier}</th>
                  <td>{count(r.accounts)}</td>
                  <td>{pct(r.activeShare)}</td>
                  <td>{pct(r.revenueShare)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <h4>{t("Movement_Title")}</h4>
        <p data-testid="preview-movement">
          {t("Movement_Summary", count(preview.up), count(preview.down), count(preview.same))}
        </p>
        <div className="ct-editor__scroll">
          <table className="ct-editor__table" data-testid="preview-matrix">
            <thead>
              <tr>
                <th scope="col">{t("Movement_From")}</th>
                {preview.rows.map((r) => (
                  <th scope="col" key={r.tier}>
                    {r.tier}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {preview.movement.map((row, i) =>
                row.some((v) => v > 0) ? (
                  <tr key={preview.from[i]}>
                    <th scope="row">{i === preview.from.length - 1 ? t("Movement_NoTier") : preview.from[i]}</th>
                    {row.map((v, j) => (
                      <td key={j}>{count(v)}</td>
                    ))}
                  </tr>
                ) : null,
              )}
            </tbody>
          </table>
        </div>
      </>
    );
  }
  return (
    <section className="ct-editor__section ct-editor__preview" aria-labelledby="ct-editor-preview" aria-live="polite">
      <h3 id="ct-editor-preview">{t("Preview_Title")}</h3>
      {body}
    </section>
  );
};

import * as React from "react";
import { ModelEditorView } from "./components/ModelEditorView";
import type { IInputs, IOutputs } from "./props";
import { makeEditorTranslate } from "./strings";

/**
 * TierModelEditor: a virtual (React) control on the ct_tiermodel form, bound to the model JSON column. Typed inputs
 * are validated by the engine's own parseModel as the user types; getOutputs gives the JSON only while it is a valid
 * model, so an invalid one is never written. The preview runs the engine over the sample the re-rank stores.
 */
export class TierModelEditor implements ComponentFramework.ReactControl<IInputs, IOutputs> {
  private notify: () => void = () => undefined;
  /** The valid JSON of the last edit, not yet taken by the form; undefined: nothing to output. */
  private pending: string | undefined;
  /** The column value the view was loaded from: another value (a form refresh, another record) reloads it. */
  private loaded: string | null = null;
  private generation = 0;

  public init(_context: ComponentFramework.Context<IInputs>, notifyOutputChanged: () => void): void {
    this.notify = notifyOutputChanged;
  }

  public updateView(context: ComponentFramework.Context<IInputs>): React.ReactElement {
    const text = context.parameters.model.raw ?? null;
    if (text !== this.loaded && text !== this.pending) {
      this.loaded = text;
      this.generation++;
    }
    const sample = context.parameters.previewSample;
    return React.createElement(ModelEditorView, {
      key: this.generation,
      modelText: this.loaded,
      sampleText: sample?.security?.readable === false ? null : (sample?.raw ?? null),
      disabled: context.mode.isControlDisabled,
      t: makeEditorTranslate(context.resources),
      f: context.formatting,
      onChange: (valid) => {
        if (valid === null) {
          this.pending = undefined;
          return;
        }
        this.pending = valid;
        this.notify();
      },
    });
  }

  /** The model JSON while it is valid; nothing while it is not (the column keeps its last valid value). */
  public getOutputs(): IOutputs {
    return this.pending === undefined ? {} : { model: this.pending };
  }

  public destroy(): void {
    this.notify = () => undefined;
  }
}

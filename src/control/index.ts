import * as React from "react";
import { TierBadgeView } from "./components/TierBadgeView";
import type { IInputs, IOutputs } from "./inputs";
import { buildBadgeModel } from "./view-model";

/**
 * TierBadge: a virtual (React) control showing the account's tier, score, trend and touch cadence.
 * Read-only by design: the tier columns belong to the plugin service, so getOutputs never returns a value.
 */
export class TierBadge implements ComponentFramework.ReactControl<IInputs, IOutputs> {
  /** Ask for allocatedWidth, which picks the compact layout on narrow forms. */
  public init(context: ComponentFramework.Context<IInputs>): void {
    context.mode.trackContainerResize(true);
  }

  public updateView(context: ComponentFramework.Context<IInputs>): React.ReactElement {
    return React.createElement(TierBadgeView, { model: buildBadgeModel(context, new Date()) });
  }

  public getOutputs(): IOutputs {
    return {};
  }

  public destroy(): void {
    // Nothing to release: no timers, subscriptions or requests.
  }
}

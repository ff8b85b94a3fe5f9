import * as React from "react";
import { TierBadgeView } from "./components/TierBadgeView";
import type { IInputs, IOutputs } from "./generated/ManifestTypes";
import { knownModelIssue, loadModelIssue } from "./model-status";
import { knownPolicy, loadPolicy, type PolicyState } from "./policy";
import { buildBadgeModel } from "./view-model";

/**
 * TierBadge: a virtual (React) control showing the account's tier, score, trend and touch cadence, and the tier's
 * service privileges from ct_tierpolicy. Read-only by design: the tier columns belong to the plugin service, so
 * getOutputs never returns a value.
 */
export class TierBadge implements ComponentFramework.ReactControl<IInputs, IOutputs> {
  /** The policy of the tier on display; a new tier value asks again (the answer is cached per session). */
  private policy: { tier: number; state: PolicyState } | null = null;
  private destroyed = false;

  /** Ask for allocatedWidth, which picks the compact layout on narrow forms. */
  public init(context: ComponentFramework.Context<IInputs>): void {
    context.mode.trackContainerResize(true);
  }

  public updateView(context: ComponentFramework.Context<IInputs>): React.ReactElement {
    const model = buildBadgeModel(context, new Date(), this.policyFor(context), this.modelIssue(context));
    return React.createElement(TierBadgeView, { model });
  }

  /** Whether the tier model is invalid: asked once per session; the badge renders again when the answer comes. */
  private modelIssue(context: ComponentFramework.Context<IInputs>): string | null | undefined {
    const known = knownModelIssue();
    if (known !== undefined) return known;
    void loadModelIssue(context.webAPI).then((cause) => {
      if (cause && !this.destroyed) context.factory?.requestRender?.();
    });
    return undefined;
  }

  private policyFor(context: ComponentFramework.Context<IInputs>): PolicyState | undefined {
    const tier = context.parameters.tier;
    if (tier.security?.readable === false || tier.raw == null) return undefined;
    const value = tier.raw;
    if (this.policy?.tier !== value) {
      const known = knownPolicy(value);
      if (known) return (this.policy = { tier: value, state: known }).state;
      const current = (this.policy = { tier: value, state: { status: "loading" } as PolicyState });
      void loadPolicy(context.webAPI, value).then((state) => {
        if (this.destroyed || this.policy !== current) return;
        current.state = state;
        context.factory?.requestRender?.();
      });
    }
    return this.policy.state;
  }

  public getOutputs(): IOutputs {
    return {};
  }

  public destroy(): void {
    // No timers or subscriptions; a policy request still in flight must not render into a destroyed control.
    this.destroyed = true;
  }
}

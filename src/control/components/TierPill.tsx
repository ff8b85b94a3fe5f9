import * as React from "react";
import { TooltipHost } from "@fluentui/react";
import type { TierView } from "../view-model";

export interface TierPillProps {
  tier: TierView;
  /** Extra lines for the hover card (the override's detail in the compact layout). */
  extra?: string;
}

/** The tier label on its colour; the calculated tier (and more) on hover or keyboard focus. */
export const TierPill: React.FC<TierPillProps> = ({ tier, extra }) => {
  const hover = [tier.computed, extra].filter(Boolean).join(" · ");
  const pill = (
    <span
      className="ct-pill"
      style={{ backgroundColor: tier.background, color: tier.foreground }}
      tabIndex={hover ? 0 : undefined}
      data-testid="tier-pill"
    >
      {tier.label}
      {hover && <span className="ct-sr"> ({hover})</span>}
    </span>
  );
  return hover ? <TooltipHost content={hover}>{pill}</TooltipHost> : pill;
};

import * as React from "react";
import { TooltipHost } from "@fluentui/react";
import type { Trend } from "../../engine/choices";
import type { TrendView } from "../view-model";

const ARROWS: Record<Trend, string> = { growing: "↗", stable: "→", declining: "↘", insufficient: "–" };

/** Arrow (and, when there is room, the word) for the trend; what it means on hover or focus. */
export const TrendArrow: React.FC<{ trend: TrendView; compact: boolean }> = ({ trend, compact }) => (
  <TooltipHost content={trend.tooltip}>
    <span className={`ct-trend ct-trend--${trend.code}`} tabIndex={0} data-testid="trend">
      <span aria-hidden="true">{ARROWS[trend.code]}</span>
      {compact ? <span className="ct-sr">{trend.srLabel}</span> : <span> {trend.label}</span>}
      <span className="ct-sr">. {trend.tooltip}</span>
    </span>
  </TooltipHost>
);

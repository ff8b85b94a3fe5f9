import * as React from "react";
import type { ScoreView } from "../view-model";

/** The score 0–100 as a small bar with its number; a meter to assistive technology. */
export const ScoreMeter: React.FC<{ score: ScoreView; compact: boolean }> = ({ score, compact }) => (
  <span className="ct-score">
    <span
      className="ct-meter"
      role="meter"
      aria-label={score.label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={score.value}
      aria-valuetext={score.valueText}
    >
      <span className="ct-meter__fill" style={{ width: `${score.value}%` }} />
    </span>
    <span className="ct-score__text" aria-hidden="true">
      {compact ? score.text : `${score.label} ${score.text}`}
    </span>
  </span>
);

import { MessageBar, MessageBarType } from "@fluentui/react";
import * as React from "react";
import type { BadgeModel, DueView } from "../view-model";
import { ScoreMeter } from "./ScoreMeter";
import { TierPill } from "./TierPill";
import { TrendArrow } from "./TrendArrow";
import { WhyCallout } from "./WhyCallout";

/** The whole control: one labelled group, laid out standard or compact. */
export const TierBadgeView: React.FC<{ model: BadgeModel }> = ({ model }) => {
  const { body, compact } = model;
  const classes = ["ct-badge", compact ? "ct-badge--compact" : "", model.disabled ? "ct-badge--disabled" : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <div role="group" aria-label={model.groupLabel} className={classes} data-state={body.kind}>
      {model.warning && (
        <MessageBar messageBarType={MessageBarType.warning} isMultiline={!compact} data-testid="model-warning">
          {model.warning}
        </MessageBar>
      )}
      {body.kind !== "ranked" ? (
        <div className="ct-row">
          <span className={`ct-pill ct-pill--${body.kind}`}>{body.text}</span>
          <span className={compact ? "ct-sr" : "ct-hint"}>{body.hint}</span>
        </div>
      ) : (
        <>
          <div className="ct-row">
            <TierPill tier={body.tier} extra={compact ? body.override?.detail : undefined} />
            {body.override && <span className="ct-tag">{body.override.tag}</span>}
            {body.score && <ScoreMeter score={body.score} compact={compact} />}
            {body.trend && <TrendArrow trend={body.trend} compact={compact} />}
            {compact && body.due && <DueText due={body.due} compact />}
          </div>
          {!compact && body.override && <div className="ct-row ct-override">{body.override.detail}</div>}
          {!compact && (body.cadence || body.due || body.lastTouch) && (
            <div className="ct-row ct-details">
              {body.cadence && <span>{body.cadence}</span>}
              {body.due && <DueText due={body.due} compact={false} />}
              {body.lastTouch && <span>{body.lastTouch}</span>}
            </div>
          )}
          {!compact && body.policy && (
            <div className="ct-row ct-policy" data-testid="policy" data-status={body.policy.status}>
              {body.policy.line}
            </div>
          )}
          {body.why && <WhyCallout why={body.why} policy={body.policy} />}
        </>
      )}
    </div>
  );
};

const DueText: React.FC<{ due: DueView; compact: boolean }> = ({ due, compact }) => (
  <span className={due.overdue ? "ct-due ct-due--overdue" : "ct-due"} data-testid="due">
    {due.overdue && <span aria-hidden="true">⚠ </span>}
    {compact ? (
      <>
        <span className="ct-sr">{due.text}, </span>
        {due.relative}
      </>
    ) : (
      `${due.text} (${due.relative})`
    )}
  </span>
);

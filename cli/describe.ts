import type { AccountOutcome } from "../src/engine/outcome";
import type { TierModel } from "../src/engine/model";
import type { KpiName } from "../src/engine/explanation-types";
import { isoDate } from "../src/engine/dates";

/** Plain words for a salesperson: why the account has its tier, what moves it, and when to call. */

const KPI_LABEL: Record<KpiName, string> = {
  monetary: "Revenue (invoiced)",
  frequency: "Purchases",
  recency: "Days since last purchase",
  pipeline: "Open pipeline (weighted)",
  won: "Won deals",
};

const money = (x: number): string => x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const share = (x: number): string => `${Math.round(x * 100)} %`;

function kpiValue(kpi: KpiName, v: number | null): string {
  if (kpi === "recency") return v === null ? "none in the window" : `${v} days`;
  if (kpi === "frequency") return String(v ?? 0);
  return money(v ?? 0);
}

function ruleText(o: AccountOutcome, model: TierModel): string {
  const r = o.rule;
  const months = `${model.windowMonths} months`;
  switch (r.kind) {
    case "inactive":
      return `No revenue, purchase, win or open pipeline in the last ${months}, so the account is in the last tier, ${o.computedTier}.`;
    case "percentile":
      return r.cut === null
        ? `Its score is below every tier's cut-point, so it is in the last tier, ${o.computedTier}.`
        : `Tiers go by score rank among the accounts active in the last ${months}; ${o.computedTier} starts at a score of ${r.cut.toFixed(2)}, and this account scores ${o.score.toFixed(2)}.`;
    case "threshold":
      return r.minScore === null
        ? `Its score ${o.score.toFixed(2)} is below every tier's minimum, so it is in the last tier, ${o.computedTier}.`
        : `${o.computedTier} needs a score of at least ${r.minScore}; this account scores ${o.score.toFixed(2)}.`;
    case "pareto":
      return r.share === null
        ? `Tiers go by share of revenue; the accounts ahead of this one already make up the top tiers' revenue, so it is in ${o.computedTier}.`
        : `Tiers go by share of revenue: ${o.computedTier} holds the largest accounts until ${share(r.share)} of all revenue${r.revenueBefore !== undefined && r.total ? `; the accounts ahead of this one make ${share(r.revenueBefore / r.total)}` : ""}.`;
  }
}

export function describeOutcome(o: AccountOutcome, model: TierModel, name: string | undefined, asOf: number): string {
  const lines: string[] = [];
  lines.push(
    `${name ? `${name} (${o.accountid})` : o.accountid}: tier ${o.stored.tier}, score ${o.score.toFixed(2)} of 100, as of ${isoDate(asOf)}`,
  );
  const s = o.stored.rule;
  if (s.kind === "override")
    lines.push(
      `Set by hand to ${o.stored.tier}${s.until ? ` until ${s.until.slice(0, 10)}` : ""}: ${s.reason || "no reason given"}. The model says ${o.computedTier}.`,
    );
  if (s.kind === "held") {
    lines.push(
      `The model says ${o.computedTier}, but the account keeps ${o.stored.tier} for now: ${s.reason === "margin" ? "its score is not far enough below the tier's cut-point" : "it has not held the tier long enough"} (tiers do not drop on one bad month).`,
    );
  }
  lines.push(ruleText(o, model));
  lines.push("");
  lines.push(`What counted (last ${model.windowMonths} months):`);
  const width = Math.max(...o.kpis.map((k) => KPI_LABEL[k.kpi].length));
  for (const k of o.kpis) {
    lines.push(
      `  ${KPI_LABEL[k.kpi].padEnd(width)}  ${kpiValue(k.kpi, k.value).padStart(18)}  percentile ${k.pct.toFixed(0).padStart(3)}  weight ${share(k.weight / Object.values(model.weights).reduce((a, b) => a + b, 0)).padStart(4)}  → ${k.points.toFixed(1)} points`,
    );
  }
  lines.push("");
  const t = o.trend;
  const trendWords = {
    growing: "growing",
    stable: "stable",
    declining: "declining",
    insufficient: "not enough history yet",
  }[t.code];
  lines.push(
    `Trend: ${trendWords}${t.code === "insufficient" ? "" : ` (last quarter ${money(t.q0)} against a usual ${money(t.baseline)}, the median of the ${model.trend.baselineQuarters} quarters before)`}.`,
  );
  const c = o.cadence;
  const due =
    c.nextTouchDue === null
      ? "none while the account is dormant (its policy does not touch dormant accounts)"
      : c.overdueDays > 0
        ? `overdue by ${c.overdueDays} day${c.overdueDays === 1 ? "" : "s"}`
        : `due ${isoDate(c.nextTouchDue)}`;
  lines.push(`Touch: every ${c.days} days by ${c.channel}; next touch ${due}.`);
  if (c.overTouched)
    lines.push(`Over-touched: more than one touch per ${c.days} days over the last ${2 * c.days} days.`);
  return lines.join("\n") + "\n";
}

import type { TierRule } from "./explanation-types";
import type { TierModel } from "./model";
import { round9 } from "./numbers";

/**
 * The three tier rules of docs/tier-model.md over the accounts active in the window. Each returns, per tier but the last,
 * its cut-point (score; for pareto also the lowest monetary admitted) and each active account's tier index.
 */
export interface CutPoint {
  code: string;
  /** Lowest score that reaches this tier (percentile: tᵢ; thresholds: minScore; pareto: lowest score the rule admitted). null: nobody. */
  score: number | null;
  /** pareto only: lowest monetary the rule admitted into this tier, used by the on-save path. */
  monetary?: number | null;
}

export interface Assignment {
  tier: Uint16Array; // per active account (same order as the input arrays)
  cuts: CutPoint[];
  rules: TierRule[];
}

const lastIndex = (model: TierModel): number => model.tiers.length - 1;

function cumulative(model: TierModel, key: "share" | "revenueShare"): number[] {
  const out: number[] = [];
  let c = 0;
  for (const t of model.tiers.slice(0, -1)) out.push((c += t[key] ?? 0));
  return out;
}

/** First tier whose cut is reached by `score`, else the last. */
export function tierByScore(cuts: readonly (number | null)[], score: number): number {
  for (let i = 0; i < cuts.length; i++) {
    const cut = cuts[i];
    if (cut !== null && cut <= score) return i;
  }
  return cuts.length;
}

/** tierByScore of every score; a plain loop (a mapping `Uint16Array.from` took 15× as long at a million). */
function tiersByScore(cuts: readonly (number | null)[], scores: Float64Array): Uint16Array {
  const tier = new Uint16Array(scores.length);
  for (let i = 0; i < scores.length; i++) tier[i] = tierByScore(cuts, scores[i]);
  return tier;
}

export function assignPercentile(model: TierModel, scores: Float64Array): Assignment {
  const n = scores.length;
  const asc = scores.slice().sort();
  const cutScores = cumulative(model, "share").map((c) => {
    const pos = Math.ceil(round9(c * n));
    return pos >= 1 && n > 0 ? asc[n - Math.min(pos, n)] : null;
  });
  return {
    tier: tiersByScore(cutScores, scores),
    cuts: cutScores.map((score, i) => ({ code: model.tiers[i].code, score })),
    rules: cutScores
      .map((cut) => ({ kind: "percentile", cut }))
      .concat([{ kind: "percentile", cut: null }]) as TierRule[],
  };
}

export function assignThresholds(model: TierModel, scores: Float64Array): Assignment {
  const mins = model.tiers.slice(0, -1).map((t) => t.minScore ?? null);
  return {
    tier: tiersByScore(mins, scores),
    cuts: mins.map((score, i) => ({ code: model.tiers[i].code, score })),
    rules: mins
      .map((minScore) => ({ kind: "threshold", minScore }))
      .concat([{ kind: "threshold", minScore: null }]) as TierRule[],
  };
}

/** `before / total < share` decided exactly on integer cents: a float ratio can land on either side of an exact boundary. */
function belowShare(beforeCents: number, totalCents: number, share: number): boolean {
  const ratio = beforeCents / totalCents;
  if (Math.abs(ratio - share) > 1e-9) return ratio < share;
  const shareNano = BigInt(Math.round(round9(share) * 1e9));
  return BigInt(beforeCents) * 1_000_000_000n < shareNano * BigInt(totalCents);
}

export interface ParetoAssignment extends Assignment {
  /** Revenue of the accounts ranked before each active account (its rule's evidence). */
  revenueBefore: Float64Array;
  total: number;
}

/** pareto: by monetary descending then accountid ascending, each tier until its cumulative revenue share is reached. */
export function assignPareto(
  model: TierModel,
  ids: readonly string[],
  monetary: Float64Array,
  scores: Float64Array,
): ParetoAssignment {
  const n = monetary.length;
  const last = lastIndex(model);
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => monetary[b] - monetary[a] || (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0),
  );
  const cents = (m: number): number => Math.round(m * 100);
  let totalCents = 0;
  for (let i = 0; i < n; i++) if (monetary[i] > 0) totalCents += cents(monetary[i]);
  const shares = cumulative(model, "revenueShare");
  const tier = new Uint16Array(n).fill(last);
  const revenueBefore = new Float64Array(n);
  let before = 0;
  let current = 0;
  for (const i of order) {
    revenueBefore[i] = before / 100;
    if (monetary[i] <= 0) continue;
    while (current < shares.length && !belowShare(before, totalCents, shares[current])) current++;
    tier[i] = current;
    before += cents(monetary[i]);
  }
  const cuts: CutPoint[] = shares.map((_, t) => ({ code: model.tiers[t].code, score: null, monetary: null }));
  for (let i = 0; i < n; i++) {
    const t = tier[i];
    if (t === last) continue;
    const c = cuts[t];
    if (c.score === null || scores[i] < c.score) c.score = scores[i];
    if (c.monetary == null || monetary[i] < c.monetary) c.monetary = monetary[i];
  }
  const rules = Array.from({ length: last + 1 }, (_, t): TierRule => ({
    kind: "pareto",
    revenueBefore: 0,
    total: totalCents / 100,
    share: t < last ? shares[t] : null,
  }));
  return { tier, cuts, rules, revenueBefore, total: totalCents / 100 };
}

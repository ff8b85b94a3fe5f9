import { z } from "zod";
import { DAY_MS, isoInstant, parseInstant } from "./dates";
import { KPI_NAMES, type KpiName } from "./explanation-types";
import { scoreFromPcts } from "./kpis";
import { tierRank, type TierModel } from "./model";
import { round9 } from "./numbers";
import { outcomeAt } from "./population";
import type { RankResult } from "./rank";
import { decideStoredTier } from "./stored-tier";
import { tierByScore, type CutPoint } from "./tiering";

/**
 * A stratified, weighted sample of a ranked population's KPI vectors (docs/model-editor.md): what the re-rank stores
 * on the model row (ct_previewsamplejson) so the model editor can preview a changed model in the browser. Columns,
 * one entry per sampled account; `weight` is how many accounts of the population the row stands for.
 */
export interface PreviewSample {
  v: 1;
  asOf: string;
  /** The window the KPIs were computed over: a model with another window is previewed on these KPIs all the same. */
  windowMonths: number;
  /** Accounts in the population and how many were active in the window. */
  population: number;
  activeInWindow: number;
  /** Tier codes `tier` and `override` index into (the model of the re-rank). */
  tiers: string[];
  weight: number[];
  /** 1: active in the window (bought, won or has pipeline); only these are cut. */
  active: number[];
  /** Window revenue (base currency). */
  monetary: number[];
  /** Mid-rank percentile per KPI over the whole population, 0..100. */
  pct: Record<KpiName, number[]>;
  /** Today's stored tier (after this re-rank's hysteresis and override): index into `tiers`. */
  tier: number[];
  /** Days the account has held today's tier at asOf. */
  daysInTier: number[];
  /** Index of the override tier that is active at asOf, else -1. */
  override: number[];
}

/** Sample rows by default: a few thousand keep the JSON near 250 KB, well under a multiline column's 1,048,576. */
export const PREVIEW_SAMPLE_ROWS = 3000;

/**
 * Builds the sample from a ranked population. Strata: the accounts that carry the most revenue are all taken (weight
 * 1; they decide revenue shares and the pareto cut); the rest is split by today's tier and activity, with rows
 * allotted in proportion to size (at least 20 per stratum), taken evenly along the score order within a stratum
 * (systematic sampling), each weighted by stratum size / rows taken. A population no larger than `rows` is taken
 * whole. Deterministic: the same ranking gives the same sample.
 */
export function buildPreviewSample(r: RankResult, rows = PREVIEW_SAMPLE_ROWS): PreviewSample {
  const n = r.tier.length;
  const model = r.model;
  const asOf = r.facts.window.asOf;
  const outcomes = new Map<number, ReturnType<typeof outcomeAt>>();
  const stored = (i: number) => {
    let o = outcomes.get(i);
    if (!o) outcomes.set(i, (o = outcomeAt(r, i)));
    return o;
  };
  const picked: { i: number; weight: number }[] = [];
  if (n <= rows) {
    for (let i = 0; i < n; i++) picked.push({ i, weight: 1 });
  } else {
    const byRevenue = Array.from({ length: n }, (_, i) => i).sort((a, b) => r.facts.monetary[b] - r.facts.monetary[a]);
    const takeAll = new Set(byRevenue.slice(0, Math.floor(rows / 10)).filter((i) => r.facts.monetary[i] > 0));
    for (const i of takeAll) picked.push({ i, weight: 1 });
    // The rest by today's stored tier and activity: what the movement and the cut need to see in proportion.
    const strata = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      if (takeAll.has(i)) continue;
      const key = `${stored(i).stored.tier}|${r.active[i]}`;
      (strata.get(key) ?? strata.set(key, []).get(key)!).push(i);
    }
    const rest = n - takeAll.size;
    const budget = rows - takeAll.size;
    for (const members of strata.values()) {
      const m = Math.min(members.length, Math.max(20, Math.round((budget * members.length) / rest)));
      members.sort((a, b) => r.score[a] - r.score[b] || a - b);
      const weight = members.length / m;
      for (let k = 0; k < m; k++) picked.push({ i: members[Math.floor(((k + 0.5) * members.length) / m)], weight });
    }
  }
  picked.sort((a, b) => a.i - b.i);
  const tiers = model.tiers.map((t) => t.code);
  const pct = Object.fromEntries(
    KPI_NAMES.map((k) => [k, picked.map(({ i }) => Math.round(r.pct[k][i] * 1e4) / 1e4)]),
  ) as Record<KpiName, number[]>;
  return {
    v: 1,
    asOf: isoInstant(asOf),
    windowMonths: model.windowMonths,
    population: n,
    activeInWindow: r.table.activeInWindow,
    tiers,
    weight: picked.map((p) => Math.round(p.weight * 1e6) / 1e6),
    active: picked.map(({ i }) => r.active[i]),
    monetary: picked.map(({ i }) => Math.round(r.facts.monetary[i] * 100) / 100),
    pct,
    tier: picked.map(({ i }) => tiers.indexOf(stored(i).stored.tier)),
    daysInTier: picked.map(({ i }) => Math.max(0, Math.floor((asOf - stored(i).stored.changedOn) / DAY_MS))),
    override: picked.map(({ i }) => {
      const rule = stored(i).stored.rule;
      return rule.kind === "override" ? tiers.indexOf(stored(i).stored.tier) : -1;
    }),
  };
}

/** Accounts (weighted) and window revenue the previewed model puts in one tier. */
export interface PreviewTierRow {
  tier: string;
  /** Accounts the previewed model computes into this tier, inactive ones in the last (estimated from the weights). */
  accounts: number;
  /** Accounts that would hold this tier after hysteresis and overrides. */
  stored: number;
  /** Of the accounts active in the window (the population the cut is taken over) with this computed tier. */
  activeShare: number;
  revenue: number;
  /** Window revenue of the accounts computed into this tier, and its share of the whole; null: not positive. */
  revenueShare: number | null;
}

export interface ModelPreview {
  rows: PreviewTierRow[];
  /** movement[from][to]: accounts from today's tier (index into `from`) to the previewed stored tier (into rows). */
  from: string[];
  movement: number[][];
  up: number;
  down: number;
  same: number;
  /** The previewed model's window differs from the sample's: KPIs are those of the sample's window. */
  windowDiffers: boolean;
  asOf: string;
  population: number;
}

/**
 * What `model` would do to the sampled population: each row scored with the model's weights, cut by its method over
 * the weighted active rows (as the re-rank cuts the whole population), then settled against today's tier with the
 * model's hysteresis. Accounts, revenue and movement are weighted sums.
 */
export function previewModel(sample: PreviewSample, model: TierModel): ModelPreview {
  const rowsN = sample.weight.length;
  const last = model.tiers.length - 1;
  const score = Float64Array.from({ length: rowsN }, (_, i) => scoreFromPcts(model, (k) => sample.pct[k][i]));
  const computed = new Uint16Array(rowsN).fill(last);
  const active: number[] = [];
  for (let i = 0; i < rowsN; i++) if (sample.active[i] === 1) active.push(i);
  const cuts = cutActive(model, sample, score, active, computed);

  const asOf = parseInstant(sample.asOf);
  const rows: PreviewTierRow[] = model.tiers.map((t) => ({
    tier: t.code,
    accounts: 0,
    stored: 0,
    activeShare: 0,
    revenue: 0,
    revenueShare: null,
  }));
  const from = [...sample.tiers, "—"];
  const movement = from.map(() => rows.map(() => 0));
  let activeWeight = 0;
  let revenue = 0;
  let up = 0;
  let down = 0;
  let same = 0;
  for (let i = 0; i < rowsN; i++) {
    const w = sample.weight[i];
    const today = sample.tier[i] >= 0 ? sample.tiers[sample.tier[i]] : null;
    const override = sample.override[i] >= 0 ? sample.tiers[sample.override[i]] : null;
    const decision = decideStoredTier(
      model,
      cuts,
      model.tiers[computed[i]].code,
      score[i],
      { tier: today, changedOn: asOf - sample.daysInTier[i] * DAY_MS, override },
      asOf,
    );
    const t = tierRank(model, decision.tier);
    rows[t].stored += w;
    rows[computed[i]].accounts += w;
    rows[computed[i]].revenue += w * sample.monetary[i];
    revenue += w * sample.monetary[i];
    if (sample.active[i] === 1) {
      rows[computed[i]].activeShare += w;
      activeWeight += w;
    }
    movement[sample.tier[i] >= 0 ? sample.tier[i] : from.length - 1][t] += w;
    const before = tierRank(model, today);
    if (before < 0 || before === t) same += w;
    else if (t < before) up += w;
    else down += w;
  }
  for (const row of rows) {
    row.activeShare = activeWeight > 0 ? row.activeShare / activeWeight : 0;
    row.revenueShare = revenue > 0 ? row.revenue / revenue : null;
  }
  return {
    rows,
    from,
    movement,
    up,
    down,
    same,
    windowDiffers: model.windowMonths !== sample.windowMonths,
    asOf: sample.asOf,
    population: sample.population,
  };
}

/** The model's rule over the weighted active rows; fills `computed` and returns the cut-points hysteresis reads. */
function cutActive(
  model: TierModel,
  sample: PreviewSample,
  score: Float64Array,
  active: number[],
  computed: Uint16Array,
): CutPoint[] {
  const shares = cumulative(model, model.method === "pareto" ? "revenueShare" : "share");
  const total = active.reduce((s, i) => s + sample.weight[i], 0);
  if (model.method === "thresholds" || model.method === "percentile") {
    let cutScores: (number | null)[];
    if (model.method === "thresholds") cutScores = model.tiers.slice(0, -1).map((t) => t.minScore ?? null);
    else {
      // The score of the account at weighted position ceil(share × active) from the top, as assignPercentile takes it.
      const desc = [...active].sort((a, b) => score[b] - score[a]);
      cutScores = shares.map((c) => {
        const target = round9(c * total);
        if (target <= 0 || desc.length === 0) return null;
        let seen = 0;
        for (const i of desc) if ((seen += sample.weight[i]) >= target - 1e-9) return score[i];
        return score[desc[desc.length - 1]];
      });
    }
    for (const i of active) computed[i] = tierByScore(cutScores, score[i]);
    return cutScores.map((s, t) => ({ code: model.tiers[t].code, score: s }));
  }
  // pareto: by revenue, each tier until its cumulative share of the active rows' positive revenue is reached.
  const desc = [...active].sort((a, b) => sample.monetary[b] - sample.monetary[a] || a - b);
  const revenue = active.reduce((s, i) => s + Math.max(0, sample.monetary[i]) * sample.weight[i], 0);
  let before = 0;
  let current = 0;
  const cuts: CutPoint[] = shares.map((_, t) => ({ code: model.tiers[t].code, score: null, monetary: null }));
  for (const i of desc) {
    if (sample.monetary[i] <= 0) continue;
    while (current < shares.length && before / revenue >= shares[current] - 1e-12) current++;
    computed[i] = current;
    before += sample.monetary[i] * sample.weight[i];
    const c = cuts[current];
    if (c && (c.score === null || score[i] < c.score)) c.score = score[i];
  }
  return cuts;
}

function cumulative(model: TierModel, key: "share" | "revenueShare"): number[] {
  let c = 0;
  return model.tiers.slice(0, -1).map((t) => (c += t[key] ?? 0));
}

const column = z.array(z.number());
const sampleSchema = z.object({
  v: z.literal(1),
  asOf: z.string(),
  windowMonths: z.number(),
  population: z.number(),
  activeInWindow: z.number(),
  tiers: z.array(z.string()).min(1),
  weight: column,
  active: column,
  monetary: column,
  pct: z.object(Object.fromEntries(KPI_NAMES.map((k) => [k, column])) as Record<KpiName, typeof column>),
  tier: column,
  daysInTier: column,
  override: column,
});

/** Reads ct_previewsamplejson; throws naming the field when it is not a sample this engine wrote. */
export function parsePreviewSample(json: string): PreviewSample {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error("preview sample: not JSON");
  }
  const parsed = sampleSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`preview sample: ${issue.path.join(".") || "(sample)"}: ${issue.message}`);
  }
  const s = parsed.data;
  const n = s.weight.length;
  const columns = [s.active, s.monetary, s.tier, s.daysInTier, s.override, ...KPI_NAMES.map((k) => s.pct[k])];
  if (columns.some((c) => c.length !== n)) throw new Error("preview sample: columns differ in length");
  if (Number.isNaN(parseInstant(s.asOf))) throw new Error(`preview sample: asOf: not an instant: ${s.asOf}`);
  return s;
}

import { outcomeAt } from "../engine/population";
import { tierDistribution } from "../engine/distribution";
import { DAY_MS, isoDate } from "../engine/dates";
import { DEFAULT_POLICY_SET, policyFor } from "../engine/policy";
import type { RankResult } from "../engine/rank";
import {
  GONE_LABEL,
  NEW_LABEL,
  type DecliningRow,
  type MovementMatrix,
  type OverdueRow,
  type ParetoCurve,
  type ReportData,
  type TouchRhythmRow,
} from "./model";

export interface BuildOptions {
  /** accountid (any case) → computed tier code of a previous `tiering rank` run (its `tier` column). */
  previous?: ReadonlyMap<string, string> | null;
  /** accountid (any case) → stored tier of the same run (its `storedtier` column): the movement's main view. */
  previousStored?: ReadonlyMap<string, string> | null;
  previousSource?: string | null;
  /** Rows per account list (declining, overdue). */
  listLimit?: number;
  /** Most points drawn on the Pareto curve. */
  maxCurvePoints?: number;
}

/** Everything the quarterly review shows, from the engine's batch result: no numbers of its own making. */
export function buildReport(r: RankResult, options: BuildOptions = {}): ReportData {
  const listLimit = options.listLimit ?? 25;
  const tiers = r.model.tiers.map((t) => t.code);
  const last = tiers.length - 1;
  const n = r.facts.accounts.length;

  const distribution = tierDistribution(r);

  const declining: DecliningRow[] = [];
  const overdue: OverdueRow[] = [];
  // The stored tier of each account (hysteresis, overrides), for the movement's main view.
  const stored = options.previousStored
    ? Uint16Array.from({ length: n }, (_, i) => tiers.indexOf(outcomeAt(r, i).stored.tier))
    : null;
  for (let i = 0; i < n; i++) {
    const trend = r.trend[i];
    const isDeclining = trend.code === "declining" && r.tier[i] !== last;
    const acc = r.facts.accounts[i];
    // Only these can hold the top tier after hysteresis and overrides; the rest need no outcome.
    const holdsTop = r.tier[i] === 0 || acc.ct_tier === tiers[0] || acc.ct_tieroverride === tiers[0];
    if (!isDeclining && !holdsTop) continue;
    const a = r.facts.accounts[i];
    const name = a.name ?? "";
    if (isDeclining) {
      declining.push({
        accountid: a.accountid,
        name,
        tier: tiers[r.tier[i]],
        monetary: r.facts.monetary[i],
        q0: trend.q0,
        baseline: trend.baseline,
        delta: trend.delta,
      });
    }
    if (holdsTop) {
      // The stored tier (hysteresis, overrides) decides the cadence: the engine's outcome, not the computed tier.
      const o = outcomeAt(r, i);
      if (o.stored.tier === tiers[0] && o.cadence.nextTouchDue !== null && o.cadence.overdueDays > 0) {
        overdue.push({
          accountid: a.accountid,
          name,
          tier: o.stored.tier,
          nextTouchDue: isoDate(o.cadence.nextTouchDue),
          overdueDays: o.cadence.overdueDays,
          channel: o.cadence.channel,
          cadenceDays: o.cadence.days,
        });
      }
    }
  }
  declining.sort((x, y) => y.monetary - x.monetary || x.accountid.localeCompare(y.accountid));
  overdue.sort((x, y) => y.overdueDays - x.overdueDays || x.accountid.localeCompare(y.accountid));

  return {
    asOf: r.table.asOf,
    method: r.model.method,
    windowMonths: r.model.windowMonths,
    tiers,
    population: n,
    activeInWindow: r.table.activeInWindow,
    netRevenue: distribution.reduce((sum, row) => sum + row.revenue, 0),
    distribution,
    pareto: paretoCurve(r, options.maxCurvePoints ?? 400),
    movement: stored && options.previousStored ? movementMatrix(r, options.previousStored, stored) : null,
    movementComputed: options.previous ? movementMatrix(r, options.previous) : null,
    previousSource: options.previous || options.previousStored ? (options.previousSource ?? null) : null,
    touchRhythm: touchRhythm(r),
    declining: declining.slice(0, listLimit),
    decliningTotal: declining.length,
    overdue: overdue.slice(0, listLimit),
    overdueTotal: overdue.length,
    topTier: tiers[0],
    listLimit,
  };
}

/** Cumulative positive revenue by account rank (largest first) over the accounts active in the window. */
export function paretoCurve(r: RankResult, maxPoints: number): ParetoCurve {
  const tiers = r.model.tiers.map((t) => t.code);
  const revenue: number[] = [];
  const perTier = new Array<number>(tiers.length).fill(0);
  for (let i = 0; i < r.facts.accounts.length; i++) {
    if (!r.active[i]) continue;
    revenue.push(Math.max(0, r.facts.monetary[i]));
    perTier[r.tier[i]]++;
  }
  revenue.sort((a, b) => b - a);
  const m = revenue.length;
  const cum = new Float64Array(m + 1);
  for (let k = 0; k < m; k++) cum[k + 1] = cum[k] + revenue[k];
  const total = cum[m];
  const share = (k: number): number => (total > 0 ? cum[k] / total : 0);
  const step = Math.max(1, Math.ceil(m / Math.max(1, maxPoints)));
  const points: [number, number][] = [[0, 0]];
  for (let k = step; k < m; k += step) points.push([k / m, share(k)]);
  if (m > 0) points.push([1, share(m)]);
  const cuts = [];
  let accounts = 0;
  for (let t = 0; t < tiers.length - 1; t++) {
    accounts += perTier[t];
    cuts.push({ tier: tiers[t], accounts, rankShare: m ? accounts / m : 0, curveShare: share(accounts) });
  }
  return { activeAccounts: m, positiveRevenue: total, points, cuts };
}

/**
 * Previous tier (rows) against today's tier (columns), per account id: today's computed tier, or the tier index
 * per account given in `now` (the stored tiers).
 */
export function movementMatrix(
  r: RankResult,
  previous: ReadonlyMap<string, string>,
  nowTiers: ArrayLike<number> = r.tier,
): MovementMatrix {
  const tiers = r.model.tiers.map((t) => t.code);
  const index = new Map(tiers.map((t, i) => [t, i]));
  const from = [...tiers, NEW_LABEL];
  const to = [...tiers, GONE_LABEL];
  const counts = from.map(() => to.map(() => 0));
  const prev = new Map<string, string>();
  for (const [id, tier] of previous) prev.set(id.toLowerCase(), tier);
  const m: MovementMatrix = {
    from,
    to,
    counts,
    unchanged: 0,
    promoted: 0,
    demoted: 0,
    entered: 0,
    left: 0,
    unknownTier: 0,
  };
  const seen = new Set<string>();
  for (let i = 0; i < r.facts.accounts.length; i++) {
    const id = r.facts.accounts[i].accountid.toLowerCase();
    seen.add(id);
    const now = nowTiers[i];
    const before = prev.get(id);
    if (before === undefined) {
      counts[tiers.length][now]++;
      m.entered++;
      continue;
    }
    const b = index.get(before);
    if (b === undefined) {
      m.unknownTier++;
      continue;
    }
    counts[b][now]++;
    if (b === now) m.unchanged++;
    else if (now < b) m.promoted++;
    else m.demoted++;
  }
  for (const [id, tier] of prev) {
    if (seen.has(id)) continue;
    const b = index.get(tier);
    if (b === undefined) {
      m.unknownTier++;
      continue;
    }
    counts[b][tiers.length]++;
    m.left++;
  }
  return m;
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Which touch rhythm goes with growth: per computed tier, the median days between an account's last three touches
 * (activities), for its growing accounts and for its declining ones. Accounts with fewer than two touches, or whose
 * export holds no touch times, are left out.
 */
export function touchRhythm(r: RankResult): TouchRhythmRow[] {
  const policies = r.policies ?? DEFAULT_POLICY_SET;
  const rows = r.model.tiers.map((t) => ({ tier: t.code, growing: [] as number[], declining: [] as number[] }));
  const touches = r.facts.recentTouches;
  if (touches) {
    for (let i = 0; i < r.facts.accounts.length; i++) {
      const code = r.trend[i].code;
      if (code !== "growing" && code !== "declining") continue;
      const t1 = touches[i * 3];
      const t2 = touches[i * 3 + 1];
      const t3 = touches[i * 3 + 2];
      if (!Number.isFinite(t2)) continue;
      const days = Number.isFinite(t3) ? (t1 - t3) / 2 / DAY_MS : (t1 - t2) / DAY_MS;
      rows[r.tier[i]][code].push(days);
    }
  }
  return rows.map((x) => ({
    tier: x.tier,
    cadenceDays: policyFor(policies, x.tier).cadenceDays,
    growing: { accounts: x.growing.length, medianDays: median(x.growing) },
    declining: { accounts: x.declining.length, medianDays: median(x.declining) },
  }));
}

/**
 * A deliberately naive second implementation of docs/tier-model.md, written from the text and sharing no code with
 * src/engine beyond the resolved model: quadratic counting, Date objects, plain arrays. Property tests compare the
 * engine with it on random populations.
 */
import type { AccountRow, ActivityRow, InvoiceRow, OpportunityRow, TierModel } from "../../src/engine";

export interface RefResult {
  accountid: string;
  tier: string;
  score: number;
  trend: string;
  monetary: number;
  frequency: number;
  recency: number | null;
  won: number;
  pipeline: number;
}

const r2 = (x: number): number => {
  const v = Math.round(Math.abs(x) * 100) / 100;
  return x < 0 ? -v : v + 0;
};
const r = (x: number, d: number): number => Number((Math.round(x * 10 ** d) / 10 ** d).toFixed(d));

function monthsBefore(asOf: Date, months: number): Date {
  const y = asOf.getUTCFullYear();
  const m = asOf.getUTCMonth() - months;
  const target = new Date(
    Date.UTC(y, m, 1, asOf.getUTCHours(), asOf.getUTCMinutes(), asOf.getUTCSeconds(), asOf.getUTCMilliseconds()),
  );
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(asOf.getUTCDate(), lastDay));
  return target;
}

function quarterKey(t: number): number {
  const d = new Date(t);
  return d.getUTCFullYear() * 4 + Math.floor(d.getUTCMonth() / 3);
}
function quarterStartOfKey(key: number): number {
  return Date.UTC(Math.floor(key / 4), (key % 4) * 3, 1);
}

export function referenceRank(
  model: TierModel,
  asOfMs: number,
  accounts: AccountRow[],
  invoices: InvoiceRow[],
  opportunities: OpportunityRow[],
  _activities: ActivityRow[],
): RefResult[] {
  const asOf = new Date(asOfMs);
  const start = monthsBefore(asOf, model.windowMonths).getTime();
  const pop = accounts.filter((a) => a.statecode === 0);
  const N = pop.length;
  const counted = (i: InvoiceRow): boolean => model.invoiceStates.includes(i.statecode) && i.createdon < asOfMs;
  const inWindow = (t: number | null): boolean => t !== null && t >= start && t < asOfMs;

  const group = <T extends { customerid: string }>(rows: T[]): Map<string, T[]> => {
    const m = new Map<string, T[]>();
    for (const row of rows) (m.get(row.customerid) ?? m.set(row.customerid, []).get(row.customerid)!).push(row);
    return m;
  };
  const invoicesOf = group(invoices);
  const opportunitiesOf = group(opportunities);
  const facts = pop.map((a) => {
    const inv = (invoicesOf.get(a.accountid) ?? []).filter(counted);
    const winInv = inv.filter((i) => inWindow(i.createdon));
    const opps = opportunitiesOf.get(a.accountid) ?? [];
    const wonOpps = opps.filter((o) => o.statecode === 1 && inWindow(o.actualclosedate));
    const monetary = r2(winInv.reduce((s, i) => s + i.totalamount_base, 0));
    const frequency = winInv.filter((i) => i.totalamount_base > 0).length;
    const events = [
      ...winInv.filter((i) => i.totalamount_base > 0).map((i) => i.createdon),
      ...wonOpps.map((o) => o.actualclosedate as number),
    ];
    const recency = events.length ? Math.floor((asOfMs - Math.max(...events)) / 86400000) : null;
    const won = r2(wonOpps.reduce((s, o) => s + (o.actualvalue_base ?? 0), 0));
    const pipeline = r2(
      opps
        .filter((o) => o.statecode === 0)
        .reduce((s, o) => s + ((o.estimatedvalue_base ?? 0) * (o.closeprobability ?? 0)) / 100, 0),
    );
    // Trend
    const asOfQ = quarterKey(asOfMs);
    const q0Key = asOfQ - 1;
    const qRevenue = (key: number): number =>
      r2(inv.filter((i) => quarterKey(i.createdon) === key).reduce((s, i) => s + i.totalamount_base, 0));
    const q0 = qRevenue(q0Key);
    const base = Array.from({ length: model.trend.baselineQuarters }, (_, j) => qRevenue(q0Key - 1 - j)).sort(
      (x, y) => x - y,
    );
    const mid = Math.floor(base.length / 2);
    const baseline = base.length % 2 === 1 ? base[mid] : (base[mid - 1] + base[mid]) / 2;
    const earliest = quarterStartOfKey(q0Key - model.trend.baselineQuarters);
    const first = inv.length ? Math.min(...inv.map((i) => i.createdon)) : null;
    const t = model.trend;
    let trend = "stable";
    if (first === null || first > earliest) trend = "insufficient";
    else if (baseline > 0 && q0 <= (1 - t.dropRatio) * baseline && baseline - q0 >= t.minAbsoluteChange)
      trend = "declining";
    else if (q0 >= (1 + t.riseRatio) * baseline && q0 - baseline >= t.minAbsoluteChange) trend = "growing";
    const active = monetary !== 0 || frequency > 0 || won > 0 || pipeline > 0;
    return { id: a.accountid, monetary, frequency, recency, won, pipeline, trend, active };
  });

  // "fewer days is better": a missing recency is the worst, so it is a larger number of days than any.
  const better = (k: string, x: number | null, y: number | null): number => {
    if (k === "recency") {
      const dx = x === null ? Number.MAX_VALUE : x;
      const dy = y === null ? Number.MAX_VALUE : y;
      return Math.sign(dy - dx);
    }
    return Math.sign((x as number) - (y as number));
  };
  const kpis = ["monetary", "frequency", "recency", "pipeline", "won"] as const;
  const scores = facts.map((f) => {
    let sum = 0;
    let wsum = 0;
    for (const k of kpis) {
      let below = 0;
      let equal = 0;
      for (const g of facts) {
        const c = better(k, f[k], g[k]);
        if (c > 0) below++;
        else if (c === 0) equal++;
      }
      const pct = (100 * (below + 0.5 * equal)) / N;
      sum += model.weights[k] * pct;
      wsum += model.weights[k];
    }
    return r(sum / wsum, 6);
  });

  const lastTier = model.tiers[model.tiers.length - 1].code;
  const tiers = facts.map(() => lastTier);
  const act = facts.map((f, i) => ({ f, i })).filter((x) => x.f.active);
  const n = act.length;
  if (model.method === "percentile") {
    const sorted = act.map((x) => scores[x.i]).sort((a, b) => b - a);
    let c = 0;
    const cuts = model.tiers.slice(0, -1).map((t) => {
      c += t.share ?? 0;
      const pos = Math.ceil(r(c * n, 9));
      return pos >= 1 ? sorted[Math.min(pos, n) - 1] : Infinity;
    });
    for (const x of act) {
      const k = cuts.findIndex((cut) => cut <= scores[x.i]);
      tiers[x.i] = k >= 0 ? model.tiers[k].code : lastTier;
    }
  } else if (model.method === "thresholds") {
    for (const x of act) {
      const k = model.tiers.slice(0, -1).findIndex((t) => (t.minScore as number) <= scores[x.i]);
      tiers[x.i] = k >= 0 ? model.tiers[k].code : lastTier;
    }
  } else {
    const sorted = [...act].sort(
      (a, b) => b.f.monetary - a.f.monetary || (a.f.id.toLowerCase() < b.f.id.toLowerCase() ? -1 : 1),
    );
    // Exact decimal arithmetic on cents and on shares to 9 decimals.
    const cents = (m: number): bigint => BigInt(Math.round(m * 100));
    const T = sorted.reduce((s, x) => s + (x.f.monetary > 0 ? cents(x.f.monetary) : 0n), 0n);
    let c = 0;
    const cum = model.tiers.slice(0, -1).map((t) => BigInt(Math.round(r((c += t.revenueShare ?? 0), 9) * 1e9)));
    let before = 0n;
    for (const x of sorted) {
      if (x.f.monetary <= 0) continue;
      const k = cum.findIndex((share) => before * 1_000_000_000n < share * T);
      tiers[x.i] = k >= 0 ? model.tiers[k].code : lastTier;
      before += cents(x.f.monetary);
    }
  }
  return facts.map((f, i) => ({
    accountid: f.id,
    tier: tiers[i],
    score: scores[i],
    trend: f.trend,
    monetary: f.monetary,
    frequency: f.frequency,
    recency: f.recency,
    won: f.won,
    pipeline: f.pipeline,
  }));
}

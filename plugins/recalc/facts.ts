import { round2, windowFor, type AccountFacts, type TierModel } from "../../src/engine";

export type ResultRow = Record<string, unknown>;

export { round2 };

/** An aggregate cell as a number; an aggregate over no rows comes back null or absent. */
export function num(v: unknown, what: string): number {
  if (v === null || v === undefined) return 0;
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new TypeError(`${what}: expected a number, got ${JSON.stringify(v)}`);
  return n;
}

/** An aggregate cell as epoch ms: the Web API returns ISO text (dataverse-ify revives 'Z' instants into Dates). */
export function instant(v: unknown, what: string): number | null {
  if (v === null || v === undefined || v === "") return null;
  if (v instanceof Date) return v.getTime();
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
    if (!Number.isNaN(t)) return t;
  }
  throw new TypeError(`${what}: expected a date, got ${JSON.stringify(v)}`);
}

const one = (rows: ResultRow[] | undefined): ResultRow => rows?.[0] ?? {};
const maxOf = (...xs: (number | null)[]): number | null =>
  xs.reduce<number | null>((m, x) => (x !== null && (m === null || x > m) ? x : m), null);

/**
 * AccountFacts from the results of `factQueries` (by name). `storedLastTouch` is the account's ct_lasttouchon: the
 * batch starts from it too, so a touch logged before activities were kept still counts.
 */
export function factsFromResults(
  accountid: string,
  model: TierModel,
  asOf: number,
  results: Record<string, ResultRow[]>,
  storedLastTouch: number | null,
): AccountFacts {
  const w = windowFor(model, asOf);
  const purchases = one(results.purchases);
  const won = one(results.won);
  let pipeline = 0;
  for (const row of results.pipeline ?? []) {
    pipeline +=
      (num(row.estimatedvalue_base, "pipeline.estimatedvalue_base") *
        num(row.closeprobability, "pipeline.closeprobability")) /
      100;
  }
  // Up to three latest touches per activity table; the three latest of all are among them.
  const touches = Object.keys(results)
    .filter((k) => k.startsWith("touch_"))
    .flatMap((k) => (results[k] ?? []).map((row) => instant(row.actualend, `${k}.actualend`)))
    .filter((t): t is number => t !== null)
    .sort((a, b) => b - a);
  const stored = storedLastTouch !== null && storedLastTouch < asOf ? storedLastTouch : null;
  return {
    accountid,
    monetary: round2(num(one(results.monetary).total, "monetary.total")),
    frequency: num(purchases.n, "purchases.n"),
    lastEventOn: maxOf(instant(purchases.last, "purchases.last"), instant(won.last, "won.last")),
    won: round2(num(won.total, "won.total")),
    pipeline: round2(pipeline),
    quarters: w.quarterStarts.map((_, j) => round2(num(one(results[`quarter${j}`]).total, `quarter${j}.total`))),
    firstInvoiceOn: instant(one(results.firstInvoice).createdon, "firstInvoice.createdon"),
    lastTouchOn: maxOf(stored, ...touches),
    thirdTouchOn: touches[2] ?? null,
  };
}

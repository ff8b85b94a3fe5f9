import { KPI_NAMES, type KpiContribution, type TierExplanation } from "../engine/explanation-types";

export type ParsedExplanation = { ok: true; value: TierExplanation } | { ok: false; problem: string };

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * Reads the ct_tierreason JSON. Only the parts the callout shows are checked; a problem names the field, so a
 * broken explanation shows a clear message instead of wrong numbers.
 */
export function parseExplanation(json: string): ParsedExplanation {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (e) {
    return { ok: false, problem: `ct_tierreason is not JSON: ${(e as Error).message}` };
  }
  if (typeof data !== "object" || data === null) return { ok: false, problem: "ct_tierreason: expected an object" };
  const x = data as Partial<TierExplanation>;
  if (x.v !== 1) return { ok: false, problem: `ct_tierreason.v: expected 1, got ${JSON.stringify(x.v)}` };
  if (!isNum(x.score)) return { ok: false, problem: "ct_tierreason.score: expected a number" };
  if (!Array.isArray(x.kpis)) return { ok: false, problem: "ct_tierreason.kpis: expected an array" };
  for (const [i, k] of (x.kpis as unknown[]).entries()) {
    const c = k as Partial<KpiContribution>;
    if (!KPI_NAMES.includes(c?.kpi as never))
      return { ok: false, problem: `ct_tierreason.kpis[${i}].kpi: unknown KPI ${JSON.stringify(c?.kpi)}` };
    for (const f of ["pct", "weight", "points"] as const) {
      if (!isNum(c[f])) return { ok: false, problem: `ct_tierreason.kpis[${i}].${f}: expected a number` };
    }
    if (c.value !== null && !isNum(c.value))
      return { ok: false, problem: `ct_tierreason.kpis[${i}].value: expected a number or null` };
  }
  if (typeof x.rule !== "object" || x.rule === null || typeof x.rule.kind !== "string") {
    return { ok: false, problem: "ct_tierreason.rule: expected an object with a kind" };
  }
  return { ok: true, value: x as TierExplanation };
}

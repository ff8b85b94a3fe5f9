import { addMonths, quarterStart } from "./dates";
import type { TierModel } from "./model";

/**
 * The instants every rule of docs/tier-model.md measures against, computed once per run.
 * quarterStarts[0] is Q0 (the quarter before the one holding asOf), quarterStarts[j] is Q-j.
 */
export interface Window {
  asOf: number;
  start: number; // asOf − windowMonths calendar months (inclusive)
  quarterStarts: number[]; // length baselineQuarters + 1
  quartersEnd: number; // end of Q0 = start of the quarter holding asOf
}

export function windowFor(model: TierModel, asOf: number): Window {
  const quarterStarts = Array.from({ length: model.trend.baselineQuarters + 1 }, (_, j) => quarterStart(asOf, -1 - j));
  return { asOf, start: addMonths(asOf, -model.windowMonths), quarterStarts, quartersEnd: quarterStart(asOf) };
}

/** Index j of the quarter Q-j holding t, or -1 outside Q0..Q-B. */
export function quarterIndex(w: Window, t: number): number {
  if (t >= w.quartersEnd) return -1;
  const qs = w.quarterStarts;
  for (let j = 0; j < qs.length; j++) if (t >= qs[j]) return j;
  return -1;
}

import { stringify } from "csv-stringify/sync";
import { isoDate } from "../engine/dates";
import { outcomeAt } from "../engine/batch";
import type { RankResult } from "../engine/rank";
import { writeChunk } from "./atomic-file";

/** The `tiering rank` output (design.md §5): tier = computed tier code, score with 6 decimals. */
export const TIERS_CSV_COLUMNS = [
  "accountid", "name", "tier", "score", "trend", "trenddelta", "activeinwindow",
  "monetary", "frequency", "recencydays", "pipeline", "won",
  "storedtier", "storedrule", "previoustier", "cadencedays", "channel", "nexttouchdue", "overduedays",
] as const;

const BATCH = 2000;

export async function writeTiersCsv(r: RankResult, out: NodeJS.WritableStream): Promise<void> {
  await writeChunk(out, TIERS_CSV_COLUMNS.join(",") + "\n");
  const n = r.facts.accounts.length;
  for (let start = 0; start < n; start += BATCH) {
    const rows: (string | number)[][] = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      const o = outcomeAt(r, i);
      const v = (k: number): string | number => (o.kpis[k].value === null ? "" : o.kpis[k].value!);
      rows.push([
        o.accountid, r.facts.accounts[i].name ?? "", o.computedTier, o.score.toFixed(6), o.trend.code, o.trend.delta.toFixed(2), o.activeInWindow ? 1 : 0,
        v(0), v(1), v(2), v(3), v(4),
        o.stored.tier, o.stored.rule.kind, o.stored.previousTier ?? "", o.cadence.days, o.cadence.channel, isoDate(o.cadence.nextTouchDue), o.cadence.overdueDays,
      ]);
    }
    await writeChunk(out, stringify(rows));
  }
}

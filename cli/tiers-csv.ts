import { isoDate } from "../src/engine/dates";
import { outcomeAt } from "../src/engine/population";
import type { RankResult } from "../src/engine/rank";
import { csvText } from "../src/export-reader/csv-field";
import { writeChunk } from "./atomic-file";

/** The `tiering rank` output (docs/export-folder.md): tier = computed tier code, score with 6 decimals. */
export const TIERS_CSV_COLUMNS = [
  "accountid",
  "name",
  "tier",
  "score",
  "trend",
  "trenddelta",
  "activeinwindow",
  "monetary",
  "frequency",
  "recencydays",
  "pipeline",
  "won",
  "storedtier",
  "storedrule",
  "previoustier",
  "cadencedays",
  "channel",
  "nexttouchdue",
  "overduedays",
] as const;

const BATCH = 2000;

// Text cells go through csvText (a formula-looking value gets a leading quote, OWASP); numeric cells are numbers we
// format ourselves and stay as they are, so "-0.35" remains a negative number to a spreadsheet.

/** A number as JavaScript prints it (what the file always held); empty for null. */
const cell = (v: number | null): string => (v === null ? "" : String(v));

export async function writeTiersCsv(r: RankResult, out: NodeJS.WritableStream): Promise<void> {
  await writeChunk(out, TIERS_CSV_COLUMNS.join(",") + "\n");
  const n = r.facts.accounts.length;
  for (let start = 0; start < n; start += BATCH) {
    // One string per batch, built directly: a million rows of arrays for a CSV library cost more than ranking them.
    let text = "";
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      const o = outcomeAt(r, i);
      const k = o.kpis;
      text +=
        `${csvText(o.accountid)},${csvText(r.facts.accounts[i].name ?? "")},${csvText(o.computedTier)},${o.score.toFixed(6)},${csvText(o.trend.code)},${o.trend.delta.toFixed(2)},${o.activeInWindow ? 1 : 0},` +
        `${cell(k[0].value)},${cell(k[1].value)},${cell(k[2].value)},${cell(k[3].value)},${cell(k[4].value)},` +
        `${csvText(o.stored.tier)},${csvText(o.stored.rule.kind)},${csvText(o.stored.previousTier ?? "")},${o.cadence.days},${csvText(o.cadence.channel)},${o.cadence.nextTouchDue === null ? "" : isoDate(o.cadence.nextTouchDue)},${o.cadence.overdueDays}\n`;
    }
    await writeChunk(out, text);
  }
}

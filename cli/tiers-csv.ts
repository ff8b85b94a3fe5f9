import { isoDate } from "../src/engine/dates";
import { KPI_NAMES } from "../src/engine/explanation-types";
import { decisionAt } from "../src/engine/population";
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

/** Rows are encoded into buffers of this size, each handed to the stream when full. */
const BUFFER_BYTES = 1 << 20;

// Text cells go through csvText (a formula-looking value gets a leading quote, OWASP); numeric cells are numbers we
// format ourselves and stay as they are, so "-0.35" remains a negative number to a spreadsheet.

/** A KPI value as JavaScript prints it (what the file always held); empty when not finite (none, as in kpis). */
const kpiCell = (v: number): string => (Number.isFinite(v) ? String(v) : "");

export async function writeTiersCsv(r: RankResult, out: NodeJS.WritableStream): Promise<void> {
  await writeChunk(out, TIERS_CSV_COLUMNS.join(",") + "\n");
  const n = r.facts.accounts.length;
  const [v0, v1, v2, v3, v4] = KPI_NAMES.map((kpi) => r.values[kpi]);
  // Codes (tiers, rules, channels, trends) come from small sets: each is made CSV-safe once.
  const codes = new Map<string, string>();
  const code = (s: string): string => {
    let t = codes.get(s);
    if (t === undefined) codes.set(s, (t = csvText(s)));
    return t;
  };
  // Each row is built as one string and encoded straight into a buffer. Joining rows into a long string first made
  // V8 flatten and encode a rope of tens of thousands of pieces: 4.4 s of a million rows, against 2.5 s this way.
  // The row needs the decision only (decisionAt), not the explanation outcomeAt also builds.
  let buf = Buffer.allocUnsafe(BUFFER_BYTES);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const a = r.facts.accounts[i];
    const { computedTier, stored, cadence } = decisionAt(r, i);
    const trend = r.trend[i];
    const line =
      `${csvText(a.accountid)},${csvText(a.name ?? "")},${code(computedTier)},${r.score[i].toFixed(6)},${code(trend.code)},${trend.delta.toFixed(2)},${r.active[i]},` +
      `${kpiCell(v0[i])},${kpiCell(v1[i])},${kpiCell(v2[i])},${kpiCell(v3[i])},${kpiCell(v4[i])},` +
      `${code(stored.tier)},${code(stored.rule.kind)},${code(stored.previousTier ?? "")},${cadence.days},${code(cadence.channel)},${cadence.nextTouchDue === null ? "" : isoDate(cadence.nextTouchDue)},${cadence.overdueDays}\n`;
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    if (pos + line.length * 3 > buf.length) {
      if (pos > 0) await writeChunk(out, buf.subarray(0, pos));
      buf = Buffer.allocUnsafe(Math.max(BUFFER_BYTES, line.length * 3));
      pos = 0;
    }
    pos += buf.write(line, pos);
  }
  if (pos > 0) await writeChunk(out, buf.subarray(0, pos));
}

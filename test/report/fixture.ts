import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CDNOW = join(__dirname, "../../datasets/cdnow-sample");

/**
 * The CDNOW export folder, with stored tiers and last touches on some accounts (as a Dataverse export after a
 * few quarters would have them), so hysteresis, overdue touches and movement all have cases.
 */
export function cdnowWithStoredTiers(): string {
  const dir = mkdtempSync(join(tmpdir(), "tiering-report-"));
  for (const f of ["invoices.csv", "opportunities.csv", "activities.csv"]) copyFileSync(join(CDNOW, f), join(dir, f));
  const [header, ...lines] = readFileSync(join(CDNOW, "accounts.csv"), "utf8").trim().split(/\r?\n/);
  const tiers = ["AAA", "A", "B", "C"];
  const out = [`${header},ct_tier,ct_tierchangedon,ct_lasttouchon`];
  lines.forEach((line, i) => {
    if (i % 3 === 0) out.push(`${line},,,`);
    else
      out.push(
        `${line},${tiers[i % 4]},1997-0${1 + (i % 9)}-15T00:00:00Z,${i % 5 === 0 ? "" : `1998-0${1 + (i % 6)}-0${1 + (i % 9)}`}`,
      );
  });
  writeFileSync(join(dir, "accounts.csv"), out.join("\n") + "\n");
  return dir;
}

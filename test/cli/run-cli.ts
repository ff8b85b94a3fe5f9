import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = join(__dirname, "../..");
export const CDNOW = join(ROOT, "datasets/cdnow-sample");

/** Runs the built `tiering` bin as a user would (npm test builds it first). */
export function tiering(args: string[], cwd = ROOT): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/tiering.js"), ...args], { cwd, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = "tiering-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A small valid export folder; `override` replaces whole files by name. */
export function exportFolder(override: Record<string, string | null> = {}): string {
  const dir = tempDir("export-");
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string | null> = {
    "accounts.csv": 'accountid,name,statecode\nacc-1,"Contoso, Ltd.",0\nacc-2,Fabrikam,0\nacc-3,Northwind,1\n',
    "invoices.csv":
      "invoiceid,customerid,totalamount_base,statecode,createdon\ni1,acc-1,1200.50,2,2023-03-01T00:00:00Z\ni2,acc-1,-200.50,2,2023-04-01T00:00:00Z\ni3,acc-2,99.99,0,2023-11-30\ni4,acc-3,500,2,2023-05-01T10:00:00Z\n",
    "opportunities.csv":
      "opportunityid,customerid,statecode,actualvalue_base,estimatedvalue_base,closeprobability,actualclosedate,estimatedclosedate\no1,acc-2,0,,10000,40,,2024-03-01\no2,acc-1,1,5000,5000,100,2023-10-10T00:00:00Z,\n",
    "activities.csv":
      "activityid,regardingobjectid,activitytypecode,statecode,actualend\na1,acc-1,phonecall,1,2023-12-01T09:30:00Z\n",
    ...override,
  };
  for (const [name, text] of Object.entries(files)) if (text !== null) writeFileSync(join(dir, name), text);
  return dir;
}

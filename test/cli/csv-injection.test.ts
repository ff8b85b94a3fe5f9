import { parse } from "csv-parse/sync";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../cli/main";
import { TIERS_CSV_COLUMNS } from "../../cli/tiers-csv";
import { csvText, fromCsvText } from "../../src/export-reader/csv-field";
import { readPreviousTiers } from "../../src/report/previous";
import { memoryIo } from "../sample/sample-fixture";
import { exportFolder, tempDir } from "./run-cli";

/**
 * Issue 17: `tiering rank` output is opened in Excel by sales ops. A text cell starting with = + - @, tab or CR is
 * neutralised the OWASP way (a leading single quote); numeric columns stay numbers, negative ones included.
 * https://owasp.org/www-community/attacks/CSV_Injection
 */
const DDE = '=cmd|" /C calc"!A0';
const NAMES: Record<string, string> = {
  "acc-1": DDE,
  "acc-2": "+SUM(1,2)",
  "acc-3": "-2+3",
  "acc-4": "@HYPERLINK(evil)",
  "acc-5": "\tTabbed",
  "acc-6": "\rReturn",
  "acc-7": "Plain Name",
};
const NUMERIC = new Set([
  "score",
  "trenddelta",
  "activeinwindow",
  "monetary",
  "frequency",
  "recencydays",
  "pipeline",
  "won",
  "cadencedays",
  "overduedays",
]);

describe("spreadsheet-safe CSV", () => {
  it("csvText: formula starts get a quote, then RFC 4180 quoting; fromCsvText undoes exactly that", () => {
    expect(csvText(DDE)).toBe(`"'=cmd|"" /C calc""!A0"`);
    expect(csvText("+1")).toBe("'+1");
    expect(csvText("-x")).toBe("'-x");
    expect(csvText("@x")).toBe("'@x");
    expect(csvText("\tx")).toBe("'\tx");
    expect(csvText("\rx")).toBe(`"'\rx"`);
    expect(csvText("Contoso, Ltd.")).toBe('"Contoso, Ltd."');
    expect(csvText("'quoted")).toBe("'quoted");
    for (const v of [DDE, "+1", "-x", "@x", "\tx", "'quoted", "plain"]) {
      const cell = parse(csvText(v), { relax_quotes: false })[0][0] as string;
      expect(fromCsvText(cell)).toBe(v);
    }
  });

  it("tiering rank: hostile account names are neutralised, numeric columns stay numeric, and the report reads it back", async () => {
    const accounts =
      "accountid,name,statecode\n" +
      Object.entries(NAMES)
        .map(([id, name]) => `${id},"${name.replace(/"/g, '""')}",0`)
        .join("\n") +
      "\n-acc-8,Minus Id,0\n";
    const invoices =
      "invoiceid,customerid,totalamount_base,statecode,createdon\n" +
      [...Object.keys(NAMES), "-acc-8"]
        .map((id, i) => `i${i},${id},${(i + 1) * 100}.25,2,2023-0${(i % 9) + 1}-01T00:00:00Z`)
        .join("\n") +
      "\ni99,acc-1,-5000,2,2023-12-01T00:00:00Z\n";
    const dir = exportFolder({ "accounts.csv": accounts, "invoices.csv": invoices });
    const out = join(tempDir("rank-out-"), "tiers.csv");
    const io = memoryIo(dir);
    expect(await runCli(["rank", "--data", dir, "--as-of", "2024-01-01", "--out", out, "--threads", "1"], io)).toBe(0);
    const text = readFileSync(out, "utf8");
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    const byId = new Map(rows.map((r) => [fromCsvText(r.accountid), r]));
    for (const [id, name] of Object.entries(NAMES)) {
      const cell = byId.get(id)!.name;
      expect(cell).toBe(name === "Plain Name" ? name : `'${name}`);
    }
    // An id that starts with "-" is text: quoted too, and the report's reader gets the id back.
    expect(rows.some((r) => r.accountid === "'-acc-8")).toBe(true);
    // No cell a spreadsheet would evaluate, in any column.
    for (const r of rows)
      for (const c of TIERS_CSV_COLUMNS) {
        const v = r[c];
        if (NUMERIC.has(c))
          expect({ c, v, numeric: v === "" || Number.isFinite(Number(v)) }).toEqual({ c, v, numeric: true });
        else expect({ c, v, formula: /^[=+\-@\t\r]/.test(v) }).toEqual({ c, v, formula: false });
      }
    // Negative numbers stay numbers (not quoted): a spreadsheet must still sum them.
    const negatives = rows.flatMap((r) => [...NUMERIC].map((c) => r[c])).filter((v) => v.startsWith("-"));
    expect(negatives.length).toBeGreaterThan(0);
    for (const v of negatives) expect(Number.isFinite(Number(v))).toBe(true);

    const previous = await readPreviousTiers(out, ["AAA", "A", "B", "C"]);
    expect(previous.has("-acc-8")).toBe(true);
    expect(previous.has("acc-1")).toBe(true);
  });
});

import { parse, CsvError } from "csv-parse";
import { createReadStream, existsSync } from "node:fs";
import { fromCsvText } from "../export-reader/csv-field";
import { InputError } from "../export-reader/input-error";

/**
 * Reads the `accountid` and `tier` columns (or `column`, e.g. `storedtier`) of a tiers CSV written by `tiering rank`
 * (the previous quarter's run), streaming, so a big population is never held as text. Errors name the file and line.
 */
export function readPreviousTiers(
  path: string,
  knownTiers: readonly string[],
  column = "tier",
): Promise<Map<string, string>> {
  if (!existsSync(path))
    return Promise.reject(
      new InputError(
        path,
        null,
        null,
        "previous tiers file not found (expected a CSV written by `tiering rank --out`)",
      ),
    );
  return new Promise((resolve, reject) => {
    const out = new Map<string, string>();
    const parser = parse({ bom: true, info: true, skip_empty_lines: true });
    let idCol = -1;
    let tierCol = -1;
    let failed = false;
    const fail = (e: Error): void => {
      if (failed) return;
      failed = true;
      source.destroy();
      parser.destroy();
      reject(e);
    };
    const source = createReadStream(path);
    source.on("error", (e: NodeJS.ErrnoException) =>
      fail(new InputError(path, null, null, `cannot read (${e.code ?? e.message})`)),
    );
    parser.on("readable", () => {
      let rec: { record: string[]; info: { lines: number } } | null;
      while (!failed && (rec = parser.read() as typeof rec) !== null) {
        const { record, info } = rec;
        if (idCol < 0) {
          const header = record.map((h) => h.trim().toLowerCase());
          idCol = header.indexOf("accountid");
          tierCol = header.indexOf(column);
          if (idCol < 0 || tierCol < 0)
            return fail(
              new InputError(
                path,
                info.lines,
                null,
                `header must name accountid and ${column} (found: ${header.join(", ")})`,
              ),
            );
          continue;
        }
        // `tiering rank` wrote text cells spreadsheet-safe (csvText); read them back as they were.
        const id = fromCsvText(record[idCol] ?? "")
          .trim()
          .toLowerCase();
        const tier = fromCsvText(record[tierCol] ?? "").trim();
        if (!id) return fail(new InputError(path, info.lines, "accountid", "empty account id"));
        if (!knownTiers.includes(tier))
          return fail(
            new InputError(path, info.lines, column, `"${tier}" is not a tier of the model (${knownTiers.join(", ")})`),
          );
        if (out.has(id)) return fail(new InputError(path, info.lines, "accountid", `account ${id} appears twice`));
        out.set(id, tier);
      }
    });
    parser.on("error", (e) =>
      fail(
        new InputError(
          path,
          e instanceof CsvError ? ((e as CsvError & { lines?: number }).lines ?? null) : null,
          null,
          e.message,
        ),
      ),
    );
    parser.on("end", () => {
      if (failed) return;
      if (idCol < 0)
        return fail(new InputError(path, null, null, "empty file (expected a header row with accountid and tier)"));
      resolve(out);
    });
    source.pipe(parser);
  });
}

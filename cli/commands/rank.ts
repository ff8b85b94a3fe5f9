import { isoInstant } from "../../src/engine/dates";
import { asOfOption, parseOptions, positiveIntOption, requireOption } from "../args";
import { checkOutputFolder, writeAtomically } from "../atomic-file";
import type { CliCommand } from "../command";
import { loadAndRank } from "../load-ranked";
import { tierDistribution } from "../../src/engine/distribution";
import { formatSummary } from "../summary";
import { writeTiersCsv } from "../tiers-csv";

export const rankCommand: CliCommand = {
  name: "rank",
  summary: "rank every account of an export folder into tiers",
  usage: `Usage: tiering rank --data DIR --as-of DATE [--model FILE] [--out FILE] [--threads N]

Ranks the active accounts of a Dataverse export folder (accounts.csv, invoices.csv, opportunities.csv,
activities.csv, optional contacts.csv) with the tier model, and prints accounts and revenue share per tier.

  --data DIR      the export folder, or an Azure Synapse Link for Dataverse folder (model.json; docs/export-folder.md)
  --as-of DATE    YYYY-MM-DD (UTC midnight) or an ISO 8601 instant; the 12-month window ends just before it
  --model FILE    tier model JSON (default: the built-in model v1)
  --out FILE      write the tiers CSV here (default: standard output, summary to standard error)
  --threads N     threads that parse the row files (default: one per 320 MB of them, at most one per core)
`,
  async run(args, io) {
    const o = parseOptions(args, {
      data: { type: "string" },
      "as-of": { type: "string" },
      model: { type: "string" },
      out: { type: "string" },
      threads: { type: "string" },
    });
    if (o.help) {
      io.stdout.write(this.usage);
      return 0;
    }
    const dir = requireOption(o.data, "data");
    const asOf = asOfOption(o["as-of"]);
    const threads = o.threads === undefined ? undefined : positiveIntOption(o.threads, "threads");
    if (o.out) checkOutputFolder(o.out);
    const ranked = await loadAndRank(io, dir, asOf, o.model, threads);
    if (o.out) await writeAtomically(o.out, (out) => writeTiersCsv(ranked, out));
    else await writeTiersCsv(ranked, io.stdout);
    const report = o.out ? io.stdout : io.stderr;
    const { skipped } = ranked.facts;
    report.write(
      `As of ${isoInstant(asOf)}, method ${ranked.model.method}, ${ranked.facts.accounts.length} active accounts, ${ranked.table.activeInWindow} active in the window\n`,
    );
    report.write(formatSummary(tierDistribution(ranked)));
    const ignored = skipped.invoices + skipped.opportunities + skipped.activities;
    if (ignored)
      report.write(
        `Ignored ${skipped.invoices} invoices, ${skipped.opportunities} opportunities and ${skipped.activities} activities of accounts not in the population (inactive or unknown).\n`,
      );
    if (o.out) report.write(`Wrote ${o.out}\n`);
    return 0;
  },
};

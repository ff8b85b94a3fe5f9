import { readPreviousTiers, reportHtml } from "../../src/report";
import { asOfOption, parseOptions, requireOption } from "../args";
import { checkOutputFolder, writeAtomically, writeChunk } from "../atomic-file";
import type { CliCommand } from "../command";
import { loadAndRank } from "../load-ranked";

export const reportCommand: CliCommand = {
  name: "report",
  summary: "write the quarterly tier review as one self-contained HTML file",
  usage: `Usage: tiering report --data DIR --as-of DATE [--previous FILE] [--model FILE] --out report.html

Ranks an export folder like \`tiering rank\` and writes the managers' quarterly review: tier distribution
(accounts, share of revenue), the Pareto curve with the tier cuts, tier movement against a previous run,
top accounts whose trend is declining, and top-tier accounts whose next touch is overdue. The file has no
script and loads nothing from the network: charts are inline SVG.

  --data DIR        the export folder
  --as-of DATE      YYYY-MM-DD (UTC midnight) or an ISO 8601 instant
  --previous FILE   a tiers CSV written by \`tiering rank --out\` for an earlier date (movement matrix)
  --model FILE      tier model JSON (default: the built-in model v1)
  --out FILE        the HTML file to write
`,
  async run(args, io) {
    const o = parseOptions(args, {
      data: { type: "string" },
      "as-of": { type: "string" },
      previous: { type: "string" },
      model: { type: "string" },
      out: { type: "string" },
    });
    if (o.help) {
      io.stdout.write(this.usage);
      return 0;
    }
    const dir = requireOption(o.data, "data");
    const asOf = asOfOption(o["as-of"]);
    const out = requireOption(o.out, "out");
    // Before the ranking, not after it: a missing folder is said at once.
    checkOutputFolder(out);
    const ranked = await loadAndRank(io, dir, asOf, o.model);
    const codes = ranked.model.tiers.map((t) => t.code);
    const previous = o.previous ? await readPreviousTiers(o.previous, codes) : null;
    // The movement's main view compares stored tiers (after hysteresis and overrides), the computed ones second.
    const previousStored = o.previous ? await readPreviousTiers(o.previous, codes, "storedtier") : null;
    const html = reportHtml(ranked, { previous, previousStored, previousSource: o.previous ?? null });
    await writeAtomically(out, (s) => writeChunk(s, html));
    io.stdout.write(
      `Wrote ${out} (${ranked.facts.accounts.length} accounts${previous ? `, movement against ${previous.size} accounts of ${o.previous}` : ""})\n`,
    );
    return 0;
  },
};

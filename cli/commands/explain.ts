import { outcomeAt } from "../../src/engine/population";
import { asOfOption, parseOptions, requireOption } from "../args";
import type { CliCommand } from "../command";
import { describeOutcome } from "../describe";
import { InputError } from "../../src/export-reader/input-error";
import { loadAndRank } from "../load-ranked";

export const explainCommand: CliCommand = {
  name: "explain",
  summary: "say in plain words why one account has its tier",
  usage: `Usage: tiering explain --data DIR --as-of DATE --account ID [--model FILE] [--json]

Ranks the export folder like \`tiering rank\` and explains one account: each KPI's value, rank and points, the rule
that set the tier, any override or hysteresis, the trend and the next touch.

  --account ID    the accountid (as in accounts.csv)
  --json          print the explanation JSON stored in ct_tierreason instead
`,
  async run(args, io) {
    const o = parseOptions(args, {
      data: { type: "string" },
      "as-of": { type: "string" },
      account: { type: "string" },
      model: { type: "string" },
      json: { type: "boolean" },
    });
    if (o.help) {
      io.stdout.write(this.usage);
      return 0;
    }
    const dir = requireOption(o.data, "data");
    const asOf = asOfOption(o["as-of"]);
    const id = requireOption(o.account, "account").toLowerCase();
    const ranked = await loadAndRank(io, dir, asOf, o.model);
    const i = ranked.facts.accounts.findIndex((a) => a.accountid.toLowerCase() === id);
    if (i < 0)
      throw new InputError(
        "accounts.csv",
        null,
        "accountid",
        `no active account ${o.account} among the ${ranked.facts.accounts.length} active accounts`,
      );
    const outcome = outcomeAt(ranked, i);
    io.stdout.write(
      o.json
        ? JSON.stringify(outcome.explanation) + "\n"
        : describeOutcome(outcome, ranked.model, ranked.facts.accounts[i].name, asOf),
    );
    return 0;
  },
};

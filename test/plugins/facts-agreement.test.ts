import fc from "fast-check";
import { DEFAULT_MODEL, factsAt, outcomeAt, parseModel, rankPopulation, scoreAccount } from "../../src/engine";
import { factQueries } from "../../plugins/recalc/fetchxml";
import { factsFromResults } from "../../plugins/recalc/facts";
import { evaluateFetch } from "./fetchxml-eval";
import { asOf, population, type Population } from "./population";

function tablesOf(input: Population): Record<string, Record<string, unknown>[]> {
  const tables: Record<string, Record<string, unknown>[]> = {
    contact: input.contacts.map((c) => ({ ...c })),
    invoice: [...input.invoices].map((r, i) => ({ invoiceid: `inv-${i}`, ...r })),
    opportunity: [...input.opportunities].map((r, i) => ({ opportunityid: `opp-${String(i).padStart(4, "0")}`, ...r })),
  };
  for (const a of input.activities) (tables[a.activitytypecode] ??= []).push({ ...a });
  return tables;
}

describe("on-save facts from FetchXML aggregates agree with the batch", () => {
  for (const [label, model] of [
    ["default model", DEFAULT_MODEL],
    [
      "6-month window, 2 baseline quarters, paid only",
      parseModel({ windowMonths: 6, trend: { baselineQuarters: 2 }, invoiceStates: [2] }),
    ],
  ] as const) {
    it(`${label}: same AccountFacts and the same outcome for every account`, () => {
      fc.assert(
        fc.property(population, (input) => {
          // Contacts count for their parent account, as contacts.csv makes them count in the batch.
          const parents = new Map(
            input.contacts.filter((c) => c.parentcustomerid).map((c) => [c.contactid, c.parentcustomerid!]),
          );
          const ranked = rankPopulation(input, model, asOf, parents);
          const tables = tablesOf(input);
          ranked.facts.accounts.forEach((account, i) => {
            // The account's contacts as the save reads them; listed in an `in`, or (many contacts) joined.
            const contacts = input.contacts
              .filter((c) => c.parentcustomerid === account.accountid)
              .map((c) => c.contactid);
            const queries = factQueries(account.accountid, model, asOf, contacts, i % 2 === 0 ? 400 : 0);
            const results = Object.fromEntries(
              Object.entries(queries).map(([name, q]) => [name, evaluateFetch(q.fetchXml, tables)]),
            );
            const facts = factsFromResults(account.accountid, model, asOf, results, account.ct_lasttouchon ?? null);
            // Every fact, the third latest touch (over-touching) included.
            expect(facts).toStrictEqual(factsAt(ranked.facts, i));
            // Scored against the population's own table, the on-save path lands where the batch did.
            const batch = outcomeAt(ranked, i);
            const onSave = scoreAccount(facts, model, ranked.table, { tier: null, changedOn: null }, asOf);
            expect(onSave.trend).toEqual(batch.trend);
            expect(onSave.kpis.map((k) => k.value)).toEqual(batch.kpis.map((k) => k.value));
            expect(onSave.cadence).toEqual(batch.cadence);
          });
        }),
        { numRuns: 60 },
      );
    });
  }
});

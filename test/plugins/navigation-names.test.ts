import { scoreAccount, parseModel } from "../../src/engine";
import { historyRow } from "../../plugins/recalc/account-fields";
import { newRepTask } from "../../plugins/programme/tasks";
import { readRelationships } from "../../solution/scripts/gen-schema";
import { defaultSolutionSrcDir } from "../../solution/scripts/source-dir";
import { DEFAULTS, TABLES } from "../../plugins/dataverse/schema";

/** Every `x@odata.bind` key the service writes is a navigation property the table declares, in its exact case. */
const binds = (body: Record<string, unknown>): string[] =>
  Object.keys(body)
    .filter((k) => k.endsWith("@odata.bind"))
    .map((k) => k.slice(0, -"@odata.bind".length));

test("the tier history row binds ct_AccountId as solution/src/Other/Relationships/Account.xml declares it", () => {
  const declared = readRelationships(defaultSolutionSrcDir()).filter((r) => r.referencing === "ct_tierhistory");
  const model = parseModel(DEFAULTS.model.json);
  const asOf = Date.UTC(2026, 0, 1);
  const facts = {
    accountid: "a",
    monetary: 0,
    frequency: 0,
    lastEventOn: null,
    won: 0,
    pipeline: 0,
    quarters: [0, 0, 0, 0, 0],
    firstInvoiceOn: null,
    lastTouchOn: null,
  };
  const o = scoreAccount(facts, model, null, { tier: null, changedOn: null }, asOf);
  const row = historyRow(o, "00000000-0000-0000-0000-000000000001", asOf, "invoice");
  expect(binds(row)).toEqual(declared.map((r) => r.navigation));
  expect(row["ct_AccountId@odata.bind"]).toBe("/accounts(00000000-0000-0000-0000-000000000001)");
});

test("task binds are the task table's navigation properties", () => {
  const body = newRepTask({ id: "00000000-0000-0000-0000-000000000002", name: "Acme" }, "u1", 4, 0);
  for (const nav of binds(body)) expect(Object.keys(TABLES.task.navigation)).toContain(nav);
});

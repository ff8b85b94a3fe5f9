import { Metadata, type ColumnDef } from "../../local-dataverse/metadata";
import {
  DATE_ONLY_COLUMNS,
  ENTITY_SETS,
  OVERRIDE_COLUMNS,
  TIER_HISTORY_SOURCE,
} from "../../plugins/dataverse/metadata";
import { readSolutionSource, type Column } from "../../solution/scripts/source-model";
import { readStepRegistrations } from "../../solution/scripts/steps";

/**
 * The solution is what a real environment will have; the sandbox and the plugin service assume the same tables,
 * columns, types and values. Where they differ, the sandbox would accept what Dataverse refuses (or the reverse).
 */
const source = readSolutionSource();
const sandbox = new Metadata();

/** The sandbox column type a solution column must have (Web API attribute types). */
function sandboxType(c: Column): ColumnDef["type"] {
  const map: Record<string, ColumnDef["type"]> = {
    primarykey: "Uniqueidentifier",
    nvarchar: "String",
    ntext: "Memo",
    int: "Integer",
    bit: "Boolean",
    decimal: "Decimal",
    money: "Money",
    datetime: "DateTime",
    lookup: "Lookup",
    picklist: "Picklist",
    state: "State",
    status: "Status",
  };
  return map[c.type] ?? (`(${c.type})` as ColumnDef["type"]);
}

describe("the sandbox serves the solution's tables and columns", () => {
  for (const entity of source.entities.values()) {
    test(`${entity.logicalName}`, () => {
      const table = sandbox.table(entity.logicalName);
      expect(table).toBeDefined();
      if (entity.entitySetName) expect(table!.entitySetName).toBe(entity.entitySetName);
      for (const c of entity.columns.values()) {
        const s = table!.columns.get(c.logicalName);
        expect([c.logicalName, s?.type]).toEqual([c.logicalName, sandboxType(c)]);
        if (c.type === "datetime") expect([c.logicalName, !!s!.dateOnly]).toEqual([c.logicalName, c.format === "date"]);
        if (c.type === "picklist") {
          const values = source.optionSets.get(c.optionSetName)!.options.map((o) => o.value);
          expect([
            c.logicalName,
            Object.keys(s!.options ?? {})
              .map(Number)
              .sort(),
          ]).toEqual([c.logicalName, values]);
        }
        // A longer limit in the sandbox would accept text Dataverse refuses.
        if (c.maxLength !== undefined && s!.maxLength !== undefined)
          expect([c.logicalName, s!.maxLength <= c.maxLength]).toEqual([c.logicalName, true]);
      }
    });
  }
});

describe("the plugin service's assumptions", () => {
  const account = source.entities.get("account")!;

  test("date-only account columns", () => {
    const dateOnly = [...account.columns.values()]
      .filter((c) => c.type === "datetime" && c.format === "date")
      .map((c) => c.logicalName);
    expect([...DATE_ONLY_COLUMNS].sort()).toEqual(dateOnly.sort());
  });

  test("tier history source values", () => {
    const options = source.optionSets.get("ct_tierchangesource")!.options;
    const byLabel = Object.fromEntries(options.map((o) => [o.label.toLowerCase().replace(/[^a-z]/g, ""), o.value]));
    expect(TIER_HISTORY_SOURCE).toEqual(byLabel);
  });

  test("the override columns are what the account step filters on", () => {
    const step = readStepRegistrations().find((s) => s.primaryEntity === "account" && s.message === "Update")!;
    expect([...OVERRIDE_COLUMNS].sort()).toEqual([...step.filteringAttributes].sort());
  });

  test("entity set names of the solution's tables it uses", () => {
    const used = [...source.entities.values()].filter(
      (e) => e.entitySetName && ENTITY_SETS[e.logicalName] !== undefined,
    );
    expect(used.map((e) => e.logicalName).sort()).toEqual(expect.arrayContaining(["ct_tierhistory", "ct_tiermodel"]));
    for (const e of used) expect([e.logicalName, ENTITY_SETS[e.logicalName]]).toEqual([e.logicalName, e.entitySetName]);
  });
});

import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_MODEL, type FactsTable } from "../../src/engine";
import { loadFacts } from "../../src/export-reader/load";
import { dealOrder } from "../../src/export-reader/synapse-facts";
import { generateSample } from "../../src/sample";
import { writeSynapseLayout } from "../../src/sample/synapse-layout";

/**
 * Azure Synapse Link for Dataverse folders (docs/export-folder.md): model.json gives the columns, partitions by year
 * or month are read in name order, and only each row's latest version counts (a delete removes it).
 */

const AS_OF = Date.UTC(2025, 0, 1);
let root: string;
let csv: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "synapse-"));
  csv = join(root, "csv");
  await generateSample({ accounts: 300, seed: 5, asOf: AS_OF, months: 30, out: csv });
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const plain = (t: FactsTable): unknown => ({
  ids: t.accounts.map((a) => a.accountid),
  columns: [t.monetary, t.frequency, t.lastEvent, t.won, t.pipeline, t.firstInvoice, t.lastTouch, t.quarters].map((c) =>
    Array.from(c),
  ),
  skipped: t.skipped,
});

describe("Synapse Link folders", () => {
  it.each(["year", "month"] as const)(
    "partitioned by %s, with updated and deleted versions, give the CSV folder's facts",
    async (partitioning) => {
      const dir = join(root, partitioning);
      writeSynapseLayout(csv, dir, partitioning, "2025-01-01");
      const files = readdirSync(join(dir, "invoice"));
      expect(files.length).toBeGreaterThan(2);
      for (const f of files) expect(f).toMatch(partitioning === "year" ? /^\d{4}\.csv$/ : /^\d{4}-\d{2}\.csv$/);
      const expected = plain(await loadFacts(csv, DEFAULT_MODEL, AS_OF, { workers: 1 }));
      expect(plain(await loadFacts(dir, DEFAULT_MODEL, AS_OF))).toEqual(expected);
      // Row tables read whole on reader threads (and this one), folded in table order: the same facts.
      for (const workers of [2, 3])
        expect(plain(await loadFacts(dir, DEFAULT_MODEL, AS_OF, { workers }))).toEqual(expected);
    },
  );

  /** A hand-made folder: invoice columns in an order of their own, versions across partitions. */
  function folder(invoiceColumns: string[], partitions: Record<string, string[]>): string {
    const dir = mkdtempSync(join(root, "hand-"));
    const entity = (name: string, attributes: string[]) => ({
      $type: "LocalEntity",
      name,
      attributes: attributes.map((a) => ({ name: a, dataType: "string" })),
    });
    const model = {
      name: "cdm",
      entities: [
        entity("account", ["Id", "accountid", "name", "statecode", "versionnumber", "IsDelete"]),
        entity("invoice", invoiceColumns),
      ],
    };
    writeFileSync(join(dir, "model.json"), JSON.stringify(model));
    mkdirSync(join(dir, "account"));
    writeFileSync(join(dir, "account", "2024.csv"), "a1,a1,Contoso,0,1,False\r\na2,a2,Fabrikam,0,1,False\r\n");
    mkdirSync(join(dir, "invoice"));
    for (const [file, rows] of Object.entries(partitions)) writeFileSync(join(dir, "invoice", file), rows.join("\r\n"));
    return dir;
  }

  it("reads columns in model.json order and keeps only the latest version of each row", async () => {
    const columns = [
      "createdon",
      "IsDelete",
      "Id",
      "totalamount_base",
      "customerid",
      "statecode",
      "versionnumber",
      "invoiceid",
    ];
    const dir = folder(columns, {
      "2024-03.csv": [
        "2024-03-01T00:00:00Z,False,i1,100,a1,2,5,i1",
        "2024-03-02T00:00:00Z,False,i2,40,a2,2,5,i2",
        "2024-03-03T00:00:00Z,False,i3,70,a2,2,5,i3",
        // i1 updated: 300 counts, not 100
        "2024-03-01T00:00:00Z,False,i1,300,a1,2,9,i1",
        // i3 deleted: counts for nobody
        "2024-03-03T00:00:00Z,True,i3,70,a2,2,8,i3",
      ],
      // An older version in a later partition loses to the newer one.
      "2024-04.csv": ["2024-03-01T00:00:00Z,False,i1,999,a1,2,7,i1"],
    });
    const facts = await loadFacts(dir, DEFAULT_MODEL, AS_OF);
    expect(facts.accounts.map((a) => a.accountid)).toEqual(["a1", "a2"]);
    expect(Array.from(facts.monetary)).toEqual([300, 40]);
    expect(Array.from(facts.frequency)).toEqual([1, 1]);
  });

  it("names the partition file, line and column of a bad cell", async () => {
    const columns = [
      "Id",
      "invoiceid",
      "customerid",
      "totalamount_base",
      "statecode",
      "createdon",
      "versionnumber",
      "IsDelete",
    ];
    const dir = folder(columns, {
      "2024.csv": ["i1,i1,a1,10,2,2024-03-01,1,False", "i2,i2,a1,12;5,2,2024-03-01,1,False"],
    });
    for (const workers of [1, 2])
      await expect(loadFacts(dir, DEFAULT_MODEL, AS_OF, { workers })).rejects.toThrow(
        'invoice/2024.csv:2 column 4 (totalamount_base): "12;5" is not a number',
      );
  });

  it("names model.json when it lacks a column the table needs", async () => {
    const dir = folder(["Id", "invoiceid", "customerid", "statecode", "createdon"], { "2024.csv": [] });
    await expect(loadFacts(dir, DEFAULT_MODEL, AS_OF)).rejects.toThrow(/model\.json.*totalamount_base/);
  });
});

describe("dealOrder (Synapse tables across threads)", () => {
  const size = { invoices: 45, activities: 35, opportunities: 20 } as Record<string, number>;
  const tables = ["invoices", "opportunities", "activities"];
  it("with one worker, the worker gets the second largest first and this thread the largest", () => {
    expect(dealOrder(tables, (t) => size[t], 1)).toEqual(["activities", "invoices", "opportunities"]);
  });
  it("with no worker or as many workers as tables, largest first", () => {
    expect(dealOrder(tables, (t) => size[t], 0)).toEqual(["invoices", "activities", "opportunities"]);
    expect(dealOrder(tables, (t) => size[t], 3)).toEqual(["invoices", "activities", "opportunities"]);
  });
  it("with two workers, they take the next two and this thread the largest", () => {
    expect(dealOrder(tables, (t) => size[t], 2)).toEqual(["activities", "opportunities", "invoices"]);
  });
});

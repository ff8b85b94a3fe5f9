/**
 * FetchXML conditions the system charts use (issue 19): column comparison with `valueof`, and the relative date
 * operators olderthan-x-days, last-x-days and last-x-months, after
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/filter-rows#filter-on-column-values-in-the-same-row
 * and https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/reference/operators
 */
import type { Sandbox } from "../../local-dataverse";
import { call, fetchXmlPath, start, testGuid } from "./helpers";

const DAY = 86_400_000;
const INV = (n: number): string => testGuid(2, n);

describe("sandbox FetchXML: valueof and relative dates", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    const now = Date.now();
    sb = await start({
      seed: (store) => {
        // name, totalamount, totalamount_base, created days ago
        const rows: [number, number | null, number | null, number][] = [
          [1, 100, 100, 0.5],
          [2, 200, 150, 3],
          [3, 50, 80, 40],
          [4, null, 10, 400],
        ];
        for (const [n, amount, base, ago] of rows) {
          store.load("invoice", {
            invoiceid: INV(n),
            name: `INV-${n}`,
            totalamount: amount,
            totalamount_base: base,
            statecode: 0,
            createdon: now - ago * DAY,
          });
        }
      },
    });
  });
  afterAll(async () => {
    await sb.close();
  });

  const q = async (condition: string): Promise<{ status: number; names: unknown[]; message?: string }> => {
    const r = await call(
      sb,
      "GET",
      fetchXmlPath(
        "invoices",
        `<fetch><entity name='invoice'><attribute name='name' /><filter>${condition}</filter><order attribute='name' /></entity></fetch>`,
      ),
    );
    return { status: r.status, names: (r.json.value ?? []).map((v) => v.name), message: r.json.error?.message };
  };

  test("valueof compares two columns of the same row; a null on either side never matches", async () => {
    // ct_tier against ct_previoustier, as the tier-movement charts compare ct_totier with ct_fromtier.
    const accounts: [number, number | null, number | null][] = [
      [1, 100000000, 100000001], // promoted
      [2, 100000002, 100000001], // demoted
      [3, 100000001, 100000001], // unchanged
      [4, 100000003, null], // first ranking
    ];
    for (const [n, tier, previous] of accounts)
      sb.store.load("account", {
        accountid: testGuid(1, n),
        name: `ACC-${n}`,
        ct_tier: tier,
        ct_previoustier: previous,
      });
    const a = async (op: string) => {
      const r = await call(
        sb,
        "GET",
        fetchXmlPath(
          "accounts",
          `<fetch><entity name='account'><attribute name='name' /><filter><condition attribute='ct_tier' operator='${op}' valueof='ct_previoustier' /></filter><order attribute='name' /></entity></fetch>`,
        ),
      );
      expect(r.status).toBe(200);
      return r.json.value!.map((v) => v.name);
    };
    expect(await a("lt")).toEqual(["ACC-1"]);
    expect(await a("gt")).toEqual(["ACC-2"]);
    expect(await a("eq")).toEqual(["ACC-3"]);
    expect(await a("ne")).toEqual(["ACC-1", "ACC-2"]);
  });

  test("valueof is refused with an operator that cannot compare columns, with a value, or across types", async () => {
    for (const c of [
      "<condition attribute='totalamount' operator='like' valueof='totalamount_base' />",
      "<condition attribute='totalamount' operator='eq' value='1' valueof='totalamount_base' />",
      "<condition attribute='totalamount' operator='eq' valueof='name' />",
      "<condition attribute='totalamount' operator='eq' valueof='nosuchcolumn' />",
    ]) {
      const r = await q(c);
      expect([c, r.status]).toEqual([c, 400]);
    }
  });

  test("olderthan-x-days, last-x-days and last-x-months count from now", async () => {
    expect((await q("<condition attribute='createdon' operator='olderthan-x-days' value='1' />")).names).toEqual([
      "INV-2",
      "INV-3",
      "INV-4",
    ]);
    expect((await q("<condition attribute='createdon' operator='last-x-days' value='7' />")).names).toEqual([
      "INV-1",
      "INV-2",
    ]);
    expect((await q("<condition attribute='createdon' operator='last-x-months' value='11' />")).names).toEqual([
      "INV-1",
      "INV-2",
      "INV-3",
    ]);
  });

  test("a relative operator needs a date column and a whole number", async () => {
    expect((await q("<condition attribute='totalamount' operator='last-x-days' value='7' />")).status).toBe(400);
    expect((await q("<condition attribute='createdon' operator='last-x-days' value='seven' />")).status).toBe(400);
    expect((await q("<condition attribute='createdon' operator='last-x-days' value='1.5' />")).status).toBe(400);
  });
});

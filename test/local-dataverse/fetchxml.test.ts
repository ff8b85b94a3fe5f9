/**
 * FetchXML through the Web API, after the examples of
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/aggregate-data and
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/page-results
 */
import type { Sandbox } from "../../local-dataverse";
import { call, fetchXmlPath, ms, start, testGuid } from "./helpers";

const ACC = (n: number): string => testGuid(1, n);
const INV = (n: number): string => testGuid(2, n);
const CON = (n: number): string => testGuid(3, n);

describe("sandbox FetchXML", () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await start({
      seed: (store) => {
        store.load("account", { accountid: ACC(1), name: "Alpha" });
        store.load("account", { accountid: ACC(2), name: "Beta" });
        store.load("account", { accountid: ACC(3), name: "Gamma", statecode: 1 });
        store.load("contact", {
          contactid: CON(1),
          fullname: "Carl Contact",
          parentcustomerid: { id: ACC(2), table: "account" },
        });
        const rows: [number, number | null, number, string, { id: string; table: string }][] = [
          [1, 100, 2, "2024-01-15T00:00:00Z", { id: ACC(1), table: "account" }],
          [2, 300, 2, "2024-02-20T00:00:00Z", { id: ACC(1), table: "account" }],
          [3, 50, 0, "2024-04-02T00:00:00Z", { id: ACC(1), table: "account" }],
          [4, 900, 2, "2024-04-30T00:00:00Z", { id: ACC(2), table: "account" }],
          [5, null, 0, "2023-12-31T23:00:00Z", { id: ACC(2), table: "account" }],
          [6, 70, 2, "2024-05-05T00:00:00Z", { id: CON(1), table: "contact" }],
          [7, 5, 3, "2024-05-06T00:00:00Z", { id: ACC(3), table: "account" }],
        ];
        for (const [n, amount, state, on, customer] of rows) {
          store.load("invoice", {
            invoiceid: INV(n),
            name: `INV-${n}`,
            totalamount: amount,
            statecode: state,
            createdon: ms(on),
            customerid: customer,
          });
        }
      },
    });
  });
  afterEach(async () => {
    await sb.close();
  });

  test("money sums are exact to the cent, not binary floating point", async () => {
    for (const [n, amount] of [
      [11, 0.1],
      [12, 0.2],
      [13, 308013.81],
    ] as const) {
      sb.store.load("invoice", {
        invoiceid: INV(n),
        name: `F-${n}`,
        totalamount: amount,
        statecode: 1,
        createdon: ms("2024-07-01T00:00:00Z"),
      });
    }
    const r = await call(
      sb,
      "GET",
      fetchXmlPath(
        "invoices",
        `<fetch aggregate='true'><entity name='invoice'><attribute name='totalamount_base' alias='s' aggregate='sum' /><filter><condition attribute='statecode' operator='eq' value='1' /></filter></entity></fetch>`,
      ),
    );
    expect(r.json.value).toEqual([{ s: 308014.11 }]);
  });

  test("sum, avg, count, countcolumn, min and max in one row; nulls are not considered", async () => {
    const xml = `<fetch aggregate='true'><entity name='invoice'>
      <attribute name='totalamount_base' alias='Sum' aggregate='sum' />
      <attribute name='totalamount_base' alias='Average' aggregate='avg' />
      <attribute name='totalamount_base' alias='Count' aggregate='count' />
      <attribute name='totalamount_base' alias='ColumnCount' aggregate='countcolumn' />
      <attribute name='totalamount_base' alias='Minimum' aggregate='min' />
      <attribute name='totalamount_base' alias='Maximum' aggregate='max' />
    </entity></fetch>`;
    const r = await call(sb, "GET", fetchXmlPath("invoices", xml));
    expect(r.status).toBe(200);
    expect(r.json.value).toEqual([{ Sum: 1425, Average: 237.5, Count: 7, ColumnCount: 6, Minimum: 5, Maximum: 900 }]);
  });

  test("groupby a customer lookup with a filter, ordered by alias, with annotations", async () => {
    const xml = `<fetch aggregate='true'><entity name='invoice'>
      <attribute name='customerid' alias='customer' groupby='true' />
      <attribute name='totalamount_base' alias='revenue' aggregate='sum' />
      <attribute name='invoiceid' alias='n' aggregate='count' />
      <filter><condition attribute='statecode' operator='in'><value>0</value><value>2</value></condition></filter>
      <order alias='revenue' descending='true' />
    </entity></fetch>`;
    const r = await call(sb, "GET", fetchXmlPath("invoices", xml), {
      headers: { Prefer: 'odata.include-annotations="*"' },
    });
    expect(r.json.value).toEqual([
      expect.objectContaining({
        customer: ACC(2),
        revenue: 900,
        n: 2,
        "customer@OData.Community.Display.V1.FormattedValue": "Beta",
        "customer@Microsoft.Dynamics.CRM.lookuplogicalname": "account",
      }),
      expect.objectContaining({ customer: ACC(1), revenue: 450, n: 3 }),
      expect.objectContaining({
        customer: CON(1),
        revenue: 70,
        n: 1,
        "customer@Microsoft.Dynamics.CRM.lookuplogicalname": "contact",
      }),
    ]);
  });

  test("dategrouping by year, quarter and month (UTC)", async () => {
    const xml = `<fetch aggregate='true'><entity name='invoice'>
      <attribute name='createdon' alias='year' groupby='true' dategrouping='year' />
      <attribute name='createdon' alias='quarter' groupby='true' dategrouping='quarter' />
      <attribute name='totalamount_base' alias='total' aggregate='sum' />
      <filter><condition attribute='statecode' operator='ne' value='3' /></filter>
      <order alias='year' /><order alias='quarter' />
    </entity></fetch>`;
    const r = await call(sb, "GET", fetchXmlPath("invoices", xml));
    expect(r.json.value).toEqual([
      { year: 2023, quarter: 4, total: 0 },
      { year: 2024, quarter: 1, total: 400 },
      { year: 2024, quarter: 2, total: 1020 },
    ]);
    const months = await call(
      sb,
      "GET",
      fetchXmlPath(
        "invoices",
        `<fetch aggregate='true'><entity name='invoice'>
      <attribute name='createdon' alias='m' groupby='true' dategrouping='month' />
      <attribute name='invoiceid' alias='c' aggregate='count' />
      <filter><condition attribute='createdon' operator='on-or-after' value='2024-04-01' /></filter><order alias='m' />
    </entity></fetch>`,
      ),
    );
    expect(months.json.value).toEqual([
      { m: 4, c: 2 },
      { m: 5, c: 2 },
    ]);
  });

  test("link-entity: inner join filters on the account, outer join brings a contact's parent account", async () => {
    const inner = `<fetch aggregate='true'><entity name='invoice'>
      <attribute name='totalamount_base' alias='total' aggregate='sum' />
      <link-entity name='account' from='accountid' to='customerid' alias='a'>
        <attribute name='accountid' alias='account' groupby='true' />
        <filter><condition attribute='statecode' operator='eq' value='0' /></filter>
      </link-entity>
      <order alias='account' />
    </entity></fetch>`;
    const r = await call(sb, "GET", fetchXmlPath("invoices", inner));
    expect(r.json.value).toEqual([
      { account: ACC(1), total: 450 },
      { account: ACC(2), total: 900 },
    ]);

    const outer = `<fetch><entity name='invoice'>
      <attribute name='name' />
      <link-entity name='contact' from='contactid' to='customerid' link-type='outer' alias='c'>
        <attribute name='parentcustomerid' />
      </link-entity>
      <filter><condition attribute='createdon' operator='ge' value='2024-05-01' /></filter>
      <order attribute='name' />
    </entity></fetch>`;
    const o = await call(sb, "GET", fetchXmlPath("invoices", outer));
    expect(o.json.value!.map((v) => [v.name, v["c.parentcustomerid"] ?? null])).toEqual([
      ["INV-6", ACC(2)],
      ["INV-7", null],
    ]);
  });

  test("conditions: between, null, not-null, like and a link-entity alias via entityname", async () => {
    const q = async (filter: string, link = ""): Promise<unknown[]> => {
      const r = await call(
        sb,
        "GET",
        fetchXmlPath(
          "invoices",
          `<fetch><entity name='invoice'><attribute name='name' />${link}<filter>${filter}</filter><order attribute='name' /></entity></fetch>`,
        ),
      );
      expect(r.status).toBe(200);
      return r.json.value!.map((v) => v.name);
    };
    expect(
      await q("<condition attribute='totalamount' operator='between'><value>50</value><value>100</value></condition>"),
    ).toEqual(["INV-1", "INV-3", "INV-6"]);
    expect(await q("<condition attribute='totalamount' operator='null' />")).toEqual(["INV-5"]);
    expect(
      await q(
        `<filter type='or'><condition attribute='name' operator='like' value='%-7' /><condition attribute='customerid' operator='eq' value='{${ACC(2).toUpperCase()}}' /></filter>`,
      ),
    ).toEqual(["INV-4", "INV-5", "INV-7"]);
    expect(
      await q(
        "<condition entityname='a' attribute='name' operator='eq' value='Gamma' />",
        "<link-entity name='account' from='accountid' to='customerid' alias='a' />",
      ),
    ).toEqual(["INV-7"]);
  });

  test("paging cookies: follow @Microsoft.Dynamics.CRM.fetchxmlpagingcookie until morerecords is false", async () => {
    const prefer = {
      Prefer:
        'odata.include-annotations="Microsoft.Dynamics.CRM.fetchxmlpagingcookie,Microsoft.Dynamics.CRM.morerecords"',
    };
    const seen: unknown[] = [];
    let page = 1;
    let cookie: string | undefined;
    for (;;) {
      const attr = cookie
        ? ` paging-cookie='${cookie.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")}'`
        : "";
      const xml = `<fetch count='3' page='${page}'${attr}><entity name='invoice'><attribute name='name' /><order attribute='name' /></entity></fetch>`;
      const r = await call(sb, "GET", fetchXmlPath("invoices", xml), { headers: prefer });
      expect(r.status).toBe(200);
      seen.push(...r.json.value!.map((v) => v.name));
      if (!r.json["@Microsoft.Dynamics.CRM.morerecords"]) {
        expect(r.json["@Microsoft.Dynamics.CRM.fetchxmlpagingcookie"]).toBeUndefined();
        break;
      }
      const outer = String(r.json["@Microsoft.Dynamics.CRM.fetchxmlpagingcookie"]);
      expect(outer).toMatch(
        new RegExp(`^<cookie pagenumber="${page + 1}" pagingcookie="%253ccookie%2520page%253d%2522${page}%2522`, "i"),
      );
      // As the page documents: take the pagingcookie attribute, URL-decode it twice.
      cookie = decodeURIComponent(decodeURIComponent(/pagingcookie="([^"]+)"/.exec(outer)![1]));
      expect(cookie).toMatch(
        /^<cookie page="\d+"><invoiceid last="\{[0-9A-F-]{36}\}" first="\{[0-9A-F-]{36}\}" \/><\/cookie>$/,
      );
      page++;
    }
    expect(page).toBe(3);
    expect(seen).toEqual(["INV-1", "INV-2", "INV-3", "INV-4", "INV-5", "INV-6", "INV-7"]);
  });

  test("the entity must match the entity set, and unknown attributes are errors", async () => {
    const wrongSet = await call(
      sb,
      "GET",
      fetchXmlPath("accounts", "<fetch><entity name='invoice'><attribute name='name' /></entity></fetch>"),
    );
    expect(wrongSet.status).toBe(400);
    const unknown = await call(
      sb,
      "GET",
      fetchXmlPath("invoices", "<fetch><entity name='invoice'><attribute name='nosuch' /></entity></fetch>"),
    );
    // QueryBuilderNoAttribute: https://learn.microsoft.com/power-apps/developer/data-platform/reference/web-service-error-codes
    expect(unknown.json.error).toEqual({
      code: "0x80041103",
      message: "'invoice' entity doesn't contain attribute with Name = 'nosuch' and NameMapping = 'Logical'.",
    });
  });

  test("aggregatelimit lowers the limit: more matching rows fail with AggregateQueryRecordLimit", async () => {
    const xml = (limit: number): string =>
      `<fetch aggregate='true' aggregatelimit='${limit}'><entity name='invoice'><attribute name='invoiceid' alias='n' aggregate='count' /></entity></fetch>`;
    expect((await call(sb, "GET", fetchXmlPath("invoices", xml(7)))).json.value).toEqual([{ n: 7 }]);
    const r = await call(sb, "GET", fetchXmlPath("invoices", xml(6)));
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      error: { code: "0x8004E023", message: "AggregateQueryRecordLimit exceeded. Cannot perform this operation." },
    });
  });
});

describe("sandbox FetchXML aggregate limit (50,000 rows)", () => {
  test("50,000 matching rows aggregate; 50,001 fail with 0x8004E023, and a filter brings it back under", async () => {
    const sb = await start({
      seed: (store) => {
        store.load("account", { accountid: ACC(1), name: "Big" });
        for (let i = 1; i <= 50_001; i++) {
          store.load("invoice", {
            invoiceid: INV(i),
            totalamount: 1,
            statecode: 2,
            createdon: Date.UTC(2024, 0, 1) + i * 1000,
            customerid: { id: ACC(1), table: "account" },
          });
        }
      },
    });
    try {
      const xml = (filter: string): string =>
        `<fetch aggregate='true'><entity name='invoice'><attribute name='customerid' alias='c' groupby='true' /><attribute name='totalamount_base' alias='s' aggregate='sum' />${filter}</entity></fetch>`;
      const over = await call(sb, "GET", fetchXmlPath("invoices", xml("")));
      expect(over.status).toBe(400);
      expect(over.json.error?.code).toBe("0x8004E023");
      const under = await call(
        sb,
        "GET",
        fetchXmlPath(
          "invoices",
          xml(`<filter><condition attribute='invoiceid' operator='ne' value='${INV(1)}' /></filter>`),
        ),
      );
      expect(under.status).toBe(200);
      expect(under.json.value).toEqual([{ c: ACC(1), s: 50_000 }]);
    } finally {
      await sb.close();
    }
  });
});

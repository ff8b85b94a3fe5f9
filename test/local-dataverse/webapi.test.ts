/**
 * Web API subset over real HTTP, request/response pairs modelled on the documented examples:
 * create-entity-web-api, retrieve-entity-using-web-api, query/filter-rows, query/page-results,
 * perform-conditional-operations-using-web-api, reference/updatemultiple (learn.microsoft.com/power-apps/developer/data-platform/webapi/…).
 */
import { USERS, type Sandbox } from "../../local-dataverse";
import { call, create, start } from "./helpers";

describe("sandbox Web API", () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await start();
  });
  afterEach(async () => {
    await sb.close();
  });

  test("basic create answers 204 with OData-EntityId (create-entity-web-api 'Basic create')", async () => {
    const r = await call(sb, "POST", "accounts", { body: { name: "Sample Account" } });
    expect(r.status).toBe(204);
    expect(r.text).toBe("");
    expect(r.headers.get("OData-EntityId")).toMatch(
      new RegExp(`^${sb.url.replace(/[.$]/g, "\\$&")}accounts\\([0-9a-f-]{36}\\)$`),
    );
    const id = /\(([^)]+)\)/.exec(r.headers.get("OData-EntityId")!)![1];
    expect(sb.store.get("account", id)?.name).toBe("Sample Account");
  });

  test("create with Prefer return=representation answers 201 with the selected columns", async () => {
    const r = await call(sb, "POST", "accounts?$select=name,statecode,createdon", {
      body: { name: "Sample Account" },
      headers: { Prefer: "return=representation" },
    });
    expect(r.status).toBe(201);
    expect(r.headers.get("Preference-Applied")).toBe("return=representation");
    expect(r.json["@odata.context"]).toBe(`${sb.url}$metadata#accounts(name,statecode,createdon)/$entity`);
    expect(r.json["@odata.etag"]).toMatch(/^W\/"\d+"$/);
    expect(r.json.name).toBe("Sample Account");
    expect(r.json.statecode).toBe(0);
    expect(r.json.createdon).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Object.keys(r.json).sort()).toEqual([
      "@odata.context",
      "@odata.etag",
      "accountid",
      "createdon",
      "name",
      "statecode",
    ]);
  });

  test("lookups bind with @odata.bind and read back as _x_value with their annotations", async () => {
    const accountId = await create(sb, "accounts", { name: "Contoso" });
    const invoiceId = await create(sb, "invoices", {
      name: "INV-1",
      "customerid_account@odata.bind": `/accounts(${accountId})`,
      totalamount: 1234.5,
      statecode: 2,
      overriddencreatedon: "2024-03-05T10:00:00Z",
    });
    const r = await call(
      sb,
      "GET",
      `invoices(${invoiceId})?$select=_customerid_value,totalamount,totalamount_base,statecode,createdon`,
      {
        headers: { Prefer: 'odata.include-annotations="*"' },
      },
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      _customerid_value: accountId,
      "_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account",
      "_customerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty": "customerid_account",
      "_customerid_value@OData.Community.Display.V1.FormattedValue": "Contoso",
      totalamount: 1234.5,
      totalamount_base: 1234.5,
      "totalamount@OData.Community.Display.V1.FormattedValue": "$1,234.50",
      statecode: 2,
      "statecode@OData.Community.Display.V1.FormattedValue": "Paid",
      createdon: "2024-03-05T10:00:00Z",
    });
    // Without the Prefer header there are no annotations.
    const plain = await call(sb, "GET", `invoices(${invoiceId})?$select=_customerid_value`);
    expect(Object.keys(plain.json).filter((k) => k.includes("@") && !k.startsWith("@odata"))).toEqual([]);
  });

  test("a contact can be the customer, and a contact names its parent account", async () => {
    const accountId = await create(sb, "accounts", { name: "Parent Co" });
    const contactId = await create(sb, "contacts", {
      fullname: "Pat Buyer",
      "parentcustomerid_account@odata.bind": `accounts(${accountId})`,
    });
    const invoiceId = await create(sb, "invoices", {
      name: "INV-C",
      "customerid_contact@odata.bind": `contacts(${contactId})`,
      totalamount: 10,
    });
    const inv = await call(sb, "GET", `invoices(${invoiceId})?$select=_customerid_value`, {
      headers: { Prefer: 'odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname"' },
    });
    expect(inv.json["_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname"]).toBe("contact");
    const contact = await call(sb, "GET", `contacts(${contactId})?$select=_parentcustomerid_value`);
    expect(contact.json._parentcustomerid_value).toBe(accountId);
  });

  test("binding to a missing row or the wrong table fails in Dataverse's error shape", async () => {
    const missing = "00000000-0000-0000-0000-000000000001";
    const r = await call(sb, "POST", "invoices", {
      body: { name: "x", "customerid_account@odata.bind": `accounts(${missing})` },
    });
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ error: { code: "0x80040217", message: `account With Id = ${missing} Does Not Exist` } });
    const userId = sb.api.identity.userId;
    const wrong = await call(sb, "POST", "invoices", {
      body: { name: "x", "customerid_account@odata.bind": `systemusers(${userId})` },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error?.code).toBe("0x80060888");
    expect(sb.store.count("invoice")).toBe(0);
  });

  test("payload type errors name the property and the expected type", async () => {
    const r = await call(sb, "POST", "invoices", { body: { name: "x", totalamount: "12" } });
    expect(r.status).toBe(400);
    expect(r.json.error?.message).toContain("Edm.Decimal");
    expect(r.json.error?.message).toContain("totalamount");
    const bad = await call(sb, "POST", "accounts", { body: { name: "x", nosuchcolumn: 1 } });
    expect(bad.json.error).toEqual({
      code: "0x80060888",
      message:
        "The property 'nosuchcolumn' does not exist on type 'Microsoft.Dynamics.CRM.account'. Make sure to only use property names that are defined by the type.",
    });
    const choice = await call(sb, "POST", "accounts", { body: { name: "x", ct_tier: 5 } });
    expect(choice.status).toBe(400);
    expect(choice.json.error?.message).toContain("ct_tier");
  });

  test("retrieve with $select; unknown properties and missing rows are errors", async () => {
    const id = await create(sb, "accounts", { name: "Litware", ct_cadencedays: 30 });
    const r = await call(sb, "GET", `accounts(${id})?$select=name,ct_cadencedays`);
    expect(r.status).toBe(200);
    expect(r.headers.get("ETag")).toBe(r.json["@odata.etag"]);
    expect(r.json).toEqual({
      "@odata.context": `${sb.url}$metadata#accounts(name,ct_cadencedays)/$entity`,
      "@odata.etag": r.json["@odata.etag"],
      name: "Litware",
      ct_cadencedays: 30,
      accountid: id,
    });
    const unknown = await call(sb, "GET", `accounts(${id})?$select=name,revenuex`);
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toEqual({
      code: "0x80060888",
      message: "Could not find a property named 'revenuex' on type 'Microsoft.Dynamics.CRM.account'.",
    });
    const missing = await call(sb, "GET", "accounts(00000000-0000-0000-0000-00000000abcd)");
    expect(missing.status).toBe(404);
    expect(missing.json.error?.code).toBe("0x80040217");
    // Conditional retrieval: the current etag answers 304.
    const notModified = await call(sb, "GET", `accounts(${id})?$select=name`, {
      headers: { "If-None-Match": String(r.json["@odata.etag"]) },
    });
    expect(notModified.status).toBe(304);
  });

  describe("collections", () => {
    let accountA: string;
    let accountB: string;
    beforeEach(async () => {
      accountA = await create(sb, "accounts", { name: "A" });
      accountB = await create(sb, "accounts", { name: "B" });
      const invoices: [string, number, number, string | null][] = [
        [accountA, 100, 2, "2024-01-10T00:00:00Z"],
        [accountA, 250.5, 0, "2024-02-10T00:00:00Z"],
        [accountA, -40, 2, "2024-03-10T00:00:00Z"],
        [accountB, 999, 3, "2024-01-20T00:00:00Z"],
        [accountB, 10, 2, null],
      ];
      for (const [i, [acc, amount, state, on]] of invoices.entries()) {
        await create(sb, "invoices", {
          name: `INV-${i}`,
          "customerid_account@odata.bind": `accounts(${acc})`,
          totalamount: amount,
          statecode: state,
          ...(on ? { overriddencreatedon: on } : {}),
        });
      }
    });

    const names = (r: { json: { value?: Record<string, unknown>[] } }): unknown[] => r.json.value!.map((v) => v.name);

    test("$filter comparisons with and/or, parentheses and null", async () => {
      const q = (f: string): string => `invoices?$select=name&$orderby=name&$filter=${encodeURIComponent(f)}`;
      expect(names(await call(sb, "GET", q(`_customerid_value eq ${accountA} and totalamount_base gt 0`)))).toEqual([
        "INV-0",
        "INV-1",
      ]);
      expect(names(await call(sb, "GET", q("(statecode eq 0 or statecode eq 3) and totalamount ge 250.5")))).toEqual([
        "INV-1",
        "INV-3",
      ]);
      expect(names(await call(sb, "GET", q("totalamount lt 0 or totalamount le 10")))).toEqual(["INV-2", "INV-4"]);
      expect(names(await call(sb, "GET", q("createdon ge 2024-02-01T00:00:00Z and createdon lt 2024-03-31")))).toEqual([
        "INV-1",
        "INV-2",
      ]);
      expect(names(await call(sb, "GET", q(`_customerid_value ne ${accountA} and statecode ne 3`)))).toEqual(["INV-4"]);
      expect(names(await call(sb, "GET", q("name eq 'inv-3'")))).toEqual(["INV-3"]);
      expect(names(await call(sb, "GET", q("not (statecode eq 2)")))).toEqual(["INV-1", "INV-3"]);
      const none = await call(sb, "GET", q("ct_doesnotexist eq null"));
      expect(none.status).toBe(400);
    });

    test("$filter literal of the wrong type is Dataverse's incompatible-types error", async () => {
      const r = await call(sb, "GET", `invoices?$filter=${encodeURIComponent("totalamount eq 'abc'")}`);
      expect(r.status).toBe(400);
      expect(r.json.error).toEqual({
        code: "0x80060888",
        message:
          "A binary operator with incompatible types was detected. Found operand types 'Edm.Decimal' and 'Edm.String' for operator kind 'Equal'.",
      });
    });

    test("$orderby, $top and $count", async () => {
      const r = await call(sb, "GET", "invoices?$select=name,totalamount&$orderby=totalamount desc&$top=2&$count=true");
      expect(r.json.value!.map((v) => v.totalamount)).toEqual([999, 250.5]);
      expect(r.json["@odata.count"]).toBe(2);
      const skip = await call(sb, "GET", "invoices?$skip=2");
      expect(skip.status).toBe(400);
      expect(skip.json.error?.message).toContain("$skip");
    });

    test("Prefer odata.maxpagesize pages with @odata.nextLink until every row was read once", async () => {
      const first = await call(sb, "GET", "invoices?$select=name&$orderby=name", {
        headers: { Prefer: "odata.maxpagesize=2" },
      });
      expect(first.headers.get("Preference-Applied")).toBe("odata.maxpagesize=2");
      expect(first.json.value).toHaveLength(2);
      const seen: unknown[] = names(first);
      let next = first.json["@odata.nextLink"] as string | undefined;
      expect(next).toContain("$skiptoken=");
      let pages = 1;
      while (next) {
        const page = await call(sb, "GET", next, { headers: { Prefer: "odata.maxpagesize=2" } });
        expect(page.status).toBe(200);
        seen.push(...names(page));
        next = page.json["@odata.nextLink"] as string | undefined;
        pages++;
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(["INV-0", "INV-1", "INV-2", "INV-3", "INV-4"]);
    });

    test("without $select every column is returned, unset ones as null", async () => {
      const r = await call(sb, "GET", `accounts(${accountB})`);
      expect(r.json).toHaveProperty("ct_tier", null);
      expect(r.json).toHaveProperty("_ct_servicerepid_value", null);
      expect(r.json).not.toHaveProperty("ct_servicerepid");
      expect(r.json).not.toHaveProperty("versionnumber");
    });
  });

  describe("optimistic concurrency (If-Match with @odata.etag)", () => {
    test("PATCH with the current etag updates and changes the etag; a stale one is 412", async () => {
      const id = await create(sb, "accounts", { name: "Etag Co" });
      const before = await call(sb, "GET", `accounts(${id})?$select=name`);
      const etag = String(before.json["@odata.etag"]);
      const ok = await call(sb, "PATCH", `accounts(${id})`, {
        body: { ct_tierscore: 91.5 },
        headers: { "If-Match": etag },
      });
      expect(ok.status).toBe(204);
      const after = await call(sb, "GET", `accounts(${id})?$select=ct_tierscore`);
      expect(after.json.ct_tierscore).toBe(91.5);
      expect(after.json["@odata.etag"]).not.toBe(etag);
      const stale = await call(sb, "PATCH", `accounts(${id})`, {
        body: { ct_tierscore: 10 },
        headers: { "If-Match": etag },
      });
      expect(stale.status).toBe(412);
      expect(stale.json.error).toEqual({
        code: "0x80060882",
        message: "The version of the existing record doesn't match the RowVersion property provided.",
      });
      expect(sb.store.get("account", id)?.ct_tierscore).toBe(91.5);
      const staleDelete = await call(sb, "DELETE", `accounts(${id})`, { headers: { "If-Match": etag } });
      expect(staleDelete.status).toBe(412);
      const del = await call(sb, "DELETE", `accounts(${id})`, {
        headers: { "If-Match": String(after.json["@odata.etag"]) },
      });
      expect(del.status).toBe(204);
      expect(sb.store.get("account", id)).toBeUndefined();
    });

    test("PATCH is an upsert unless If-Match is sent; return=representation answers 200 with the row", async () => {
      const id = "2b7d3c4e-1111-4222-8333-444455556666";
      const guarded = await call(sb, "PATCH", `accounts(${id})`, {
        body: { name: "New" },
        headers: { "If-Match": "*" },
      });
      expect(guarded.status).toBe(404);
      const created = await call(sb, "PATCH", `accounts(${id})`, { body: { name: "New" } });
      expect(created.status).toBe(204);
      expect(created.headers.get("OData-EntityId")).toBe(`${sb.url}accounts(${id})`);
      const updated = await call(sb, "PATCH", `accounts(${id})?$select=name`, {
        body: { name: "Renamed" },
        headers: { Prefer: "return=representation", "If-Match": "*" },
      });
      expect(updated.status).toBe(200);
      expect(updated.json.name).toBe("Renamed");
      const createOnly = await call(sb, "PATCH", `accounts(${id})`, {
        body: { name: "x" },
        headers: { "If-None-Match": "*" },
      });
      expect(createOnly.status).toBe(412);
    });
  });

  describe("UpdateMultiple", () => {
    test("updates every target in one request (reference/updatemultiple example)", async () => {
      const ids = [await create(sb, "accounts", { name: "one" }), await create(sb, "accounts", { name: "two" })];
      const r = await call(sb, "POST", "accounts/Microsoft.Dynamics.CRM.UpdateMultiple", {
        body: {
          Targets: ids.map((id, i) => ({
            "@odata.type": "Microsoft.Dynamics.CRM.account",
            accountid: id,
            ct_tier: 100000000 + i,
            name: `renamed ${i}`,
          })),
        },
      });
      expect(r.status).toBe(204);
      expect(ids.map((id) => sb.store.get("account", id)?.ct_tier)).toEqual([100000000, 100000001]);
    });

    test("is all-or-nothing, and every target must carry @odata.type", async () => {
      const id = await create(sb, "accounts", { name: "keep" });
      const r = await call(sb, "POST", "accounts/Microsoft.Dynamics.CRM.UpdateMultiple", {
        body: {
          Targets: [
            { "@odata.type": "Microsoft.Dynamics.CRM.account", accountid: id, name: "changed" },
            {
              "@odata.type": "Microsoft.Dynamics.CRM.account",
              accountid: "00000000-0000-0000-0000-0000000000ff",
              name: "ghost",
            },
          ],
        },
      });
      expect(r.status).toBe(404);
      expect(sb.store.get("account", id)?.name).toBe("keep");
      const untyped = await call(sb, "POST", "accounts/Microsoft.Dynamics.CRM.UpdateMultiple", {
        body: { Targets: [{ accountid: id, name: "x" }] },
      });
      expect(untyped.status).toBe(400);
      expect(untyped.json.error?.message).toContain("@odata.type");
    });
  });

  test("WhoAmI names the sandbox user", async () => {
    const r = await call(sb, "GET", "WhoAmI");
    // The caller: these suites call as the System Administrator.
    expect(r.json.UserId).toBe(USERS.find((u) => u.key === "admin")!.id);
    const user = await call(sb, "GET", `systemusers(${r.json.UserId})?$select=fullname`);
    expect(user.json.fullname).toBe("System Administrator");
  });
});

describe("sandbox bearer token", () => {
  test("with a token configured, requests without it are 401 and with it succeed", async () => {
    const sb = await start({ token: "s3cret-token" });
    try {
      const none = await call(sb, "GET", "accounts");
      expect(none.status).toBe(401);
      expect(none.headers.get("WWW-Authenticate")).toContain("Bearer");
      const wrong = await call(sb, "GET", "accounts", { headers: { Authorization: "Bearer nope" } });
      expect(wrong.status).toBe(401);
      expect(wrong.text).not.toContain("s3cret");
      const ok = await call(sb, "GET", "accounts", { headers: { Authorization: "Bearer s3cret-token" } });
      expect(ok.status).toBe(200);
    } finally {
      await sb.close();
    }
  });
});

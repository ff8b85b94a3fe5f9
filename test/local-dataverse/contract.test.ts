/**
 * The local Dataverse refuses what Dataverse refuses. Each test names the documented status and code; each would
 * fail if the rule were taken out of the local Dataverse.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSandbox, userTokens, type Sandbox } from "../../local-dataverse";
import { sqlGuidKey } from "../../local-dataverse/guid-order";
import { defaultSolutionSrcDir } from "../../solution/scripts/source-dir";
import { call, create, fetchXmlPath, start, testGuid } from "./helpers";

const tokens = userTokens(undefined);
const as = (key: string): Record<string, string> => ({ Authorization: `Bearer ${tokens[key]}` });

let sb: Sandbox;
let accountId: string;
beforeAll(async () => {
  sb = await start();
  accountId = await create(sb, "accounts", { name: "Contoso", ct_tier: 100000003, ct_tierscore: 12.5 });
});
afterAll(() => sb.close());

describe("names: navigation properties are case-sensitive, columns must exist", () => {
  // https://learn.microsoft.com/power-apps/developer/data-platform/webapi/associate-disassociate-entities-using-web-api
  test("ct_accountid@odata.bind is refused (0x80060888); the solution's ct_AccountId binds", async () => {
    const wrong = await call(sb, "POST", "ct_tierhistories", {
      body: { ct_name: "x", "ct_accountid@odata.bind": `/accounts(${accountId})` },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error?.code).toBe("0x80060888");
    expect(wrong.json.error?.message).toContain("An undeclared property 'ct_accountid'");
    const right = await call(sb, "POST", "ct_tierhistories", {
      body: { ct_name: "x", "ct_AccountId@odata.bind": `/accounts(${accountId})` },
    });
    expect(right.status).toBe(204);
    const serviceRep = await call(sb, "PATCH", `accounts(${accountId})`, {
      body: { "ct_servicerepid@odata.bind": `/systemusers(${sb.api.identity.userId})` },
      headers: { "If-Match": "*" },
    });
    expect(serviceRep.json.error?.code).toBe("0x80060888");
  });

  test("unknown or wrongly cased columns in a body, $select, $filter and FetchXML", async () => {
    const body = await call(sb, "PATCH", `accounts(${accountId})`, {
      body: { Name: "x" },
      headers: { "If-Match": "*" },
    });
    expect([body.status, body.json.error?.code]).toEqual([400, "0x80060888"]);
    const select = await call(sb, "GET", `accounts(${accountId})?$select=Name`);
    expect([select.status, select.json.error?.code]).toEqual([400, "0x80060888"]);
    const filter = await call(sb, "GET", `accounts?$filter=ct_Tier eq 1`);
    expect([filter.status, filter.json.error?.code]).toEqual([400, "0x80060888"]);
    // QueryBuilderNoAttribute: https://learn.microsoft.com/power-apps/developer/data-platform/reference/web-service-error-codes
    const fetch = await call(
      sb,
      "GET",
      fetchXmlPath("accounts", "<fetch><entity name='account'><attribute name='ct_Tier' /></entity></fetch>"),
    );
    expect([fetch.status, fetch.json.error?.code]).toEqual([400, "0x80041103"]);
  });

  test("$metadata and EntityDefinitions come from the same data as the solution's relationships", async () => {
    const res = await fetch(`${sb.url}$metadata`, { headers: as("admin") });
    const csdl = await res.text();
    expect(csdl).toContain('<NavigationProperty Name="ct_AccountId" Type="mscrm.account">');
    expect(csdl).not.toContain('NavigationProperty Name="ct_accountid"');
    const rel = await call(sb, "GET", "EntityDefinitions(LogicalName='ct_tierhistory')/ManyToOneRelationships");
    expect(rel.json.value).toContainEqual(
      expect.objectContaining({
        ReferencingAttribute: "ct_accountid",
        ReferencingEntityNavigationPropertyName: "ct_AccountId",
      }),
    );
  });
});

describe("security roles from solution/src/Roles", () => {
  // "Principal user is missing privilege": -2147220960 = 0x80040220
  // https://learn.microsoft.com/troubleshoot/power-platform/dataverse/user-permissions/client-errors
  test("a missing privilege is 403 0x80040220 naming it", async () => {
    const r = await call(sb, "POST", "ct_tierhistories", {
      body: { ct_name: "x", "ct_AccountId@odata.bind": `/accounts(${accountId})` },
      headers: as("salesperson"),
    });
    expect(r.status).toBe(403);
    expect(r.json.error?.code).toBe("0x80040220");
    expect(r.json.error?.message).toContain("prvCreatect_TierHistory");
    const invoice = await call(sb, "POST", "invoices", { body: { name: "x" }, headers: as("service") });
    expect([invoice.status, invoice.json.error?.code]).toEqual([403, "0x80040220"]);
  });

  test("the salesperson roles read tier policies; the service reads contacts and users", async () => {
    for (const key of ["salesperson-restricted", "salesperson", "manager", "salesops"]) {
      const r = await call(sb, "GET", "ct_tierpolicies?$select=ct_name", { headers: as(key) });
      expect([key, r.status]).toEqual([key, 200]);
    }
    for (const set of ["contacts", "systemusers", "teams"]) {
      const r = await call(sb, "GET", `${set}?$top=1`, { headers: as("service") });
      expect([set, r.status]).toEqual([set, 200]);
    }
  });

  test("a role naming a privilege that does not exist fails when the solution is loaded", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ct-roles-"));
    try {
      cpSync(defaultSolutionSrcDir(), dir, { recursive: true });
      const file = join(dir, "Roles", "Tier model manager.xml");
      writeFileSync(file, readFileSync(file, "utf8").replace("prvReadUser", "prvReadSystemUser"));
      await expect(startSandbox({ solutionDir: dir, steps: [], log: () => undefined })).rejects.toThrow(
        "names privilege 'prvReadSystemUser', which does not exist",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("field security from the solution's profiles", () => {
  // https://learn.microsoft.com/power-platform/admin/field-level-security
  test("a secured column reads as null without the profile, in the Web API and FetchXML, filters included", async () => {
    const plain = await call(sb, "GET", `accounts(${accountId})?$select=name,ct_tier`, {
      headers: as("salesperson-restricted"),
    });
    expect(plain.json).toMatchObject({ name: "Contoso", ct_tier: null });
    const reader = await call(sb, "GET", `accounts(${accountId})?$select=ct_tier`, { headers: as("salesperson") });
    expect(reader.json.ct_tier).toBe(100000003);
    const filtered = await call(sb, "GET", `accounts?$filter=ct_tier eq 100000003`, {
      headers: as("salesperson-restricted"),
    });
    expect(filtered.json.value).toEqual([]);
    const sum = await call(
      sb,
      "GET",
      fetchXmlPath(
        "accounts",
        "<fetch aggregate='true'><entity name='account'><attribute name='ct_tierscore' alias='s' aggregate='max' /></entity></fetch>",
      ),
      { headers: as("salesperson-restricted") },
    );
    expect(sum.json.value).toEqual([{ s: null }]);
  });

  test("writing a secured column without the profile is refused (0x8004F507 update, 0x8004F502 create)", async () => {
    // https://learn.microsoft.com/power-apps/developer/data-platform/reference/web-service-error-codes
    const update = await call(sb, "PATCH", `accounts(${accountId})`, {
      body: { ct_tier: 100000000 },
      headers: { ...as("salesperson"), "If-Match": "*" },
    });
    expect([update.status, update.json.error?.code]).toEqual([403, "0x8004F507"]);
    const createRow = await call(sb, "POST", "accounts", {
      body: { name: "y", ct_tier: 100000000 },
      headers: as("manager"),
    });
    expect([createRow.status, createRow.json.error?.code]).toEqual([403, "0x8004F502"]);
    const service = await call(sb, "PATCH", `accounts(${accountId})`, {
      body: { ct_tier: 100000002 },
      headers: { ...as("service"), "If-Match": "*" },
    });
    expect(service.status).toBe(204);
  });
});

describe("$batch framing", () => {
  // https://learn.microsoft.com/power-apps/developer/data-platform/webapi/execute-batch-operations-using-web-api#batch-requests
  const post = (body: string) =>
    call(sb, "POST", "$batch", { body, headers: { "Content-Type": 'multipart/mixed; boundary="b"' } });
  const request = `POST /api/data/v9.2/accounts HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{"name":"b"}\r\n`;

  test("a part without Content-Transfer-Encoding: binary is refused", async () => {
    const r = await post(`--b\r\nContent-Type: application/http\r\n\r\n${request}--b--\r\n`);
    expect(r.status).toBe(400);
    expect(r.json.error?.message).toContain("Content-Transfer-Encoding: binary");
  });

  test("a change set request without a Content-ID is refused", async () => {
    const r = await post(
      `--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n${request}--c--\r\n--b--\r\n`,
    );
    expect(r.status).toBe(400);
    expect(r.json.error?.message).toContain("Content-ID");
  });
});

describe("uniqueidentifier order is SQL Server's", () => {
  // https://learn.microsoft.com/sql/connect/ado-net/sql/compare-guid-uniqueidentifier-values
  test("byte group 10-15 decides before the first group, in $filter, $orderby and FetchXML", async () => {
    const low = "ffffffff-0000-4000-8000-000000000001"; // sorts first in SQL Server, last as a string
    const high = "00000000-0000-4000-8000-000000000002";
    expect(sqlGuidKey(low) < sqlGuidKey(high)).toBe(true);
    for (const id of [low, high]) await call(sb, "PATCH", `contacts(${id})`, { body: { fullname: id } });
    const lt = await call(sb, "GET", `contacts?$select=fullname&$filter=contactid lt ${high}`);
    expect(lt.json.value!.map((r) => r.fullname)).toContain(low);
    const ordered = await call(
      sb,
      "GET",
      `contacts?$select=fullname&$filter=contactid eq ${low} or contactid eq ${high}&$orderby=contactid`,
    );
    expect(ordered.json.value!.map((r) => r.fullname)).toEqual([low, high]);
    const fx = await call(
      sb,
      "GET",
      fetchXmlPath(
        "contacts",
        `<fetch><entity name='contact'><attribute name='fullname' /><filter><filter type='or'><condition attribute='contactid' operator='lt' value='${high}' /><condition attribute='contactid' operator='eq' value='${high}' /></filter></filter><order attribute='contactid' /></entity></fetch>`,
      ),
    );
    expect(fx.status).toBe(200);
    const names = fx.json.value!.map((r) => r.fullname);
    expect(names).toEqual([low, high]);
  });
});

describe("aggregated date-times come back as date-times", () => {
  test("max of a date-time column is an ISO date-time, with Dataverse's formatted value", async () => {
    const r = await call(
      sb,
      "GET",
      fetchXmlPath(
        "accounts",
        "<fetch aggregate='true'><entity name='account'><attribute name='createdon' alias='last' aggregate='max' /></entity></fetch>",
      ),
      { headers: { Prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"' } },
    );
    expect(r.json.value![0].last).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(r.json.value![0]["last@OData.Community.Display.V1.FormattedValue"]).toMatch(
      /^\d+\/\d+\/\d{4} \d+:\d{2} (AM|PM)$/,
    );
  });
});

describe("CreateMultiple / UpdateMultiple", () => {
  // https://learn.microsoft.com/power-apps/developer/data-platform/bulk-operations#availability-with-standard-tables
  test("refused for a standard table without the message; custom tables take them", async () => {
    const inv = await call(sb, "POST", "invoices/Microsoft.Dynamics.CRM.UpdateMultiple", {
      body: { Targets: [{ "@odata.type": "Microsoft.Dynamics.CRM.invoice", invoiceid: testGuid(7, 1), name: "x" }] },
    });
    expect(inv.status).toBe(400);
    expect(inv.json.error?.message).toContain("'UpdateMultiple' is not available for the table 'invoice'");
    const made = await call(sb, "POST", "ct_tierhistories/Microsoft.Dynamics.CRM.CreateMultiple", {
      body: {
        Targets: [1, 2].map((i) => ({
          "@odata.type": "Microsoft.Dynamics.CRM.ct_tierhistory",
          ct_name: `h${i}`,
          "ct_AccountId@odata.bind": `/accounts(${accountId})`,
        })),
      },
    });
    expect(made.status).toBe(200);
    expect(made.json.Ids).toHaveLength(2);
  });

  test("more than 1,000 targets are refused", async () => {
    const targets = Array.from({ length: 1001 }, (_, i) => ({
      "@odata.type": "Microsoft.Dynamics.CRM.account",
      accountid: testGuid(8, i),
      name: "x",
    }));
    const r = await call(sb, "POST", "accounts/Microsoft.Dynamics.CRM.UpdateMultiple", { body: { Targets: targets } });
    expect(r.status).toBe(400);
    expect(r.json.error?.message).toContain("at most 1000");
  });
});

/**
 * activitypointer, the base activity table: every phone call, appointment, email and task appears in it with its
 * type in `activitytypecode`, and it cannot be written directly.
 * https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/activitypointer
 */
import type { Sandbox } from "../../local-dataverse";
import { call, create, fetchXmlPath, ms, start, testGuid } from "./helpers";

const ACC = (n: number): string => testGuid(1, n);
const ACT = (n: number): string => testGuid(4, n);
const account = (n: number): { id: string; table: string } => ({ id: ACC(n), table: "account" });

describe("sandbox activitypointer", () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await start({
      seed: (store) => {
        store.load("account", { accountid: ACC(1), name: "Alpha" });
        store.load("account", { accountid: ACC(2), name: "Beta" });
        store.load("phonecall", {
          activityid: ACT(1),
          subject: "call",
          regardingobjectid: account(1),
          statecode: 1,
          actualend: ms("2024-03-01T10:00:00Z"),
        });
        store.load("appointment", {
          activityid: ACT(2),
          subject: "meet",
          regardingobjectid: account(1),
          statecode: 1,
          actualend: ms("2024-05-01T10:00:00Z"),
        });
        store.load("email", {
          activityid: ACT(3),
          subject: "mail",
          regardingobjectid: account(2),
          statecode: 1,
          actualend: ms("2024-02-01T10:00:00Z"),
        });
        store.load("email", { activityid: ACT(4), subject: "draft", regardingobjectid: account(2), statecode: 0 });
        store.load("task", {
          activityid: ACT(5),
          subject: "todo",
          regardingobjectid: account(2),
          statecode: 1,
          actualend: ms("2024-06-01T10:00:00Z"),
        });
      },
    });
  });
  afterEach(async () => {
    await sb.close();
  });

  test("holds every activity table's rows, with their type, and no copies", async () => {
    const r = await call(sb, "GET", "activitypointers?$select=activityid,activitytypecode,subject&$orderby=activityid");
    expect(r.status).toBe(200);
    expect(r.json.value!.map((v) => [v.activityid, v.activitytypecode, v.subject])).toEqual([
      [ACT(1), "phonecall", "call"],
      [ACT(2), "appointment", "meet"],
      [ACT(3), "email", "mail"],
      [ACT(4), "email", "draft"],
      [ACT(5), "task", "todo"],
    ]);
    expect(sb.store.count("activitypointer")).toBe(5);
    expect(sb.store.tableNames()).not.toContain("activitypointer"); // saved state holds each row once
  });

  test("a grouped aggregate over it filtered by type equals the per-table aggregates combined", async () => {
    const xml = (entity: string, types: string): string =>
      `<fetch aggregate="true"><entity name="${entity}"><attribute name="regardingobjectid" alias="id" groupby="true" />` +
      `<attribute name="actualend" alias="mx" aggregate="max" /><attribute name="activityid" alias="n" aggregate="count" />` +
      `<filter><condition attribute="statecode" operator="eq" value="1" />${types}</filter><order alias="id" /></entity></fetch>`;
    const types = `<condition attribute="activitytypecode" operator="in"><value>phonecall</value><value>appointment</value><value>email</value></condition>`;
    const r = await call(sb, "GET", fetchXmlPath("activitypointers", xml("activitypointer", types)));
    expect(r.status).toBe(200);
    expect(r.json.value!.map((v) => [v.id, new Date(v.mx as string | number).getTime(), v.n])).toEqual([
      [ACC(1), ms("2024-05-01T10:00:00Z"), 2],
      [ACC(2), ms("2024-02-01T10:00:00Z"), 1], // the task is not a touch channel and the open email is not completed
    ]);
  });

  test("a row created through an activity table appears at once; writes to activitypointer itself are refused", async () => {
    const id = await create(sb, "phonecalls", {
      subject: "new call",
      statecode: 1,
      actualend: "2024-07-01T00:00:00Z",
      "regardingobjectid_account_phonecall@odata.bind": `/accounts(${ACC(2)})`,
    });
    const r = await call(sb, "GET", `activitypointers(${id})?$select=activitytypecode,subject`);
    expect(r.status).toBe(200);
    expect([r.json.activitytypecode, r.json.subject]).toEqual(["phonecall", "new call"]);
    const w = await call(sb, "POST", "activitypointers", { body: { subject: "direct" } });
    expect(w.status).toBe(400);
    expect(sb.store.count("activitypointer")).toBe(6);
  });
});

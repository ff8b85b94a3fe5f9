import { randomUUID } from "node:crypto";
import type { DataverseGateway, Row } from "../../plugins/dataverse/gateway";
import { parseContext, PayloadError } from "../../plugins/webhook/context";
import { plan, UnresolvableEvent } from "../../plugins/webhook/routing";
import { context, date, entity, money, option, ref, stripped } from "./payloads";

/** Reads only: the rows routing may look up (a contact's parent, a stripped event's record). */
function readsOnly(rows: Record<string, Row>): DataverseGateway & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    retrieve: async (table, id) => {
      reads.push(`${table}(${id})`);
      return rows[`${table}(${id})`] ?? null;
    },
    retrieveAccount: () => Promise.reject(new Error("routing must not read accounts")),
    fetch: () => Promise.reject(new Error("routing must not query")),
    query: () => Promise.reject(new Error("routing must not query")),
    commit: () => Promise.reject(new Error("routing must not write")),
  };
}

const A1 = "1d6f7f0e-1111-4a5b-9c0d-000000000001";
const A2 = "1d6f7f0e-1111-4a5b-9c0d-000000000002";
const INV = "5b0c1a2e-2222-4d3c-8e9f-000000000010";
const OPP = "5b0c1a2e-2222-4d3c-8e9f-000000000020";
const CONTACT = "7e8f9a0b-3333-4c2d-9e1f-000000000030";

describe("RemoteExecutionContext parsing", () => {
  it("decodes Money, OptionSetValue, EntityReference and /Date()/ values", () => {
    const body = context({
      message: "Create",
      entity: "invoice",
      id: INV,
      target: entity("invoice", INV, {
        customerid: ref("account", A1.toUpperCase(), "Contoso"),
        totalamount_base: money(1234.5),
        statecode: option(2),
        createdon: date(1747474200000),
      }),
    });
    const ctx = parseContext(JSON.parse(JSON.stringify(body)), false);
    const t = ctx.target as { attributes: Map<string, unknown> };
    expect(t.attributes.get("customerid")).toEqual({ logicalName: "account", id: A1 });
    expect(t.attributes.get("totalamount_base")).toBe(1234.5);
    expect(t.attributes.get("statecode")).toBe(2);
    expect(t.attributes.get("createdon")).toBe(1747474200000);
    expect(ctx.stripped).toBe(false);
  });

  it("reads the escaped \\/Date(ms+0000)\\/ form as it appears in the JSON text", () => {
    const text = `{"k":"\\/Date(1747474200000+0000)\\/"}`;
    const body = context({
      message: "Update",
      entity: "phonecall",
      id: randomUUID(),
      post: { actualend: (JSON.parse(text) as { k: string }).k },
    });
    const ctx = parseContext(body, false);
    expect(ctx.post[0].attributes.get("actualend")).toBe(1747474200000);
  });

  it.each([
    [{ MessageName: "Create" }, "PrimaryEntityName"],
    [
      { ...context({ message: "Create", entity: "invoice", id: INV }), PrimaryEntityId: "not-a-guid" },
      "PrimaryEntityId: must be a GUID",
    ],
    [{ ...context({ message: "Create", entity: "invoice", id: INV }), Depth: "1" }, "Depth"],
    [
      context({
        message: "Create",
        entity: "invoice",
        id: INV,
        target: entity("invoice", INV, { totalamount_base: { __type: "Money:x", Value: "12" } }),
      }),
      "InputParameters[0].value.Attributes[0].value.Value: Money needs a numeric Value",
    ],
    [
      context({ message: "Delete", entity: "invoice", id: INV, target: { __type: "EntityReference:x", Id: INV } }),
      "InputParameters[0].value",
    ],
    [
      {
        ...context({ message: "Update", entity: "invoice", id: INV }),
        PreEntityImages: [{ key: "PreImage", value: { Attributes: [] } }],
      },
      "PreEntityImages[0].value.LogicalName",
    ],
  ])("rejects a malformed context and names what is wrong (%#)", (body, named) => {
    expect(() => parseContext(body, false)).toThrow(PayloadError);
    expect(() => parseContext(body, false)).toThrow(named);
  });
});

describe("routing events to accounts", () => {
  it("invoice Create: the customer in the Target", async () => {
    const body = context({
      message: "Create",
      entity: "invoice",
      id: INV,
      target: entity("invoice", INV, { customerid: ref("account", A1), totalamount_base: money(10) }),
      post: { customerid: ref("account", A1) },
    });
    await expect(plan(parseContext(body, false), readsOnly({}))).resolves.toEqual({
      kind: "recalc",
      trigger: "invoice",
      accounts: [A1],
      via: "payload",
    });
  });

  it("invoice Update (paid) with pre- and post-images named anything: the customer from the images", async () => {
    const body = context({
      message: "Update",
      entity: "invoice",
      id: INV,
      target: entity("invoice", INV, { statecode: option(2) }),
      pre: { customerid: ref("account", A1), statecode: option(0) },
      post: { customerid: ref("account", A1), statecode: option(2) },
      preKey: "before",
      postKey: "after",
    });
    const gw = readsOnly({});
    await expect(plan(parseContext(body, false), gw)).resolves.toMatchObject({ kind: "recalc", accounts: [A1] });
    expect(gw.reads).toEqual([]);
  });

  it("owner reassignment: a changed customer recalculates the old and the new account", async () => {
    const body = context({
      message: "Update",
      entity: "opportunity",
      id: OPP,
      target: entity("opportunity", OPP, { customerid: ref("account", A2) }),
      pre: { customerid: ref("account", A1), statecode: option(0) },
      post: { customerid: ref("account", A2), statecode: option(0) },
    });
    const p = await plan(parseContext(body, false), readsOnly({}));
    expect(p).toMatchObject({ kind: "recalc", trigger: "opportunity" });
    expect(p.kind === "recalc" && [...p.accounts].sort()).toEqual([A1, A2]);
  });

  it("invoice Delete with a pre-image only", async () => {
    const body = context({
      message: "Delete",
      entity: "invoice",
      id: INV,
      pre: { customerid: ref("account", A2), totalamount_base: money(99) },
    });
    await expect(plan(parseContext(body, false), readsOnly({}))).resolves.toMatchObject({
      kind: "recalc",
      accounts: [A2],
    });
  });

  it("a contact customer counts for its parent account", async () => {
    const body = context({
      message: "Create",
      entity: "invoice",
      id: INV,
      target: entity("invoice", INV, { customerid: ref("contact", CONTACT) }),
    });
    const gw = readsOnly({
      [`contact(${CONTACT})`]: {
        _parentcustomerid_value: A1,
        "_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account",
      },
    });
    await expect(plan(parseContext(body, false), gw)).resolves.toMatchObject({ kind: "recalc", accounts: [A1] });
  });

  it("an unrelated entity is a no-op with a reason", async () => {
    const body = context({
      message: "Update",
      entity: "contact",
      id: CONTACT,
      target: entity("contact", CONTACT, { fullname: "Jo" }),
    });
    await expect(plan(parseContext(body, false), readsOnly({}))).resolves.toEqual({
      kind: "noop",
      reason: "table contact does not affect tiers",
    });
  });

  it("a stripped oversize payload reads the record by PrimaryEntityId", async () => {
    const full = context({
      message: "Update",
      entity: "invoice",
      id: INV,
      target: entity("invoice", INV, { customerid: ref("account", A1) }),
    });
    const gw = readsOnly({
      [`invoice(${INV})`]: {
        _customerid_value: A2,
        "_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account",
      },
    });
    const ctx = parseContext(stripped(full), true);
    expect(ctx.stripped).toBe(true);
    await expect(plan(ctx, gw)).resolves.toEqual({ kind: "recalc", trigger: "invoice", accounts: [A2], via: "read" });
    expect(gw.reads).toEqual([`invoice(${INV})`]);
  });

  it("a stripped Delete cannot be resolved and says so", async () => {
    const ctx = parseContext(
      stripped(context({ message: "Delete", entity: "invoice", id: INV, pre: { customerid: ref("account", A1) } })),
      true,
    );
    await expect(plan(ctx, readsOnly({}))).rejects.toThrow(UnresolvableEvent);
  });

  it("a completed phone call regarding an account is a touch; an open one is not", async () => {
    const id = randomUUID();
    const done = context({
      message: "Update",
      entity: "phonecall",
      id,
      target: entity("phonecall", id, { statecode: option(1) }),
      post: { regardingobjectid: ref("account", A1), statecode: option(1), actualend: date(1747474200000) },
    });
    await expect(plan(parseContext(done, false), readsOnly({}))).resolves.toMatchObject({
      kind: "recalc",
      trigger: "touch",
      accounts: [A1],
    });
    const open = context({
      message: "Create",
      entity: "email",
      id,
      post: { regardingobjectid: ref("account", A1), statecode: option(0) },
    });
    await expect(plan(parseContext(open, false), readsOnly({}))).resolves.toEqual({
      kind: "noop",
      reason: "email is not completed",
    });
  });

  it("an account update re-evaluates only when the override columns changed", async () => {
    const over = context({
      message: "Update",
      entity: "account",
      id: A1,
      target: entity("account", A1, { ct_tieroverride: option(100000000), ct_tieroverridereason: "strategic" }),
    });
    await expect(plan(parseContext(over, false), readsOnly({}))).resolves.toMatchObject({
      kind: "recalc",
      trigger: "override",
      accounts: [A1],
    });
    const other = context({
      message: "Update",
      entity: "account",
      id: A1,
      target: entity("account", A1, { name: "Contoso" }),
    });
    await expect(plan(parseContext(other, false), readsOnly({}))).resolves.toMatchObject({ kind: "noop" });
  });
});

describe("messages registered by hand", () => {
  it("Win of an opportunity: the opportunity from OpportunityClose, its customer read", async () => {
    const body = context({
      message: "Win",
      entity: "opportunity",
      id: "00000000-0000-0000-0000-000000000000",
      target: entity("opportunityclose", randomUUID(), {}),
    });
    (body.InputParameters as unknown[]) = [
      {
        key: "OpportunityClose",
        value: entity("opportunityclose", randomUUID(), {
          opportunityid: ref("opportunity", OPP),
          actualrevenue: money(5000),
        }),
      },
      { key: "Status", value: option(3) },
    ];
    const gw = readsOnly({
      [`opportunity(${OPP})`]: {
        _customerid_value: A1,
        "_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account",
      },
    });
    await expect(plan(parseContext(body, false), gw)).resolves.toMatchObject({
      kind: "recalc",
      trigger: "opportunity",
      accounts: [A1],
      via: "read",
    });
  });

  it("SetState of an invoice (paid): EntityMoniker instead of Target, the customer read", async () => {
    const body = context({ message: "SetState", entity: "invoice", id: INV });
    (body.InputParameters as unknown[]) = [
      { key: "EntityMoniker", value: ref("invoice", INV) },
      { key: "State", value: option(2) },
      { key: "Status", value: option(100001) },
    ];
    const gw = readsOnly({
      [`invoice(${INV})`]: {
        _customerid_value: A2,
        "_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account",
      },
    });
    await expect(plan(parseContext(body, false), gw)).resolves.toMatchObject({ kind: "recalc", accounts: [A2] });
  });

  it("a message nobody registers for an invoice is a no-op", async () => {
    const body = context({ message: "Merge", entity: "invoice", id: INV });
    await expect(plan(parseContext(body, false), readsOnly({}))).resolves.toEqual({
      kind: "noop",
      reason: "message Merge of invoice is not handled",
    });
  });
});

it("a missing property is reported as required", () => {
  const body = context({ message: "Create", entity: "invoice", id: INV });
  delete body.MessageName;
  expect(() => parseContext(body, false)).toThrow("MessageName: is required");
});

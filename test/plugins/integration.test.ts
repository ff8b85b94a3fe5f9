import {
  CHANNEL_OPTIONS,
  DAY_MS,
  DEFAULT_MODEL,
  DEFAULT_POLICY_SET,
  TIER_OPTIONS,
  TREND_OPTIONS,
  isoDate,
  type AccountOutcome,
} from "../../src/engine";
import { expectedOutcome, storedBefore } from "./expected";
import { startStack, KEY, type Stack } from "./stack";
import { context, entity, ref } from "./payloads";

/**
 * The whole loop over real HTTP: a client writes to the sandbox's Web API, the sandbox posts the webhook the
 * solution's steps declare, the plugin reads facts through FetchXML and writes the account back in a `$batch`.
 * Every check compares the stored fields with a from-scratch evaluation of the sandbox's rows by the engine.
 */
let t = Date.UTC(2025, 4, 17, 9, 30);
const clock = (): number => t;
const tick = (): void => {
  t += 60_000;
};

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ sandbox: { now: clock }, service: { now: clock } });
});
afterAll(() => stack.close());

async function account(name: string): Promise<string> {
  const r = await stack.api("POST", "accounts", { name });
  expect(r.status).toBe(201);
  return r.json.accountid as string;
}
const bindAccount = (id: string): Record<string, string> => ({ "customerid_account@odata.bind": `/accounts(${id})` });

/** Stored account fields against the engine's verdict for the same rows at the same instant. */
function expectStored(id: string, want: AccountOutcome): void {
  const row = stack.sandbox.store.get("account", id)!;
  expect(row.ct_tier).toBe(TIER_OPTIONS[want.stored.tier as keyof typeof TIER_OPTIONS]);
  expect(row.ct_computedtier).toBe(TIER_OPTIONS[want.computedTier as keyof typeof TIER_OPTIONS]);
  expect(row.ct_tierscore).toBeCloseTo(want.score, 6);
  expect(row.ct_trend).toBe(TREND_OPTIONS[want.trend.code]);
  expect(row.ct_revenue12m).toBe(want.kpis.find((k) => k.kpi === "monetary")!.value);
  expect(row.ct_cadencedays).toBe(want.cadence.days);
  expect(row.ct_touchchannel).toBe(CHANNEL_OPTIONS[want.cadence.channel]);
  const due = want.cadence.nextTouchDue;
  expect(row.ct_nexttouchdue == null ? null : isoDate(row.ct_nexttouchdue as number)).toBe(
    due === null ? null : isoDate(due),
  );
  const reason = JSON.parse(row.ct_tierreason as string) as { kpis: { kpi: string; value: number | null }[] };
  expect(reason.kpis.map((k) => k.value)).toEqual(want.kpis.map((k) => k.value));
}

const history = (id: string) =>
  [...stack.sandbox.store.rows("ct_tierhistory")].filter((h) => (h.ct_accountid as { id: string }).id === id);

/** Runs a write, lets every webhook it caused finish, and returns the evaluation the plugin should have reached. */
async function afterSave(accountId: string, write: () => Promise<void>): Promise<AccountOutcome> {
  tick();
  const before = storedBefore(stack.sandbox.store, accountId);
  await write();
  await stack.settle();
  // The tier held before the save, the override as the save left it.
  const now = storedBefore(stack.sandbox.store, accountId);
  return expectedOutcome(
    stack.sandbox.store,
    DEFAULT_MODEL,
    accountId,
    { ...before, override: now.override, overrideReason: now.overrideReason, overrideUntil: now.overrideUntil },
    t,
  );
}

describe("plugin over the sandbox", () => {
  let a1: string;
  let a2: string;
  let invoice: string;

  it("invoice create: the account gets its tier, revenue, cadence and a history row", async () => {
    a1 = await account("Fabrikam");
    a2 = await account("Northwind");
    const want = await afterSave(a1, async () => {
      const r = await stack.api("POST", "invoices", {
        name: "INV-1",
        ...bindAccount(a1),
        totalamount: 12500.5,
        overriddencreatedon: new Date(t - 40 * DAY_MS).toISOString(),
      });
      expect(r.status).toBe(201);
      invoice = r.json.invoiceid as string;
    });
    expect(stack.sandbox.webhooks.deliveries.at(-1)).toMatchObject({
      step: "CustomerTiering: Create of invoice",
      ok: true,
    });
    expectStored(a1, want);
    expect(stack.sandbox.store.get("account", a1)!.ct_revenue12m).toBe(12500.5);
    const h = history(a1);
    expect(h).toHaveLength(1);
    expect(h[0]).toMatchObject({
      ct_fromtier: null,
      ct_totier: TIER_OPTIONS[want.stored.tier as keyof typeof TIER_OPTIONS],
      ct_source: 100000001,
    });
  });

  it("invoice paid: recalculated, nothing else written when nothing changed", async () => {
    const etag = stack.sandbox.store.get("account", a1)!.versionnumber;
    const want = await afterSave(a1, async () => {
      expect(
        (await stack.api("PATCH", `invoices(${invoice})`, { statecode: 2, statuscode: 100001 })).status,
      ).toBeLessThan(300);
    });
    expect(stack.sandbox.webhooks.deliveries.at(-1)).toMatchObject({
      step: "CustomerTiering: Update of invoice",
      ok: true,
    });
    expectStored(a1, want);
    expect(stack.sandbox.store.get("account", a1)!.versionnumber).toBe(etag);
    expect(history(a1)).toHaveLength(1);
  });

  it("invoice reassigned to another account: both accounts recalculated", async () => {
    tick();
    const before1 = storedBefore(stack.sandbox.store, a1);
    const before2 = storedBefore(stack.sandbox.store, a2);
    expect((await stack.api("PATCH", `invoices(${invoice})`, { ...bindAccount(a2) })).status).toBeLessThan(300);
    await stack.settle();
    expectStored(a1, expectedOutcome(stack.sandbox.store, DEFAULT_MODEL, a1, before1, t));
    expectStored(a2, expectedOutcome(stack.sandbox.store, DEFAULT_MODEL, a2, before2, t));
    expect(stack.sandbox.store.get("account", a1)!.ct_revenue12m).toBe(0);
    expect(stack.sandbox.store.get("account", a2)!.ct_revenue12m).toBe(12500.5);
  });

  it("invoice delete: the pre-image names the account, its revenue drops", async () => {
    const want = await afterSave(a2, async () => {
      expect((await stack.api("DELETE", `invoices(${invoice})`)).status).toBe(204);
    });
    expect(stack.sandbox.webhooks.deliveries.at(-1)).toMatchObject({
      step: "CustomerTiering: Delete of invoice",
      ok: true,
    });
    expectStored(a2, want);
    expect(stack.sandbox.store.get("account", a2)!.ct_revenue12m).toBe(0);
  });

  it("opportunity won: the won value and recency count", async () => {
    const want = await afterSave(a2, async () => {
      const r = await stack.api("POST", "opportunities", {
        name: "Deal",
        ...bindAccount(a2),
        estimatedvalue: 30000,
        closeprobability: 40,
      });
      expect(r.status).toBe(201);
      const id = r.json.opportunityid as string;
      tick();
      const close = isoDate(t - 3 * DAY_MS);
      expect(
        (
          await stack.api("PATCH", `opportunities(${id})`, {
            statecode: 1,
            statuscode: 3,
            actualvalue: 28000,
            actualclosedate: close,
          })
        ).status,
      ).toBeLessThan(300);
    });
    expectStored(a2, want);
    expect(want.kpis.find((k) => k.kpi === "won")!.value).toBe(28000);
  });

  it("completed phone call regarding the account: last touch and next touch due", async () => {
    const end = t - 2 * DAY_MS;
    const want = await afterSave(a2, async () => {
      const r = await stack.api("POST", "phonecalls", {
        subject: "Check-in",
        "regardingobjectid_account_phonecall@odata.bind": `/accounts(${a2})`,
        statecode: 1,
        statuscode: 2,
        actualend: new Date(end).toISOString(),
      });
      expect(r.status).toBe(201);
    });
    expectStored(a2, want);
    const row = stack.sandbox.store.get("account", a2)!;
    expect(isoDate(row.ct_lasttouchon as number)).toBe(isoDate(end));
    expect(isoDate(row.ct_nexttouchdue as number)).toBe(isoDate(end + want.cadence.days * DAY_MS));
  });

  it("override set on the account: the stored tier follows it, with an override history row", async () => {
    const want = await afterSave(a2, async () => {
      expect(
        (
          await stack.api("PATCH", `accounts(${a2})`, {
            ct_tieroverride: TIER_OPTIONS.AAA,
            ct_tieroverridereason: "strategic partner",
          })
        ).status,
      ).toBeLessThan(300);
    });
    expect(want.stored.tier).toBe("AAA");
    expectStored(a2, want);
    expect(history(a2).at(-1)).toMatchObject({ ct_totier: TIER_OPTIONS.AAA, ct_source: 100000002 });
  });

  it("a replayed delivery changes nothing and writes no second history row", async () => {
    const rows = history(a2).length;
    const version = stack.sandbox.store.get("account", a2)!.versionnumber;
    const body = context({
      message: "Update",
      entity: "account",
      id: a2,
      target: entity("account", a2, {
        ct_tieroverride: {
          __type: "OptionSetValue:http://schemas.microsoft.com/xrm/2011/Contracts",
          Value: TIER_OPTIONS.AAA,
        },
      }),
    });
    const res = await fetch(`${stack.pluginUrl}?code=${KEY}`, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(200);
    const out = await res.json();
    expect(out).toMatchObject({ result: "ok", accounts: [{ accountId: a2, outcome: "unchanged" }] });
    expect(history(a2)).toHaveLength(rows);
    expect(stack.sandbox.store.get("account", a2)!.versionnumber).toBe(version);
  });

  it("a contact's invoice counts for the contact's parent account: the save recalculates the parent", async () => {
    const parent = await account("Contoso Pharmaceuticals");
    const c = await stack.api("POST", "contacts", {
      lastname: "Buyer",
      "parentcustomerid_account@odata.bind": `/accounts(${parent})`,
    });
    expect(c.status).toBe(201);
    const contactId = c.json.contactid as string;
    await afterSave(parent, async () => {
      const own = await stack.api("POST", "invoices", {
        name: "INV-OWN",
        ...bindAccount(parent),
        totalamount: 1000,
        overriddencreatedon: new Date(t - 5 * DAY_MS).toISOString(),
      });
      expect(own.status).toBe(201);
    });
    expect(stack.sandbox.store.get("account", parent)!.ct_revenue12m).toBe(1000);
    await afterSave(parent, async () => {
      const viaContact = await stack.api("POST", "invoices", {
        name: "INV-CONTACT",
        "customerid_contact@odata.bind": `/contacts(${contactId})`,
        totalamount: 2500,
        overriddencreatedon: new Date(t - 4 * DAY_MS).toISOString(),
      });
      expect(viaContact.status).toBe(201);
    });
    expect(stack.sandbox.store.get("account", parent)!.ct_revenue12m).toBe(3500);
  });

  it("an unrelated contact update posted to the webhook is a 200 no-op", async () => {
    const id = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    const body = context({
      message: "Update",
      entity: "contact",
      id,
      target: entity("contact", id, { fullname: "Jo", parentcustomerid: ref("account", a1) }),
    });
    const res = await fetch(`${stack.pluginUrl}?code=${KEY}`, { method: "POST", body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: "noop", reason: "table contact does not affect tiers" });
  });

  it("a stripped oversize payload (x-ms-dynamics-msg-size-exceeded): the invoice is read by PrimaryEntityId", async () => {
    const a4 = await account("Proseware");
    tick();
    const before = storedBefore(stack.sandbox.store, a4);
    // Written without firing the async steps, as an import would; the webhook call below stands for the stripped delivery.
    const r = await stack.api(
      "POST",
      "invoices",
      {
        name: "INV-5",
        ...bindAccount(a4),
        totalamount: 4321,
        overriddencreatedon: new Date(t - 3 * DAY_MS).toISOString(),
      },
      { "MSCRM.BypassBusinessLogicExecution": "CustomAsync" },
    );
    expect(r.status).toBe(201);
    await stack.settle();
    expect(stack.sandbox.store.get("account", a4)!.ct_tier).toBeNull();
    const full = context({ message: "Create", entity: "invoice", id: r.json.invoiceid as string });
    const { InputParameters: _i, PreEntityImages: _p, PostEntityImages: _q, ...strippedBody } = full;
    const res = await fetch(`${stack.pluginUrl}?code=${KEY}`, {
      method: "POST",
      body: JSON.stringify(strippedBody),
      headers: { "x-ms-dynamics-msg-size-exceeded": "true" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ result: "ok", accounts: [{ accountId: a4, outcome: "updated" }] });
    expectStored(a4, expectedOutcome(stack.sandbox.store, DEFAULT_MODEL, a4, before, t));
    expect(stack.logs.some((l) => l.includes('"via":"read"'))).toBe(true);
  });

  it("the tier policy is the only home of the touch pattern: saving it updates the tier's accounts with no other save", async () => {
    const modelJson = {
      method: "thresholds",
      tiers: [{ code: "AAA", minScore: 90 }, { code: "A", minScore: 70 }, { code: "B", minScore: 40 }, { code: "C" }],
    };
    const created = await stack.api("POST", "ct_tiermodels", {
      ct_name: "v1",
      ct_modeljson: JSON.stringify(modelJson),
    });
    expect(created.status).toBe(201);
    await stack.settle();
    await stack.service.rerank?.idle();
    const a3 = await account("Tailspin");
    tick();
    await stack.api("POST", "invoices", {
      name: "INV-3",
      ...bindAccount(a3),
      totalamount: 800,
      overriddencreatedon: new Date(t - 2 * DAY_MS).toISOString(),
    });
    await stack.settle();
    let row = stack.sandbox.store.get("account", a3)!;
    const tier = row.ct_tier as number;
    // No policy row yet: the solution's default pattern for the tier.
    const code = Object.entries(TIER_OPTIONS).find(([, v]) => v === tier)![0];
    expect(row.ct_cadencedays).toBe(DEFAULT_POLICY_SET.get(code)!.cadenceDays);
    const policy = await stack.api("POST", "ct_tierpolicies", {
      ct_name: `${code} policy`,
      ct_tier: tier,
      ct_cadencedays: 45,
      ct_touchchannel: CHANNEL_OPTIONS.email,
    });
    expect(policy.status).toBe(201);
    // A new policy takes effect like an edited one: the Create step applies it to the tier's accounts.
    await stack.settle();
    row = stack.sandbox.store.get("account", a3)!;
    expect([row.ct_cadencedays, row.ct_touchchannel]).toEqual([45, CHANNEL_OPTIONS.email]);
    const onCreate = stack.sandbox.webhooks.deliveries.filter(
      (d) => d.step === "CustomerTiering: Create of ct_tierpolicy",
    );
    expect(onCreate.map((d) => d.ok)).toEqual([true]);
    // Sales ops change the pattern: the Update step applies it to every account of the tier, no account saved.
    const patched = await stack.api("PATCH", `ct_tierpolicies(${policy.json.ct_tierpolicyid as string})`, {
      ct_cadencedays: 7,
      ct_touchchannel: CHANNEL_OPTIONS.call,
    });
    expect(patched.status).toBeLessThan(300);
    await stack.settle();
    row = stack.sandbox.store.get("account", a3)!;
    expect([row.ct_cadencedays, row.ct_touchchannel]).toEqual([7, CHANNEL_OPTIONS.call]);
    const deliveries = stack.sandbox.webhooks.deliveries.filter(
      (d) => d.step === "CustomerTiering: Update of ct_tierpolicy",
    );
    expect(deliveries.map((d) => d.ok)).toEqual([true]);
    // The next save keeps it (the service dropped its cached policies).
    tick();
    await stack.api("POST", "invoices", {
      name: "INV-4",
      ...bindAccount(a3),
      totalamount: 10,
      overriddencreatedon: new Date(t - DAY_MS).toISOString(),
    });
    await stack.settle();
    row = stack.sandbox.store.get("account", a3)!;
    expect([row.ct_cadencedays, row.ct_touchchannel]).toEqual([7, CHANNEL_OPTIONS.call]);
  });

  it("saving the tier model brings the re-rank forward", async () => {
    const models = await stack.api("GET", "ct_tiermodels?$select=ct_tiermodelid,ct_lastrerankon");
    const [model] = (models.json.value as { ct_tiermodelid: string; ct_lastrerankon: string | null }[]).slice(-1);
    const before = stack.sandbox.store.get("ct_tiermodel", model.ct_tiermodelid)!.ct_lastrerankon ?? null;
    const res = await stack.api("PATCH", `ct_tiermodels(${model.ct_tiermodelid})`, {
      ct_modeljson: JSON.stringify({ method: "percentile" }),
    });
    expect(res.status).toBeLessThan(300);
    await stack.settle();
    await stack.service.rerank?.idle();
    const after = stack.sandbox.store.get("ct_tiermodel", model.ct_tiermodelid)!;
    expect(after.ct_lastrerankon).not.toBeNull();
    expect(after.ct_lastrerankon).not.toEqual(before);
    expect(JSON.parse(after.ct_cutpointsjson as string)).toMatchObject({ method: "percentile" });
  });

  it("no webhook delivery failed along the way", () => {
    expect(stack.sandbox.webhooks.deliveries.filter((d) => !d.ok)).toEqual([]);
  });
});

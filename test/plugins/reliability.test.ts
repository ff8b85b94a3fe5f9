import { DAY_MS, DEFAULT_MODEL, TIER_OPTIONS } from "../../src/engine";
import type { Row as SandboxRow } from "../../local-dataverse";
import type { DataverseGateway } from "../../plugins/dataverse/gateway";
import { expectedOutcome } from "./expected";
import { startStack, type Stack } from "./stack";

const base = Date.UTC(2025, 4, 17, 9, 30);
const ctx = {
  userId: "5a9d3e42-0c7b-4f7a-9a55-000000000001",
  correlationId: "c0ffee00-0000-4000-8000-000000000001",
  bypassSync: false,
  bypassAsync: false,
};

/** Writes straight into the sandbox store (events and webhooks as usual), so injected HTTP faults hit only the plugin. */
function createRow(stack: Stack, table: string, values: SandboxRow): string {
  return stack.sandbox.store.atomically((tx) => stack.sandbox.store.create(tx, table, values, ctx))[
    `${table}id`
  ] as string;
}
const account = (stack: Stack, name: string) => createRow(stack, "account", { name });
const invoice = (stack: Stack, accountId: string, amount: number, daysAgo: number) =>
  createRow(stack, "invoice", {
    name: "INV",
    customerid: { id: accountId, table: "account" },
    totalamount: amount,
    statecode: 2,
    overriddencreatedon: base - daysAgo * DAY_MS,
  });

function historyOf(stack: Stack, id: string): SandboxRow[] {
  return [...stack.sandbox.store.rows("ct_tierhistory")].filter((h) => (h.ct_accountid as { id: string }).id === id);
}

describe("conflicts and faults", () => {
  it("412: the account changed between read and write, so it is read again and written once", async () => {
    let conflicts = 0;
    const holder: { stack?: Stack } = {};
    // The real gateway, with someone else editing the account just before our first write.
    const wrap = (inner: DataverseGateway): DataverseGateway => ({
      retrieve: (...a) => inner.retrieve(...a),
      retrieveAccount: (...a) => inner.retrieveAccount(...a),
      fetch: (...a) => inner.fetch(...a),
      query: (...a) => inner.query(...a),
      commit: async (ops) => {
        if (conflicts++ === 0) {
          const id = /accounts\((.+)\)/.exec(ops[0].path)![1];
          expect(
            (await holder.stack!.api("PATCH", `accounts(${id})`, { name: "Fabrikam (renamed)" })).status,
          ).toBeLessThan(300);
        }
        return inner.commit(ops);
      },
    });
    const stack = (holder.stack = await startStack({
      sandbox: { now: () => base },
      service: { now: () => base },
      wrapGateway: wrap,
    }));
    try {
      const a = account(stack, "Fabrikam");
      invoice(stack, a, 5000, 20);
      await stack.settle();
      expect(stack.sandbox.webhooks.deliveries).toEqual([expect.objectContaining({ ok: true })]);
      const row = stack.sandbox.store.get("account", a)!;
      expect(row.name).toBe("Fabrikam (renamed)");
      expect(row.ct_revenue12m).toBe(5000);
      expect(historyOf(stack, a)).toHaveLength(1);
      expect(stack.logs.some((l) => l.includes("(412): reading it again"))).toBe(true);
      expect(stack.logs.some((l) => l.includes('"attempts":2'))).toBe(true);
    } finally {
      await stack.close();
    }
  });

  it("429 and 503 from Dataverse are retried; every account ends as a from-scratch evaluation says", async () => {
    const stack = await startStack({
      sandbox: { now: () => base, fault429: 0.1, fault503: 0.05, faultSeed: 7, retryAfterSeconds: 0 },
      service: { now: () => base },
    });
    try {
      const ids = [account(stack, "A"), account(stack, "B"), account(stack, "C")];
      let k = 0;
      for (const id of ids) for (let j = 0; j < 4; j++) invoice(stack, id, 1000 * (k++ + 1), 10 + j * 20);
      await stack.settle();
      expect(stack.sandbox.webhooks.deliveries.filter((d) => !d.ok)).toEqual([]);
      expect(stack.logs.filter((l) => l.includes("retrying Dataverse call")).length).toBeGreaterThan(0);
      for (const id of ids) {
        const row = stack.sandbox.store.get("account", id)!;
        const want = expectedOutcome(stack.sandbox.store, DEFAULT_MODEL, id, { tier: null, changedOn: null }, base);
        expect(row.ct_revenue12m).toBe(want.kpis[0].value);
        expect(row.ct_computedtier).toBe(TIER_OPTIONS[want.computedTier as keyof typeof TIER_OPTIONS]);
        expect(historyOf(stack, id)).toHaveLength(1);
      }
    } finally {
      await stack.close();
    }
  });

  it("concurrent deliveries for one account: one final state, one history row per transition", async () => {
    const stack = await startStack({ sandbox: { now: () => base }, service: { now: () => base } });
    try {
      const a = account(stack, "Contoso");
      invoice(stack, a, 100, 5);
      await stack.settle();
      // The same event delivered 20 times at once (Dataverse retries, duplicates).
      const delivery = stack.sandbox.webhooks.deliveries.length;
      expect(delivery).toBe(1);
      const body = JSON.stringify({
        BusinessUnitId: "3c1b7a2e-6f0d-4c1e-9a55-2f4b8c9d0e11",
        CorrelationId: "11111111-2222-4333-8444-555555555555",
        Depth: 1,
        InputParameters: [
          {
            key: "Target",
            value: {
              __type: "Entity:http://schemas.microsoft.com/xrm/2011/Contracts",
              Attributes: [
                {
                  key: "customerid",
                  value: {
                    __type: "EntityReference:http://schemas.microsoft.com/xrm/2011/Contracts",
                    Id: a,
                    LogicalName: "account",
                  },
                },
              ],
              Id: "6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
              LogicalName: "invoice",
            },
          },
        ],
        MessageName: "Update",
        Mode: 1,
        OperationId: "66666666-7777-4888-8999-000000000000",
        PrimaryEntityId: "6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
        PrimaryEntityName: "invoice",
        Stage: 40,
      });
      stack.sandbox.store.atomically((tx) =>
        stack.sandbox.store.update(
          tx,
          "account",
          a,
          { ct_tier: null, ct_tierchangedon: null },
          { ...ctx, bypassAsync: true },
        ),
      );
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          fetch(`${stack.pluginUrl}?code=${encodeURIComponent(stack.service.config.webhookKeys[0])}`, {
            method: "POST",
            body,
          }).then((r) => r.status),
        ),
      );
      expect(answers).toEqual(Array(20).fill(200));
      expect(historyOf(stack, a)).toHaveLength(2); // the first save, and the one re-assignment after the reset
    } finally {
      await stack.close();
    }
  });
});

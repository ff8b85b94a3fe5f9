import fc from "fast-check";
import { DEFAULT_MODEL, isoDate, outcomeAt, rankPopulation, type EngineInput } from "../../src/engine";
import { context, entity } from "./payloads";
import { asOf, population } from "./population";
import { KEY, startStack } from "./stack";

const DAY = 86_400_000;

/**
 * The same agreement as facts-agreement.test.ts, but through the sandbox's own FetchXML engine over HTTP: a random
 * population is loaded, every account is recalculated through the webhook, and the KPI values, trend and revenue the
 * plugin stored must be the batch's.
 */
it("facts read through the sandbox's FetchXML match the batch for a random population", async () => {
  const samples = fc.sample(population, { seed: 20250517, numRuns: 20 });
  const raw = samples.reduce((a, b) => ([...a.invoices].length >= [...b.invoices].length ? a : b));
  // ct_lasttouchon is a date-only column: what the batch reads from an export is a date too.
  const input: EngineInput = {
    ...raw,
    accounts: raw.accounts.map((a) => ({
      ...a,
      ct_lasttouchon: a.ct_lasttouchon == null ? null : Math.floor(a.ct_lasttouchon / DAY) * DAY,
    })),
    activities: [...raw.activities].filter((a) => a.activitytypecode !== "task"),
  };
  const stack = await startStack({ sandbox: { now: () => asOf, steps: [] }, service: { now: () => asOf } });
  try {
    const { store } = stack.sandbox;
    input.accounts.forEach((a, i) =>
      store.load("account", {
        accountid: a.accountid,
        name: `Account ${i}`,
        statecode: 0,
        ct_lasttouchon: a.ct_lasttouchon ?? null,
      }),
    );
    [...input.invoices].forEach((r, i) =>
      store.load("invoice", {
        invoiceid: `10000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
        customerid: { id: r.customerid, table: "account" },
        totalamount: r.totalamount_base,
        statecode: r.statecode,
        createdon: r.createdon,
      }),
    );
    [...input.opportunities].forEach((r, i) =>
      store.load("opportunity", {
        opportunityid: `20000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
        customerid: { id: r.customerid, table: "account" },
        statecode: r.statecode,
        actualvalue: r.actualvalue_base,
        estimatedvalue: r.estimatedvalue_base,
        closeprobability: r.closeprobability,
        actualclosedate: r.actualclosedate,
      }),
    );
    [...input.activities].forEach((r, i) =>
      store.load(r.activitytypecode, {
        activityid: `30000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
        activitytypecode: r.activitytypecode,
        regardingobjectid: { id: r.regardingobjectid, table: "account" },
        statecode: r.statecode,
        actualend: r.actualend,
      }),
    );

    const ranked = rankPopulation(input, DEFAULT_MODEL, asOf);
    for (const [i, a] of ranked.facts.accounts.entries()) {
      const body = context({
        message: "Update",
        entity: "account",
        id: a.accountid,
        target: entity("account", a.accountid, { ct_tieroverride: null }),
      });
      const res = await fetch(`${stack.pluginUrl}?code=${KEY}`, { method: "POST", body: JSON.stringify(body) });
      expect(res.status).toBe(200);
      const batch = outcomeAt(ranked, i);
      const row = store.get("account", a.accountid)!;
      const reason = JSON.parse(row.ct_tierreason as string) as { kpis: { value: number | null }[]; trend: unknown };
      expect({ id: a.accountid, kpis: reason.kpis.map((k) => k.value), trend: reason.trend }).toEqual({
        id: a.accountid,
        kpis: batch.kpis.map((k) => k.value),
        trend: { code: batch.trend.code, q0: batch.trend.q0, baseline: batch.trend.baseline },
      });
      expect(row.ct_revenue12m).toBe(ranked.facts.monetary[i]);
      const touch = ranked.facts.lastTouch[i];
      expect(row.ct_lasttouchon == null ? null : isoDate(row.ct_lasttouchon as number)).toBe(
        Number.isFinite(touch) ? isoDate(touch) : null,
      );
    }
  } finally {
    await stack.close();
  }
});

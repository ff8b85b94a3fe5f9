import { DEFAULT_MODEL, factsAt, rankPopulation, type EngineInput } from "../../src/engine";
import { DataverseHttpError, AGGREGATE_LIMIT_CODE } from "../../plugins/dataverse/errors";
import type { DataverseGateway, Row } from "../../plugins/dataverse/gateway";
import { createLogger } from "../../plugins/log";
import { ModelCache } from "../../plugins/recalc/model-cache";
import { Recalculator } from "../../plugins/recalc/recalculate";
import { AggregateLimitExceeded, evaluateFetch } from "./fetchxml-eval";
import { asOf } from "./population";

/**
 * An account holding more than 50,000 invoices and touches: every on-save query stays inside Dataverse's 50,000-row
 * aggregate limit (the evaluator refuses an aggregate over more rows with 0x8004E023, as Dataverse does), and the
 * facts still equal the batch's.
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/aggregate-data#limitations
 */
const DAY = 86_400_000;
const ACCOUNT = "00000000-0000-4000-8000-000000000001";
const N = 60_000;

function bigAccount(): EngineInput {
  return {
    accounts: [{ accountid: ACCOUNT, statecode: 0, ct_lasttouchon: null }],
    // 60,000 invoices: 52,000 in the last 300 days (a windowed aggregate over them must be split), the rest older.
    invoices: Array.from({ length: N }, (_, k) => ({
      customerid: ACCOUNT,
      totalamount_base: (k % 97) + 1,
      statecode: 2,
      createdon: k < 52_000 ? asOf - Math.floor((k * 300 * DAY) / 52_000) - 1000 : asOf - 400 * DAY - k * 1000,
    })),
    opportunities: [],
    activities: Array.from({ length: 55_000 }, (_, k) => ({
      regardingobjectid: ACCOUNT,
      activitytypecode: "phonecall",
      statecode: 1,
      actualend: asOf - 3 * DAY - k * 60_000,
    })),
  };
}

function tablesOf(input: EngineInput): Record<string, Row[]> {
  const tables: Record<string, Row[]> = {
    invoice: [...input.invoices].map((r, i) => ({ invoiceid: `inv-${i}`, ...r })),
    opportunity: [],
  };
  for (const a of input.activities) (tables[a.activitytypecode] ??= []).push({ ...a });
  return tables;
}

test("on-save facts of an account with more than 50,000 invoices and touches stay inside the aggregate limit", async () => {
  const input = bigAccount();
  const tables = tablesOf(input);
  let aggregatesRefused = 0; // monetary and purchases over 52,000 invoices, each before it is split
  let fetches = 0;
  const committed: Row[] = [];
  const gateway: DataverseGateway = {
    retrieve: async () => null,
    retrieveAccount: async (id) => ({ id, etag: 'W/"1"', row: { accountid: id, statecode: 0 } }),
    query: async () => [],
    fetch: async (_entity, fetchXml) => {
      fetches++;
      try {
        return { rows: evaluateFetch(fetchXml, tables), moreRecords: false };
      } catch (e) {
        if (!(e instanceof AggregateLimitExceeded)) throw e;
        aggregatesRefused++;
        throw new DataverseHttpError(400, AGGREGATE_LIMIT_CODE, e.message, "GET invoices?fetchXml");
      }
    },
    commit: async (ops) => {
      for (const op of ops) if (op.body) committed.push(op.body);
    },
  };
  const recalculator = new Recalculator(gateway, new ModelCache(gateway), () => asOf, null);
  const result = await recalculator.recalculate(ACCOUNT, "invoice", createLogger("silent"));
  expect(result.outcome).toBe("updated");

  const expected = factsAt(rankPopulation(input, DEFAULT_MODEL, asOf).facts, 0);
  const patch = committed[0];
  expect(patch.ct_revenue12m).toBeCloseTo(expected.monetary, 2);
  expect(patch.ct_lasttouchon).toBe(new Date(expected.lastTouchOn!).toISOString().slice(0, 10));
  // The windowed aggregates over > 50,000 rows were split, not failed; "first" and "latest" never aggregate.
  expect(aggregatesRefused).toBe(2);
  expect(fetches).toBeGreaterThan(2);
}, 120_000);

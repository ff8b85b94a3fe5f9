import {
  DEFAULT_MODEL,
  rankPopulation,
  rankTableToColumns,
  scoreAccount,
  factsAt,
  type EngineInput,
} from "../../src/engine";
import type { ChangeOperation } from "../../plugins/dataverse/batch";
import type { DataverseGateway, Row } from "../../plugins/dataverse/gateway";
import { ModelCache, ModelRowError } from "../../plugins/recalc/model-cache";

/** A ct_tiermodel table in memory; counts the full-row reads so caching is visible. */
function models(rows: Row[]): DataverseGateway & { fullReads: number; writes: Record<string, unknown>[] } {
  const gw = {
    fullReads: 0,
    query: async () =>
      rows
        .filter((r) => r.statecode === 0)
        .map((r) => ({ ct_tiermodelid: r.ct_tiermodelid, "@odata.etag": r["@odata.etag"] })),
    retrieve: async (_t: string, id: string) => {
      gw.fullReads++;
      return rows.find((r) => r.ct_tiermodelid === id) ?? null;
    },
    retrieveAccount: () => Promise.reject(new Error("unused")),
    fetch: () => Promise.reject(new Error("unused")),
    commit: async (ops: readonly ChangeOperation[]) => {
      for (const op of ops) {
        const row = rows.find((r) => op.path === `ct_tiermodels(${String(r.ct_tiermodelid)})`);
        if (!row || op.method !== "PATCH") throw new Error(`unexpected ${op.method} ${op.path}`);
        gw.writes.push(op.body!);
        Object.assign(row, op.body);
        row["@odata.etag"] = `${String(row["@odata.etag"])}+`;
      }
    },
    writes: [] as Record<string, unknown>[],
  };
  return gw;
}

const asOf = Date.UTC(2025, 4, 17);
const input: EngineInput = {
  accounts: ["a", "b", "c", "d"].map((id) => ({ accountid: id, statecode: 0 })),
  invoices: [
    { customerid: "a", totalamount_base: 100, statecode: 2, createdon: asOf - 5 * 86_400_000 },
    { customerid: "b", totalamount_base: 5000, statecode: 2, createdon: asOf - 9 * 86_400_000 },
    { customerid: "c", totalamount_base: 900, statecode: 0, createdon: asOf - 40 * 86_400_000 },
  ],
  opportunities: [],
  activities: [],
};

describe("active tier model cache", () => {
  it("no active row: the default model and no table (cold start, thresholds)", async () => {
    await expect(new ModelCache(models([])).get()).resolves.toMatchObject({
      model: DEFAULT_MODEL,
      table: null,
      id: null,
    });
  });

  it("reads the model JSON and RankTable once per ETag, and again when the row changes", async () => {
    const ranked = rankPopulation(input, DEFAULT_MODEL, asOf);
    const row: Row = {
      ct_tiermodelid: "m1",
      statecode: 0,
      "@odata.etag": 'W/"1"',
      ct_modeljson: JSON.stringify({ hysteresis: { demotionMargin: 2 } }),
      ...rankTableToColumns(ranked.table),
    };
    const gw = models([row]);
    const cache = new ModelCache(gw);
    const first = await cache.get();
    expect(first.model.hysteresis.demotionMargin).toBe(2);
    expect(first.table).toEqual(ranked.table);
    // The table the re-rank stored places an account where the batch did.
    const b = ranked.facts.accounts.findIndex((x) => x.accountid === "b");
    expect(
      scoreAccount(factsAt(ranked.facts, b), first.model, first.table, { tier: null, changedOn: null }, asOf)
        .computedTier,
    ).toBe(ranked.model.tiers[ranked.tier[b]].code);
    await cache.get();
    expect(gw.fullReads).toBe(1);
    row["@odata.etag"] = 'W/"2"';
    row.ct_modeljson = JSON.stringify({ hysteresis: { demotionMargin: 9 } });
    expect((await cache.get()).model.hysteresis.demotionMargin).toBe(9);
    expect(gw.fullReads).toBe(2);
  });

  it("an invalid model is refused with the row and the field named", async () => {
    const gw = models([
      {
        ct_tiermodelid: "m2",
        statecode: 0,
        "@odata.etag": 'W/"1"',
        ct_modeljson: JSON.stringify({ weights: { monetary: -1 } }),
      },
    ]);
    const err = await new ModelCache(gw).get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelRowError);
    expect((err as Error).message).toBe("ct_tiermodel m2: invalid tier model: weights.monetary: must not be negative");
  });

  it("a typo in the model JSON: saves go on with the model of the last re-rank, and the row says why, once", async () => {
    const ranked = rankPopulation(input, DEFAULT_MODEL, asOf);
    const row: Row = {
      ct_tiermodelid: "m4",
      statecode: 0,
      "@odata.etag": 'W/"1"',
      ct_modeljson: JSON.stringify({ weigths: { monetary: 1 } }),
      ct_rankedmodeljson: JSON.stringify({ hysteresis: { demotionMargin: 3 } }),
      ct_lastrerankon: "2025-05-17T00:00:00Z",
      ...rankTableToColumns(ranked.table),
    };
    const gw = models([row]);
    const cache = new ModelCache(gw);
    const used = await cache.get();
    expect(used.model.hysteresis.demotionMargin).toBe(3);
    expect(used.table).toEqual(ranked.table);
    expect(gw.writes).toEqual([
      {
        ct_modelstatus:
          "Invalid: ct_tiermodel m4: invalid tier model: (model): unknown field weigths. " +
          "Saves score with the model of the last re-rank until it is fixed.",
      },
    ]);
    // The status write changed the ETag: the next save reads the row again and finds the status already there.
    await cache.get();
    await cache.get();
    expect(gw.writes).toHaveLength(1);
    // Fixed: the row's own model again.
    row.ct_modeljson = JSON.stringify({ hysteresis: { demotionMargin: 5 } });
    row["@odata.etag"] = 'W/"9"';
    expect((await cache.get()).model.hysteresis.demotionMargin).toBe(5);
  });

  it("a RankTable that is not one is refused", async () => {
    const gw = models([
      {
        ct_tiermodelid: "m3",
        statecode: 0,
        "@odata.etag": 'W/"1"',
        ct_modeljson: "{}",
        ct_cutpointsjson: '{"cuts":[]}',
        ct_kpiquantilesjson: "{}",
      },
    ]);
    await expect(new ModelCache(gw).get()).rejects.toThrow(
      "ct_tiermodel m3: ct_cutpointsjson: not a version 1 cut-point table",
    );
  });
});

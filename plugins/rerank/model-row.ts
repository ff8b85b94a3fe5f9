import { rankTableToColumns, isoInstant, type RankTable, type TierModel } from "../../src/engine";
import { COLD_START, ModelRowError, modelOf, readActiveModelRow } from "../dataverse/active-model";
import type { RerankClient } from "./client";

export { ModelRowError, modelOf };

export interface ModelRow {
  /** null in a dry run against an environment without a model row (nothing is created then). */
  id: string | null;
  json: string;
  model: TierModel;
}

/**
 * The active ct_tiermodel row (statecode 0, newest first, as the plugin's model cache picks it); without one, the
 * cold-start row (solution/data/defaults.json, compiled in) is created, as installing the solution's data would. A dry run creates nothing.
 */
export async function activeModelRow(client: RerankClient, dryRun: boolean): Promise<ModelRow> {
  const head = await readActiveModelRow((options) => client.query(`ct_tiermodels${options}`));
  if (head) return { id: head.id, json: head.json, model: modelOf(head.json, `ct_tiermodel ${head.id}`) };
  const { json, model } = COLD_START;
  if (dryRun) return { id: null, json, model };
  const id = await client.write("POST", "ct_tiermodels", { ct_name: COLD_START.name, ct_modeljson: json });
  if (!id) throw new ModelRowError("creating the ct_tiermodel row returned no OData-EntityId");
  return { id, json, model };
}

/** Stores the run's RankTable on the model row: what the on-save path scores against until the next re-rank. */
export async function storeRankTable(client: RerankClient, id: string, table: RankTable, asOf: number): Promise<void> {
  await client.write("PATCH", `ct_tiermodels(${id})`, {
    ...rankTableToColumns(table),
    ct_lastrerankon: isoInstant(asOf),
    ct_rerankaccountcount: table.n,
  });
}

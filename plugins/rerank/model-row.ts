import {
  invalidModelStatus,
  isoInstant,
  rankTableToColumns,
  validModelStatus,
  type PreviewSample,
  type RankTable,
  type TierModel,
} from "../../src/engine";
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
  if (head) {
    try {
      return { id: head.id, json: head.json, model: modelOf(head.json, `ct_tiermodel ${head.id}`) };
    } catch (e) {
      // Sales ops read the cause on the model row itself, not in the service's log.
      if (e instanceof ModelRowError && !dryRun)
        await client.write("PATCH", `ct_tiermodels(${head.id})`, {
          ct_modelstatus: invalidModelStatus(e.message, "rerank"),
        });
      throw e;
    }
  }
  const { json, model } = COLD_START;
  if (dryRun) return { id: null, json, model };
  const id = await client.write("POST", "ct_tiermodels", { ct_name: COLD_START.name, ct_modeljson: json });
  if (!id) throw new ModelRowError("creating the ct_tiermodel row returned no OData-EntityId");
  return { id, json, model };
}

/**
 * Stores the run's RankTable on the model row: what the on-save path scores against until the next re-rank; and the
 * weighted sample the model editor previews edits over (docs/model-editor.md).
 */
export async function storeRankTable(
  client: RerankClient,
  id: string,
  modelJson: string,
  table: RankTable,
  asOf: number,
  sample: PreviewSample,
): Promise<void> {
  await client.write("PATCH", `ct_tiermodels(${id})`, {
    ...rankTableToColumns(table),
    // The model these cut-points belong to: saves fall back to it while ct_modeljson is invalid.
    ct_rankedmodeljson: modelJson,
    ct_previewsamplejson: JSON.stringify(sample),
    ct_lastrerankon: isoInstant(asOf),
    ct_rerankaccountcount: table.n,
    ct_modelstatus: validModelStatus(table.n, isoInstant(asOf)),
  });
}

import {
  parseModel,
  rankTableToColumns,
  isoInstant,
  type PreviewSample,
  type RankTable,
  type TierModel,
} from "../../src/engine";
import { readDefaults } from "../../solution/scripts/defaults";
import type { RerankClient } from "./client";

export interface ModelRow {
  /** null in a dry run against an environment without a model row (nothing is created then). */
  id: string | null;
  json: string;
  model: TierModel;
}

export class ModelRowError extends Error {
  override name = "ModelRowError";
}

/** Parses a model row's JSON, naming the row and the field when it is not a valid model (docs/tier-model.md). */
export function modelOf(json: string, where: string): TierModel {
  let parsed: unknown;
  try {
    parsed = json.trim() === "" ? {} : JSON.parse(json);
  } catch {
    throw new ModelRowError(`${where}: ct_modeljson is not JSON`);
  }
  try {
    return parseModel(parsed);
  } catch (e) {
    throw new ModelRowError(`${where}: ${(e as Error).message}`);
  }
}

/**
 * The active ct_tiermodel row (statecode 0, newest first, as the plugin's model cache picks it); without one, the
 * row of solution/data/defaults.json is created, as installing the solution's data would. A dry run creates nothing.
 */
export async function activeModelRow(client: RerankClient, dryRun: boolean): Promise<ModelRow> {
  const rows = await client.query(
    `ct_tiermodels?$select=ct_tiermodelid,ct_modeljson&$filter=${encodeURIComponent("statecode eq 0")}&$orderby=${encodeURIComponent("modifiedon desc")}&$top=1`,
  );
  if (rows.length > 0) {
    const id = String(rows[0].ct_tiermodelid);
    const json = typeof rows[0].ct_modeljson === "string" ? rows[0].ct_modeljson : "";
    return { id, json, model: modelOf(json, `ct_tiermodel ${id}`) };
  }
  const defaults = readDefaults();
  const json = JSON.stringify(defaults.model.json);
  const model = modelOf(json, "solution/data/defaults.json model");
  if (dryRun) return { id: null, json, model };
  const id = await client.write("POST", "ct_tiermodels", { ct_name: defaults.model.name, ct_modeljson: json });
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
  table: RankTable,
  asOf: number,
  sample: PreviewSample,
): Promise<void> {
  await client.write("PATCH", `ct_tiermodels(${id})`, {
    ...rankTableToColumns(table),
    ct_previewsamplejson: JSON.stringify(sample),
    ct_lastrerankon: isoInstant(asOf),
    ct_rerankaccountcount: table.n,
  });
}

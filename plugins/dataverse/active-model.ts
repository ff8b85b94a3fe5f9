import { parseModel, type TierModel } from "../../src/engine";
import { DEFAULTS } from "./schema";

/**
 * The one reader of the active tier model row (ct_tiermodel, statecode 0, newest first) for the on-save path and
 * the re-rank, and the one cold-start rule: without an active row both use the default model of
 * solution/data/defaults.json, compiled into schema.generated.ts (nothing reads solution/ at run time).
 */
export class ModelRowError extends Error {
  override name = "ModelRowError";
}

/** OData options of the active-row query (the newest active row wins). */
export const ACTIVE_MODEL_QUERY = `?$select=ct_tiermodelid,ct_modeljson,modifiedon&$filter=${encodeURIComponent("statecode eq 0")}&$orderby=${encodeURIComponent("modifiedon desc")}&$top=1`;

/** Parses a model row's JSON, naming the row and the field when it is not a valid model. */
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

/** The model to use before any row exists, and what the re-rank writes as the first row. */
export const COLD_START = {
  name: DEFAULTS.model.name,
  json: JSON.stringify(DEFAULTS.model.json),
  model: modelOf(JSON.stringify(DEFAULTS.model.json), "solution/data/defaults.json model"),
};

export interface ActiveModelHead {
  id: string;
  etag: string | null;
  json: string;
}

/** The active row's id, ETag and model JSON, or null; `query` runs OData options on ct_tiermodel. */
export async function readActiveModelRow(
  query: (options: string) => Promise<Record<string, unknown>[]>,
): Promise<ActiveModelHead | null> {
  const rows = await query(ACTIVE_MODEL_QUERY);
  if (rows.length === 0) return null;
  const head = rows[0];
  return {
    id: String(head.ct_tiermodelid),
    etag: typeof head["@odata.etag"] === "string" ? head["@odata.etag"] : null,
    json: typeof head.ct_modeljson === "string" ? head.ct_modeljson : "",
  };
}

import {
  invalidModelStatus,
  RankTableError,
  rankTableFromColumns,
  type RankTable,
  type TierModel,
} from "../../src/engine";
import { COLD_START, ModelRowError, modelOf, readActiveModelRow } from "../dataverse/active-model";
import type { DataverseGateway, Row } from "../dataverse/gateway";

export { ModelRowError };

export interface ActiveModel {
  model: TierModel;
  table: RankTable | null;
  /** ct_tiermodelid, or null when no active row exists (cold start: COLD_START's model and the thresholds rule). */
  id: string | null;
  etag: string | null;
}

function parseRankTable(row: Row, id: string): RankTable | null {
  try {
    return rankTableFromColumns(row.ct_cutpointsjson, row.ct_kpiquantilesjson);
  } catch (e) {
    if (e instanceof RankTableError) throw new ModelRowError(`ct_tiermodel ${id}: ${e.message}`);
    throw e;
  }
}

/**
 * The active tier model (the `ct_tiermodel` row with statecode 0) and the RankTable the last re-rank stored on it.
 * Each use asks only for the row's id and ETag; the model JSON and table are fetched and parsed again only when
 * that ETag changed, so a re-rank or an edit by sales ops takes effect on the next save.
 */
export class ModelCache {
  private cached: ActiveModel | null = null;
  private pending: Promise<ActiveModel> | null = null;

  constructor(private readonly gateway: DataverseGateway) {}

  /** Concurrent saves share one check of the active row. */
  get(): Promise<ActiveModel> {
    this.pending ??= this.load().finally(() => (this.pending = null));
    return this.pending;
  }

  private async load(): Promise<ActiveModel> {
    const head = await readActiveModelRow((options) => this.gateway.query("ct_tiermodel", options));
    if (!head) return { model: COLD_START.model, table: null, id: null, etag: null };
    const { id, etag } = head;
    if (this.cached && this.cached.id === id && etag !== null && this.cached.etag === etag) return this.cached;
    // No $select: the table's columns are read whole, so a missing optional column is simply absent.
    const row: Row | null = await this.gateway.retrieve("ct_tiermodel", id, []);
    if (!row) return this.load();
    const model = await this.usableModel(row, id);
    const fresh: ActiveModel = {
      model,
      table: parseRankTable(row, id),
      id,
      etag: (row["@odata.etag"] as string | undefined) ?? etag,
    };
    this.cached = fresh;
    return fresh;
  }

  /**
   * The row's model; while its JSON is invalid (a typo saved through the API, an import), the model the last re-rank
   * ranked with, which is also the model its stored cut-points belong to, so saves go on scoring as before. The row's
   * ct_modelstatus then says why, where sales ops look. Without a ranked model there is nothing sound to score with.
   */
  private async usableModel(row: Row, id: string): Promise<TierModel> {
    try {
      return modelOf(row.ct_modeljson == null ? "" : String(row.ct_modeljson), `ct_tiermodel ${id}`);
    } catch (e) {
      if (!(e instanceof ModelRowError) || typeof row.ct_rankedmodeljson !== "string" || !row.ct_rankedmodeljson)
        throw e;
      const fallback = modelOf(row.ct_rankedmodeljson, `ct_tiermodel ${id} ct_rankedmodeljson`);
      const status = invalidModelStatus(e.message, "save");
      // Written once: the write changes the row's ETag, and the next load finds the same status already there.
      if (row.ct_modelstatus !== status)
        await this.gateway.commit([
          { method: "PATCH", path: `ct_tiermodels(${id})`, body: { ct_modelstatus: status } },
        ]);
      return fallback;
    }
  }
}

import { WebApiBase } from "dataverse-ify/lib/webapi/WebApiBase";
import { executeChangeSet, executeReads, type ChangeOperation } from "./batch";
import { DataverseHttpError, errorFromBody, isAggregateLimit } from "./errors";
import { ENTITY_SETS, entitySet } from "./metadata";
import type { HttpTransport } from "./transport";

export type Row = Record<string, unknown>;

export interface AccountRecord {
  id: string;
  etag: string;
  row: Row;
}

/** What the recalculation needs from Dataverse: narrow, so tests can stand in for it and the wire stays in one place. */
export interface DataverseGateway {
  /** null when the row does not exist (deleted since the event). */
  retrieve(table: string, id: string, columns: readonly string[]): Promise<Row | null>;
  retrieveAccount(id: string, columns: readonly string[]): Promise<AccountRecord | null>;
  fetch(entity: string, fetchXml: string): Promise<{ rows: Row[]; moreRecords: boolean }>;
  /** OData query on a table, e.g. the active tier model. */
  query(table: string, options: string): Promise<Row[]>;
  /** One atomic change set; throws ConcurrencyConflict on 412. */
  commit(ops: readonly ChangeOperation[]): Promise<void>;
  /**
   * An account and FetchXML queries read together (one `$batch` on the wire): what a recalculation needs. Optional:
   * a gateway without it (a test double) is read with separate calls.
   */
  readAccountAndFetches?(
    id: string,
    columns: readonly string[],
    fetches: readonly FetchRead[],
  ): Promise<{ account: AccountRecord | null; results: FetchResult[] }>;
}

export interface FetchRead {
  entity: string;
  fetchXml: string;
}

export interface FetchResult {
  rows: Row[];
  moreRecords: boolean;
  /** The query failed with AggregateQueryRecordLimit (0x8004E023): the caller splits it. */
  aggregateLimit?: boolean;
}

/**
 * The gateway over dataverse-ify's WebApiBase (reads) and our `$batch` change set (writes), both on one transport.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/retrieve-entity-using-web-api
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/retrieve-data?tabs=webapi
 */
export class WebApiGateway implements DataverseGateway {
  private readonly api: WebApiBase;

  constructor(private readonly transport: HttpTransport) {
    this.api = new WebApiBase(transport);
    // WebApiBase looks entity set names up with a metadata request per table; seed its cache with the known ones.
    (this.api as unknown as { entitySetNames: Record<string, string> }).entitySetNames = { ...ENTITY_SETS };
  }

  async retrieve(table: string, id: string, columns: readonly string[]): Promise<Row | null> {
    try {
      return (await this.api.retrieveRecord(
        table,
        id,
        columns.length ? `?$select=${columns.join(",")}` : undefined,
      )) as Row;
    } catch (e) {
      if (e instanceof DataverseHttpError && e.status === 404) return null;
      throw e;
    }
  }

  async retrieveAccount(id: string, columns: readonly string[]): Promise<AccountRecord | null> {
    const row = await this.retrieve("account", id, ["accountid", ...columns]);
    if (!row) return null;
    const etag = row["@odata.etag"];
    if (typeof etag !== "string") throw new Error(`account ${id}: the Web API returned no @odata.etag`);
    return { id, etag, row };
  }

  async fetch(entity: string, fetchXml: string): Promise<{ rows: Row[]; moreRecords: boolean }> {
    const result = (await this.api.retrieveMultipleRecords(
      entity,
      `?fetchXml=${encodeURIComponent(fetchXml)}`,
    )) as unknown as {
      entities: Row[];
      moreRecords?: boolean;
    };
    return { rows: result.entities ?? [], moreRecords: result.moreRecords === true };
  }

  async query(table: string, options: string): Promise<Row[]> {
    const result = (await this.api.retrieveMultipleRecords(table, options)) as unknown as { entities: Row[] };
    return result.entities ?? [];
  }

  async commit(ops: readonly ChangeOperation[]): Promise<void> {
    await executeChangeSet(this.transport, ops);
  }

  async readAccountAndFetches(
    id: string,
    columns: readonly string[],
    fetches: readonly FetchRead[],
  ): Promise<{ account: AccountRecord | null; results: FetchResult[] }> {
    const [accountPart, ...fetchParts] = await executeReads(this.transport, [
      { path: `${accountPath(id)}?$select=${["accountid", ...columns].join(",")}` },
      ...fetches.map((f) => ({ path: `${entitySet(f.entity)}?fetchXml=${encodeURIComponent(f.fetchXml)}` })),
    ]);
    // A deleted account is an outcome, whatever its fact queries answered.
    if (accountPart.status === 404) return { account: null, results: [] };
    const results = fetchParts.map((part, i): FetchResult => {
      if (!part.ok) {
        const err = errorFromBody(part.status, part.body, `GET ${entitySet(fetches[i].entity)}?fetchXml (in $batch)`);
        if (isAggregateLimit(err)) return { rows: [], moreRecords: false, aggregateLimit: true };
        throw err;
      }
      return {
        rows: (part.data?.value as Row[] | undefined) ?? [],
        moreRecords: part.data?.["@Microsoft.Dynamics.CRM.morerecords"] === true,
      };
    });
    if (!accountPart.ok)
      throw errorFromBody(accountPart.status, accountPart.body, `GET ${accountPath(id)} (in $batch)`);
    const row = accountPart.data as Row;
    const etag = row["@odata.etag"];
    if (typeof etag !== "string") throw new Error(`account ${id}: the Web API returned no @odata.etag`);
    return { account: { id, etag, row }, results };
  }
}

export const accountPath = (id: string): string => `${entitySet("account")}(${id})`;

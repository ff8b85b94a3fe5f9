/**
 * Webhook emitter: after a create/update/delete commits, each matching active step (steps.ts) posts a
 * RemoteExecutionContext to its service endpoint, asynchronously, with one retry on 502/503/504;
 * a failed delivery is kept as a failed System Job (asyncoperation, statuscode 31).
 * https://learn.microsoft.com/power-apps/developer/data-platform/use-webhooks
 * https://learn.microsoft.com/power-apps/developer/data-platform/register-web-hook
 */
import { randomUUID } from "node:crypto";
import { formatted } from "./codec";
import { isLookup, isChoice, type TableDef } from "./metadata";
import { type ChangeEvent, isLookupValue, type Row, type Store, type Value, VERSION, type WriteContext } from "./store";
import type { ActiveStep, StepRegistration } from "./steps";

const CONTRACTS = "http://schemas.microsoft.com/xrm/2011/Contracts";

export interface WebhookOptions {
  /** The steps in force, asked at each event: a step registered through the Web API delivers from the next save. */
  steps: () => ActiveStep[];
  /** Used when the step's service endpoint row has no URL, or (steps given in options) none matches its name. */
  webhookUrl?: string;
  webhookKey?: string;
  retryDelayMs: number;
  timeoutMs: number;
  organizationId: string;
  organizationName: string;
  businessUnitId: string;
  log: (message: string) => void;
}

export interface Delivery {
  step: string;
  status: number | "error";
  attempts: number;
  ok: boolean;
}

const dateJson = (ms: number): string => `/Date(${ms})/`;

/** A column value in the DataContract JSON the webhook body uses ("__type" for Money, OptionSetValue, EntityReference). */
function contractValue(store: Store, def: TableDef, column: string, v: Value): unknown {
  const col = def.columns.get(column);
  if (v === null || !col) return v;
  if (isLookupValue(v)) {
    return {
      __type: `EntityReference:${CONTRACTS}`,
      Id: v.id,
      KeyAttributes: [],
      LogicalName: v.table,
      Name: store.nameOf(v),
      RowVersion: null,
    };
  }
  if (col.type === "Money") return { __type: `Money:${CONTRACTS}`, Value: v };
  if (isChoice(col)) return { __type: `OptionSetValue:${CONTRACTS}`, Value: v };
  if (col.type === "DateTime") return dateJson(v as number);
  return v;
}

function entityJson(
  store: Store,
  def: TableDef,
  id: string,
  row: Row,
  columns: string[] | null,
  withType: boolean,
  skipNulls: boolean,
): Record<string, unknown> {
  const names = (columns && columns.length ? columns : Object.keys(row)).filter(
    (c) => c !== VERSION && def.columns.has(c),
  );
  const attributes: { key: string; value: unknown }[] = [];
  const formattedValues: { key: string; value: string }[] = [];
  for (const name of names) {
    const v = row[name] ?? null;
    if (skipNulls && v === null) continue;
    attributes.push({ key: name, value: contractValue(store, def, name, v) });
    const col = def.columns.get(name)!;
    if (v !== null && !isLookup(col) && (isChoice(col) || col.type === "Money")) {
      const f = formatted(store, col, v);
      if (f !== undefined) formattedValues.push({ key: name, value: f });
    }
  }
  return {
    ...(withType ? { __type: `Entity:${CONTRACTS}` } : {}),
    Attributes: attributes,
    EntityState: null,
    FormattedValues: formattedValues,
    Id: id,
    KeyAttributes: [],
    LogicalName: def.logicalName,
    RelatedEntities: [],
    RowVersion: typeof row[VERSION] === "number" ? String(row[VERSION]) : null,
  };
}

/** Whether a step fires for an event: message, table, bypass headers and, for Update, its filtering attributes. */
export function stepMatches(step: StepRegistration, e: ChangeEvent, primaryId: string): boolean {
  if (step.primaryEntity !== e.table || step.message !== e.message) return false;
  // https://learn.microsoft.com/power-apps/developer/data-platform/bypass-custom-business-logic
  if (step.mode === 0 && e.ctx.bypassSync) return false;
  if (step.mode === 1 && e.ctx.bypassAsync) return false;
  if (e.message !== "Update" || step.filteringAttributes.length === 0) return true;
  const written = Object.keys(e.target).filter((k) => k !== primaryId && k !== "modifiedon");
  return written.some((k) => step.filteringAttributes.includes(k));
}

export function buildContext(
  store: Store,
  step: StepRegistration,
  e: ChangeEvent,
  opts: Pick<WebhookOptions, "organizationId" | "organizationName" | "businessUnitId">,
): Record<string, unknown> {
  const def = store.def(e.table);
  const target =
    e.message === "Delete"
      ? {
          __type: `EntityReference:${CONTRACTS}`,
          Id: e.id,
          KeyAttributes: [],
          LogicalName: e.table,
          Name: null,
          RowVersion: null,
        }
      : entityJson(store, def, e.id, e.target, null, true, false);
  const images = (kind: "pre" | "post"): { key: string; value: unknown }[] => {
    const row = kind === "pre" ? e.pre : e.post;
    if (!row) return [];
    return step.images
      .filter((i) => i.imageType === 2 || i.imageType === (kind === "pre" ? 0 : 1))
      .map((i) => ({ key: i.entityAlias, value: entityJson(store, def, e.id, row, i.attributes, false, true) }));
  };
  return {
    BusinessUnitId: opts.businessUnitId,
    CorrelationId: e.ctx.correlationId,
    Depth: 1,
    InitiatingUserId: e.ctx.userId,
    InputParameters: [{ key: "Target", value: target }],
    IsExecutingOffline: false,
    IsInTransaction: false,
    IsOfflinePlayback: false,
    IsolationMode: 1,
    MessageName: e.message,
    Mode: step.mode,
    OperationCreatedOn: dateJson(e.at),
    OperationId: e.operationId,
    OrganizationId: opts.organizationId,
    OrganizationName: opts.organizationName,
    OutputParameters: e.message === "Create" ? [{ key: "id", value: e.id }] : [],
    OwningExtension: {
      Id: step.id,
      KeyAttributes: [],
      LogicalName: "sdkmessageprocessingstep",
      Name: step.name,
      RowVersion: null,
    },
    ParentContext: null,
    PostEntityImages: images("post"),
    PreEntityImages: images("pre"),
    PrimaryEntityId: e.id,
    PrimaryEntityName: e.table,
    RequestId: null,
    SecondaryEntityName: "none",
    SharedVariables: [],
    Stage: step.stage,
    UserId: e.ctx.userId,
  };
}

interface Endpoint {
  url: string;
  authtype: number;
  authvalue: string | null;
}

/** `<settings><setting name="k" value="v" /></settings>` (HttpHeader / HttpQueryString auth values). */
function settings(xml: string | null): [string, string][] {
  if (!xml) return [];
  return [...xml.matchAll(/<setting\s+name="([^"]*)"\s+value="([^"]*)"\s*\/>/g)].map((m) => [m[1], m[2]]);
}

/** URL without its query string: keys travel there and must never reach a log or a System Job. */
const redact = (url: string): string => url.split("?")[0];

export class WebhookDispatcher {
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  readonly deliveries: Delivery[] = [];

  constructor(
    private readonly store: Store,
    private readonly opts: WebhookOptions,
  ) {
    store.onChange((e) => this.onEvent(e));
  }

  /** The steps in force now. */
  get steps(): ActiveStep[] {
    return this.opts.steps();
  }

  /** Resolves once every queued delivery (with its retry) has finished. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.chain;
  }

  private onEvent(e: ChangeEvent): void {
    const def = this.store.def(e.table);
    const steps = this.opts
      .steps()
      .filter((s) => stepMatches(s, e, def.primaryId))
      .sort((a, b) => a.rank - b.rank);
    for (const step of steps) {
      // Built now, so the images hold the row as it was when the operation ran.
      const body = JSON.stringify(buildContext(this.store, step, e, this.opts));
      this.pending++;
      this.chain = this.chain.then(() => this.deliver(step, e, body)).finally(() => this.pending--);
    }
  }

  private endpoint(step: ActiveStep): Endpoint | undefined {
    const fallback = this.opts.webhookUrl
      ? { url: this.opts.webhookUrl, authtype: 4, authvalue: this.opts.webhookKey ?? null }
      : undefined;
    if (step.endpointId) {
      const row = this.store.get("serviceendpoint", step.endpointId);
      if (row && typeof row.url === "string")
        return { url: row.url, authtype: (row.authtype as number) ?? 4, authvalue: (row.authvalue as string) ?? null };
      return fallback;
    }
    for (const row of this.store.rows("serviceendpoint")) {
      if (String(row.name ?? "").toLowerCase() === step.serviceEndpoint.toLowerCase() && typeof row.url === "string") {
        return { url: row.url, authtype: (row.authtype as number) ?? 4, authvalue: (row.authvalue as string) ?? null };
      }
    }
    return fallback;
  }

  private async deliver(step: ActiveStep, e: ChangeEvent, body: string): Promise<void> {
    const ep = this.endpoint(step);
    if (!ep) {
      this.fail(
        step,
        e,
        body,
        `No service endpoint named '${step.serviceEndpoint}' and no webhook URL configured.`,
        "error",
        0,
      );
      return;
    }
    const url = new URL(ep.url);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-ms-dynamics-organization": "sandbox.local",
      "x-ms-dynamics-entity-name": e.table,
      "x-ms-dynamics-request-name": e.message,
      "x-ms-correlation-request-id": e.ctx.correlationId,
    };
    if (ep.authtype === 4 && ep.authvalue) url.searchParams.set("code", ep.authvalue);
    if (ep.authtype === 5) for (const [k, v] of settings(ep.authvalue)) headers[k] = v;
    if (ep.authtype === 6) for (const [k, v] of settings(ep.authvalue)) url.searchParams.set(k, v);
    let attempts = 0;
    let last: number | "error" = "error";
    let detail = "";
    while (attempts < 2) {
      attempts++;
      try {
        const res = await fetch(url, {
          method: "POST",
          headers,
          body,
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        last = res.status;
        if (res.ok) {
          this.deliveries.push({ step: step.name, status: res.status, attempts, ok: true });
          return;
        }
        detail = `HTTP ${res.status} ${res.statusText}`;
        // Only 502/503/504 get one more attempt.
        if (![502, 503, 504].includes(res.status)) break;
      } catch (err) {
        last = "error";
        detail =
          (err as Error).name === "TimeoutError"
            ? `no response within ${this.opts.timeoutMs} ms`
            : `${(err as Error).message}`;
        break;
      }
      if (attempts < 2 && this.opts.retryDelayMs > 0) await new Promise((r) => setTimeout(r, this.opts.retryDelayMs));
    }
    this.fail(step, e, body, `Webhook ${redact(ep.url)} failed for step '${step.name}': ${detail}.`, last, attempts);
  }

  private fail(
    step: StepRegistration,
    e: ChangeEvent,
    body: string,
    message: string,
    status: number | "error",
    attempts: number,
  ): void {
    this.deliveries.push({ step: step.name, status, attempts, ok: false });
    this.opts.log(message);
    const system: WriteContext = {
      userId: e.ctx.userId,
      correlationId: e.ctx.correlationId,
      bypassSync: true,
      bypassAsync: true,
    };
    const now = this.store.now();
    this.store.atomically((tx) =>
      this.store.create(
        tx,
        "asyncoperation",
        {
          asyncoperationid: randomUUID(),
          name: step.name,
          operationtype: 1,
          statecode: 3,
          statuscode: 31,
          message,
          friendlymessage: message,
          errorcode: -2147220970,
          primaryentitytype: e.table,
          messagename: e.message,
          data: body,
          owningextensionid: { id: step.id, table: "sdkmessageprocessingstep" },
          regardingobjectid: { id: e.id, table: e.table },
          completedon: now,
        },
        system,
      ),
    );
  }
}

import { randomUUID } from "node:crypto";

/**
 * RemoteExecutionContext bodies in the shape Dataverse documents for webhooks (DataContract JSON: `__type` on typed
 * values, "/Date(ms)/" dates, key/value arrays).
 * https://learn.microsoft.com/power-apps/developer/data-platform/use-webhooks#request-body
 */
const CONTRACTS = "http://schemas.microsoft.com/xrm/2011/Contracts";

export const money = (v: number) => ({ __type: `Money:${CONTRACTS}`, Value: v });
export const option = (v: number) => ({ __type: `OptionSetValue:${CONTRACTS}`, Value: v });
export const ref = (logicalName: string, id: string, name: string | null = null) => ({
  __type: `EntityReference:${CONTRACTS}`,
  Id: id,
  KeyAttributes: [],
  LogicalName: logicalName,
  Name: name,
  RowVersion: null,
});
export const date = (ms: number) => `/Date(${ms})/`;

export function entity(logicalName: string, id: string, attributes: Record<string, unknown>, typed = true) {
  return {
    ...(typed ? { __type: `Entity:${CONTRACTS}` } : {}),
    Attributes: Object.entries(attributes).map(([key, value]) => ({ key, value })),
    EntityState: null,
    FormattedValues: [],
    Id: id,
    KeyAttributes: [],
    LogicalName: logicalName,
    RelatedEntities: [],
    RowVersion: "1234",
  };
}

export interface ContextParts {
  message: "Create" | "Update" | "Delete" | string;
  entity: string;
  id: string;
  target?: unknown;
  pre?: Record<string, unknown>;
  post?: Record<string, unknown>;
  preKey?: string;
  postKey?: string;
}

export function context(p: ContextParts): Record<string, unknown> {
  const target = p.target ?? (p.message === "Delete" ? ref(p.entity, p.id) : entity(p.entity, p.id, {}));
  return {
    BusinessUnitId: "3c1b7a2e-6f0d-4c1e-9a55-2f4b8c9d0e11",
    CorrelationId: randomUUID(),
    Depth: 1,
    InitiatingUserAzureActiveDirectoryObjectId: randomUUID(),
    InitiatingUserId: randomUUID(),
    InputParameters: [{ key: "Target", value: target }],
    IsExecutingOffline: false,
    IsInTransaction: false,
    IsOfflinePlayback: false,
    IsolationMode: 1,
    MessageName: p.message,
    Mode: 1,
    OperationCreatedOn: date(Date.UTC(2025, 4, 17, 9, 30)),
    OperationId: randomUUID(),
    OrganizationId: randomUUID(),
    OrganizationName: "contoso",
    OutputParameters: p.message === "Create" ? [{ key: "id", value: p.id }] : [],
    OwningExtension: {
      Id: randomUUID(),
      KeyAttributes: [],
      LogicalName: "sdkmessageprocessingstep",
      Name: null,
      RowVersion: null,
    },
    ParentContext: null,
    PostEntityImages: p.post ? [{ key: p.postKey ?? "PostImage", value: entity(p.entity, p.id, p.post, false) }] : [],
    PreEntityImages: p.pre ? [{ key: p.preKey ?? "PreImage", value: entity(p.entity, p.id, p.pre, false) }] : [],
    PrimaryEntityId: p.id,
    PrimaryEntityName: p.entity,
    RequestId: null,
    SecondaryEntityName: "none",
    SharedVariables: [],
    Stage: 40,
    UserAzureActiveDirectoryObjectId: randomUUID(),
    UserId: randomUUID(),
  };
}

/** What Dataverse sends when the context is over its size limit: no InputParameters, images or ParentContext. */
export function stripped(full: Record<string, unknown>): Record<string, unknown> {
  const { InputParameters: _i, PreEntityImages: _p, PostEntityImages: _q, ParentContext: _c, ...rest } = full;
  return rest;
}

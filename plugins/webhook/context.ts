import { z } from "zod";

/**
 * The RemoteExecutionContext Dataverse posts to a webhook, serialized by the .NET DataContractJsonSerializer:
 * collections are `[{key, value}]` arrays, typed values carry `__type` ("Money:http://schemas.microsoft.com/xrm/2011/Contracts"),
 * dates are "/Date(ms)/". When the message is over 256 KB Dataverse strips ParentContext, InputParameters and the
 * images and sets `x-ms-dynamics-msg-size-exceeded`.
 * https://learn.microsoft.com/power-apps/developer/data-platform/use-webhooks#request-body
 * https://learn.microsoft.com/dotnet/api/microsoft.xrm.sdk.remoteexecutioncontext
 */

const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;
const guid = z.string().regex(GUID, "must be a GUID");

const keyValues = <T extends z.ZodType>(value: T) => z.array(z.looseObject({ key: z.string(), value }));

const entitySchema = z.looseObject({
  __type: z.string().startsWith("Entity:", "must be an Entity").optional(),
  LogicalName: z.string().min(1, "must name the table"),
  Id: guid,
  Attributes: keyValues(z.unknown()),
});

export const contextSchema = z.looseObject({
  MessageName: z.string().min(1, "must name the message"),
  PrimaryEntityName: z.string().min(1, "must name the table"),
  PrimaryEntityId: guid,
  CorrelationId: guid,
  OperationId: guid,
  Depth: z.number().int().min(0),
  Stage: z.number().int(),
  Mode: z.number().int(),
  InputParameters: keyValues(z.unknown()).nullish(),
  PreEntityImages: keyValues(entitySchema).nullish(),
  PostEntityImages: keyValues(entitySchema).nullish(),
});

export type RawContext = z.infer<typeof contextSchema>;

/** A payload that is JSON but not a RemoteExecutionContext; `path` names the offending property. */
export class PayloadError extends Error {
  override name = "PayloadError";
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

export interface Ref {
  logicalName: string;
  id: string;
}
/** Decoded attribute values: Money and OptionSetValue → number, EntityReference → Ref, "/Date(ms)/" → epoch ms. */
export type AttrValue = string | number | boolean | null | Ref | AttrValue[] | { [k: string]: unknown };
export type Attributes = Map<string, AttrValue>;

export interface Snapshot {
  source: string; // "Target", "PreEntityImages[PreImage]" … for logs and errors
  logicalName: string;
  id: string;
  attributes: Attributes;
}

export interface WebhookContext {
  message: string;
  entity: string;
  entityId: string;
  correlationId: string;
  operationId: string;
  depth: number;
  /** Target as an entity (Create/Update) or a reference (Delete); null when stripped or absent. */
  target: Snapshot | Ref | null;
  pre: Snapshot[];
  post: Snapshot[];
  /** Dataverse removed InputParameters and images (message over its size limit). */
  stripped: boolean;
  /** Win/Lose of an opportunity: the opportunity named by the OpportunityClose input, if any. */
  closedOpportunity: Ref | null;
}

/**
 * The deepest JSON a RemoteExecutionContext needs: ParentContext chains stop at Dataverse's plugin depth limit and
 * an attribute value nests a few levels at most. Deeper input is refused (400) before any recursive walk, so it
 * cannot overflow the stack (issue 17: arrays 5,000 deep in an attribute value).
 */
export const MAX_JSON_DEPTH = 64;

/** Whether `value` nests deeper than `max` arrays/objects; iterative, so any depth is safe to measure. */
export function deeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (d + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

const DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;

export const normalizeId = (id: string): string => id.replace(/[{}]/g, "").toLowerCase();

function pathOf(path: readonly PropertyKey[]): string {
  return (
    path.reduce<string>(
      (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
      "",
    ) || "(body)"
  );
}

/** One typed value; throws PayloadError naming the path when a `__type`d value is malformed. */
export function decodeValue(value: unknown, path: string, depth = 0): AttrValue {
  if (depth > MAX_JSON_DEPTH) throw new PayloadError(path, `nests deeper than ${MAX_JSON_DEPTH} levels`);
  if (typeof value === "string") {
    const m = DATE.exec(value);
    // The offset only says which zone the sender used; the milliseconds are UTC already.
    return m ? Number(m[1]) : value;
  }
  if (value === null || typeof value === "number" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map((v, i) => decodeValue(v, `${path}[${i}]`, depth + 1));
  if (typeof value !== "object") throw new PayloadError(path, `unsupported value of type ${typeof value}`);
  const o = value as Record<string, unknown>;
  const type = typeof o.__type === "string" ? o.__type.split(":")[0] : undefined;
  switch (type) {
    case "Money":
    case "OptionSetValue": {
      if (typeof o.Value !== "number" || !Number.isFinite(o.Value))
        throw new PayloadError(`${path}.Value`, `${type} needs a numeric Value`);
      return o.Value;
    }
    case "EntityReference": {
      if (typeof o.LogicalName !== "string" || o.LogicalName === "")
        throw new PayloadError(`${path}.LogicalName`, "EntityReference needs a LogicalName");
      if (typeof o.Id !== "string" || !GUID.test(o.Id))
        throw new PayloadError(`${path}.Id`, "EntityReference needs a GUID Id");
      return { logicalName: o.LogicalName, id: normalizeId(o.Id) };
    }
    case "OptionSetValueCollection":
    case "EntityCollection":
      return o as { [k: string]: unknown };
    default:
      return o as { [k: string]: unknown };
  }
}

export const isRef = (v: AttrValue | undefined): v is Ref =>
  typeof v === "object" &&
  v !== null &&
  !Array.isArray(v) &&
  typeof (v as Ref).logicalName === "string" &&
  typeof (v as Ref).id === "string";

function snapshot(raw: z.infer<typeof entitySchema>, source: string, path: string): Snapshot {
  const attributes: Attributes = new Map();
  raw.Attributes.forEach((kv, i) => attributes.set(kv.key, decodeValue(kv.value, `${path}.Attributes[${i}].value`)));
  return { source, logicalName: raw.LogicalName, id: normalizeId(raw.Id), attributes };
}

function images(list: RawContext["PreEntityImages"], name: string): Snapshot[] {
  return (list ?? []).map((kv, i) => snapshot(kv.value, `${name}[${kv.key}]`, `${name}[${i}].value`));
}

/** Parses a body already known to be JSON; PayloadError names the first problem. */
export function parseContext(json: unknown, sizeExceeded: boolean): WebhookContext {
  if (deeperThan(json, MAX_JSON_DEPTH)) throw new PayloadError("(body)", `nests deeper than ${MAX_JSON_DEPTH} levels`);
  const parsed = contextSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PayloadError(
      pathOf(issue.path),
      /received undefined$/.test(issue.message) ? "is required" : issue.message,
    );
  }
  const raw = parsed.data;
  const inputs = raw.InputParameters ?? [];
  const targetIndex = inputs.findIndex((kv) => kv.key === "Target");
  let target: WebhookContext["target"] = null;
  if (targetIndex >= 0) {
    const value = inputs[targetIndex].value;
    const path = `InputParameters[${targetIndex}].value`;
    const asEntity = entitySchema.safeParse(value);
    if (asEntity.success) target = snapshot(asEntity.data, "Target", path);
    else {
      const ref = decodeValue(value, path);
      if (!isRef(ref)) {
        const issue = asEntity.error.issues[0];
        throw new PayloadError(
          `${path}${issue.path.length ? "." + pathOf(issue.path) : ""}`,
          `Target must be an Entity or an EntityReference: ${issue.message}`,
        );
      }
      target = ref;
    }
  }
  // Win and Lose carry the opportunity in OpportunityClose.opportunityid rather than in a Target.
  // https://learn.microsoft.com/dotnet/api/microsoft.crm.sdk.messages.winopportunityrequest
  let closedOpportunity: Ref | null = null;
  const closeIndex = inputs.findIndex((kv) => kv.key === "OpportunityClose");
  if (closeIndex >= 0) {
    const close = entitySchema.safeParse(inputs[closeIndex].value);
    if (close.success) {
      const v = snapshot(close.data, "OpportunityClose", `InputParameters[${closeIndex}].value`).attributes.get(
        "opportunityid",
      );
      if (isRef(v)) closedOpportunity = v;
    }
  }
  return {
    message: raw.MessageName,
    entity: raw.PrimaryEntityName.toLowerCase(),
    entityId: normalizeId(raw.PrimaryEntityId),
    correlationId: normalizeId(raw.CorrelationId),
    operationId: normalizeId(raw.OperationId),
    depth: raw.Depth,
    target,
    pre: images(raw.PreEntityImages, "PreEntityImages"),
    post: images(raw.PostEntityImages, "PostEntityImages"),
    stripped: sizeExceeded || raw.InputParameters == null,
    closedOpportunity,
  };
}

/**
 * Registers the webhook steps on the service endpoint through the Web API, the way an admin would with the Plug-in
 * Registration Tool. The solution zip ships the endpoint but no steps (issue 13): an imported step would queue a
 * failing System Job for every save until the endpoint has its URL and key, so `tiering configure` adds them after.
 *
 * Each step and image is upserted by its fixed id (PATCH to the key creates or updates): running it again changes
 * nothing and creates no duplicates.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/update-delete-entities-using-web-api#upsert-a-table-row
 */
import { SDK_MESSAGE_IDS, type StepRegistration } from "../solution/scripts/steps";
import type { TokenProvider } from "./dataverse/token";
import { HttpTransport, type RetryPolicy } from "./dataverse/transport";

export interface RegisterStepsOptions {
  /** The environment's origin, e.g. https://contoso.crm.dynamics.com */
  url: string;
  tokens: TokenProvider;
  /** serviceendpointid of the webhook the steps send to. */
  endpointId: string;
  /** The step definitions (solution/steps, read by the caller with readStepRegistrations()). */
  steps: readonly StepRegistration[];
  retry?: Partial<RetryPolicy>;
}

export interface RegisterStepsSummary {
  steps: number;
  images: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const JSON_HEADERS = {
  Accept: "application/json",
  "Content-Type": "application/json; charset=utf-8",
  "OData-MaxVersion": "4.0",
  "OData-Version": "4.0",
};

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

function guid(value: string, what: string): string {
  if (!GUID.test(value)) throw new Error(`${what} "${value}" is not a GUID`);
  return value.toLowerCase();
}

/**
 * The sdkmessagefilter of a message on a table: a platform row (one per message and table that supports it), read
 * only, so it is looked up, never written.
 * https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/sdkmessagefilter
 */
async function filterId(transport: HttpTransport, messageId: string, table: string): Promise<string> {
  const filter = `primaryobjecttypecode eq ${lit(table)} and _sdkmessageid_value eq ${messageId}`;
  const res = await transport.send(
    "GET",
    `sdkmessagefilters?$select=sdkmessagefilterid&$filter=${encodeURIComponent(filter)}`,
    JSON_HEADERS,
  );
  const rows = (JSON.parse(res.body || "{}") as { value?: { sdkmessagefilterid: string }[] }).value ?? [];
  if (rows.length === 0) throw new Error(`no sdkmessagefilter for message ${messageId} on table ${table}`);
  return guid(rows[0].sdkmessagefilterid, "sdkmessagefilterid");
}

/**
 * The step row. Navigation property names (case-sensitive) from the sdkmessageprocessingstep EntityType:
 * `sdkmessageid`, `sdkmessagefilterid`, and `eventhandler_serviceendpoint` (eventhandler is polymorphic: plug-in
 * type or service endpoint).
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/sdkmessageprocessingstep
 * https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/sdkmessageprocessingstep
 */
export function stepBody(
  step: StepRegistration,
  messageId: string,
  messageFilterId: string,
  endpointId: string,
): Record<string, unknown> {
  return {
    name: step.name,
    description: step.description,
    mode: step.mode,
    stage: step.stage,
    rank: step.rank,
    // 0 Parent (the operation itself, not a child pipeline), 0 ServerOnly.
    invocationsource: 0,
    supporteddeployment: 0,
    asyncautodelete: step.asyncAutoDelete,
    filteringattributes: step.filteringAttributes.length > 0 ? step.filteringAttributes.join(",") : null,
    "sdkmessageid@odata.bind": `/sdkmessages(${messageId})`,
    "sdkmessagefilterid@odata.bind": `/sdkmessagefilters(${messageFilterId})`,
    "eventhandler_serviceendpoint@odata.bind": `/serviceendpoints(${endpointId})`,
  };
}

/**
 * An image row; its step through the `sdkmessageprocessingstepid` navigation property.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/sdkmessageprocessingstepimage
 * https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/sdkmessageprocessingstepimage
 */
export function imageBody(step: StepRegistration, image: StepRegistration["images"][number]): Record<string, unknown> {
  return {
    "sdkmessageprocessingstepid@odata.bind": `/sdkmessageprocessingsteps(${step.id})`,
    name: image.name,
    entityalias: image.entityAlias,
    imagetype: image.imageType,
    messagepropertyname: image.messagePropertyName,
    attributes: image.attributes.length > 0 ? image.attributes.join(",") : null,
  };
}

/** Upserts every step, then its images, in order; a failure stops with the Web API's error (DataverseHttpError). */
export async function registerSteps(opts: RegisterStepsOptions): Promise<RegisterStepsSummary> {
  const transport = new HttpTransport({ server: opts.url, tokens: opts.tokens, retry: opts.retry });
  const endpointId = guid(opts.endpointId, "serviceendpointid");
  const filters = new Map<string, string>();
  let images = 0;
  for (const step of opts.steps) {
    const messageId = SDK_MESSAGE_IDS[step.message];
    const key = `${messageId}/${step.primaryEntity}`;
    let messageFilterId = filters.get(key);
    if (!messageFilterId) {
      messageFilterId = await filterId(transport, messageId, step.primaryEntity);
      filters.set(key, messageFilterId);
    }
    const body = stepBody(step, messageId, messageFilterId, endpointId);
    await transport.send("PATCH", `sdkmessageprocessingsteps(${guid(step.id, "step id")})`, JSON_HEADERS, body);
    for (const image of step.images) {
      const path = `sdkmessageprocessingstepimages(${guid(image.id, "image id")})`;
      await transport.send("PATCH", path, JSON_HEADERS, imageBody(step, image));
      images++;
    }
  }
  return { steps: opts.steps.length, images };
}

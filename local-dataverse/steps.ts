/**
 * The webhook steps the local Dataverse delivers: the ACTIVE sdkmessageprocessingstep rows of its store whose event
 * handler is a service endpoint, with their image rows, read at delivery time. Importing the solution registers none
 * (issue 13); `tiering configure` (plugins/register-steps.ts) or a test writes them through the Web API, and a step
 * delivers from the next save on, as in Dataverse.
 */
import {
  readServiceEndpointNames,
  SDK_MESSAGE_IDS,
  type StepImage,
  type StepRegistration,
} from "../solution/scripts/steps";
import { defaultSolutionSrcDir } from "../solution/scripts/source-dir";
import { isLookupValue, type Row, type Store } from "./store";

export type { StepImage, StepRegistration };

/** A registered step, with the endpoint row it sends to (a step given in SandboxOptions.steps names it instead). */
export type ActiveStep = StepRegistration & { endpointId?: string };

const MESSAGES = new Map<string, StepRegistration["message"]>(
  Object.entries(SDK_MESSAGE_IDS).map(([name, id]) => [id, name as StepRegistration["message"]]),
);

const list = (v: unknown): string[] =>
  typeof v === "string"
    ? v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

function imagesOf(store: Store, stepId: string): StepImage[] {
  const out: StepImage[] = [];
  for (const row of store.rows("sdkmessageprocessingstepimage")) {
    const step = row.sdkmessageprocessingstepid;
    if (!isLookupValue(step) || step.id !== stepId) continue;
    const imageType = Number(row.imagetype ?? 0);
    if (imageType !== 0 && imageType !== 1 && imageType !== 2) continue;
    out.push({
      id: String(row.sdkmessageprocessingstepimageid),
      name: String(row.name ?? ""),
      entityAlias: String(row.entityalias ?? ""),
      imageType,
      attributes: list(row.attributes),
      messagePropertyName: String(row.messagepropertyname ?? "Target"),
    });
  }
  // In the order they were registered (the store keeps insertion order), as the step definition lists them.
  return out;
}

function stepOf(store: Store, row: Row): ActiveStep | undefined {
  if ((row.statecode ?? 0) !== 0) return undefined;
  const handler = row.eventhandler;
  const message = row.sdkmessageid;
  const filter = row.sdkmessagefilterid;
  if (!isLookupValue(handler) || handler.table !== "serviceendpoint") return undefined;
  if (!isLookupValue(message) || !isLookupValue(filter)) return undefined;
  const name = MESSAGES.get(message.id);
  const table = store.get("sdkmessagefilter", filter.id)?.primaryobjecttypecode;
  const mode = Number(row.mode ?? 0);
  // The local Dataverse raises post-operation events only; a step at another stage would never fire in it.
  if (!name || typeof table !== "string" || Number(row.stage) !== 40 || (mode !== 0 && mode !== 1)) return undefined;
  const id = String(row.sdkmessageprocessingstepid);
  return {
    id,
    name: String(row.name ?? ""),
    message: name,
    primaryEntity: table,
    stage: 40,
    mode,
    rank: Number(row.rank ?? 1),
    filteringAttributes: list(row.filteringattributes),
    images: imagesOf(store, id),
    serviceEndpoint: String(store.get("serviceendpoint", handler.id)?.name ?? ""),
    endpointId: handler.id,
    asyncAutoDelete: row.asyncautodelete === true,
    description: String(row.description ?? ""),
  };
}

/** The active webhook steps registered in the store, by name. */
export function registeredSteps(store: Store): ActiveStep[] {
  const out: ActiveStep[] = [];
  for (const row of store.rows("sdkmessageprocessingstep")) {
    const step = stepOf(store, row);
    if (step) out.push(step);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Service endpoints the solution defines: id → name. */
export function loadSolutionEndpoints(): Map<string, string> {
  try {
    return readServiceEndpointNames(defaultSolutionSrcDir());
  } catch {
    return new Map();
  }
}

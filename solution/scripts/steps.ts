import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { defaultSolutionSrcDir } from "./source-dir";
import { attr, children, normalizeGuid, readXml, text } from "./xml";

/** One entity image registered on a step (sdkmessageprocessingstepimage). */
export interface StepImage {
  /** Fixed sdkmessageprocessingstepimageid: `tiering configure` upserts the image by it. */
  id: string;
  name: string;
  entityAlias: string;
  imageType: 0 | 1 | 2 /* 0 PreImage, 1 PostImage, 2 Both */;
  attributes: string[] /* empty = all */;
  /** The message property the image is of: "Target" (Update, Delete) or "Id" (Create). */
  messagePropertyName: string;
}

/** One SDK message processing step that sends an event to the webhook. */
export interface StepRegistration {
  /** Fixed sdkmessageprocessingstepid: `tiering configure` upserts the step by it, so a second run adds nothing. */
  id: string;
  name: string;
  message: "Create" | "Update" | "Delete";
  primaryEntity: string;
  stage: 40;
  mode: 0 | 1 /* 1 = asynchronous */;
  rank: number;
  filteringAttributes: string[] /* empty = all */;
  images: StepImage[];
  serviceEndpoint: string /* the service endpoint's name */;
  /** Delete the System Job once it succeeds (failed ones stay, for `tiering replay`). */
  asyncAutoDelete: boolean;
  description: string;
}

/**
 * Platform messages have the same sdkmessageid in every Dataverse environment, which is why an exported
 * step names its message by id alone.
 * https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/sdkmessage
 */
export const SDK_MESSAGE_IDS = {
  Create: "9ebdbb1b-ea3e-db11-86a7-000a3a5473e8",
  Update: "20bebb1b-ea3e-db11-86a7-000a3a5473e8",
  Delete: "a1bdbb1b-ea3e-db11-86a7-000a3a5473e8",
} as const;

/** ObjectTypeCode of serviceendpoint: a step whose EventHandler is a service endpoint, not a plug-in type. */
export const SERVICE_ENDPOINT_TYPE_CODE = 4618;

const messageById = new Map<string, StepRegistration["message"]>(
  Object.entries(SDK_MESSAGE_IDS).map(([name, id]) => [id, name as StepRegistration["message"]]),
);

function list(csv: string): string[] {
  return csv
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function int(value: string, what: string, file: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new Error(`${file}: <${what}> is "${value}", not an integer`);
  return Number(value);
}

/** Service endpoints of Other/Customizations.xml, id → name. */
export function readServiceEndpointNames(solutionSrcDir: string): Map<string, string> {
  const file = join(solutionSrcDir, "Other", "Customizations.xml");
  const root = readXml(file)["ImportExportXml"];
  const endpoints = children(children(root, "ServiceEndpoints")[0], "ServiceEndpoint");
  return new Map(endpoints.map((e) => [normalizeGuid(attr(e, "ServiceEndpointId")), attr(e, "Name")]));
}

function readStep(file: string, endpoints: Map<string, string>): StepRegistration {
  const step = readXml(file)["SdkMessageProcessingStep"];
  if (step === undefined || typeof step === "string" || Array.isArray(step)) {
    throw new Error(`${file}: the root element is not <SdkMessageProcessingStep>`);
  }
  const name = attr(step, "Name");
  const message = messageById.get(normalizeGuid(text(step, "SdkMessageId")));
  if (!message)
    throw new Error(`${file}: <SdkMessageId> ${text(step, "SdkMessageId")} is not Create, Update or Delete`);
  const stage = int(text(step, "Stage"), "Stage", file);
  if (stage !== 40) throw new Error(`${file}: <Stage> is ${stage}; the webhook steps are post-operation (40)`);
  const mode = int(text(step, "Mode"), "Mode", file);
  if (mode !== 0 && mode !== 1) throw new Error(`${file}: <Mode> is ${mode}, not 0 or 1`);
  const handlerType = int(text(step, "EventHandlerTypeCode"), "EventHandlerTypeCode", file);
  const handler = normalizeGuid(text(step, "EventHandler"));
  const serviceEndpoint = endpoints.get(handler);
  if (handlerType !== SERVICE_ENDPOINT_TYPE_CODE || serviceEndpoint === undefined) {
    throw new Error(`${file}: <EventHandler> ${handler} is not a service endpoint of Other/Customizations.xml`);
  }
  const images = children(children(step, "SdkMessageProcessingStepImages")[0], "SdkMessageProcessingStepImage").map(
    (image): StepImage => {
      const imageType = int(text(image, "ImageType"), "ImageType", file);
      if (imageType !== 0 && imageType !== 1 && imageType !== 2) {
        throw new Error(`${file}: image "${attr(image, "Name")}" has <ImageType> ${imageType}, not 0, 1 or 2`);
      }
      const messagePropertyName = text(image, "MessagePropertyName");
      if (messagePropertyName !== "Target" && messagePropertyName !== "Id") {
        throw new Error(`${file}: image "${attr(image, "Name")}" has <MessagePropertyName> "${messagePropertyName}"`);
      }
      return {
        id: normalizeGuid(text(image, "SdkMessageProcessingStepImageId")),
        name: attr(image, "Name"),
        entityAlias: text(image, "EntityAlias"),
        imageType,
        attributes: list(text(image, "Attributes")),
        messagePropertyName,
      };
    },
  );
  const id = normalizeGuid(attr(step, "SdkMessageProcessingStepId"));
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new Error(`${file}: SdkMessageProcessingStepId "${id}" is not a GUID`);
  }
  return {
    id,
    name,
    message,
    primaryEntity: text(step, "PrimaryEntity"),
    stage: 40,
    mode,
    rank: int(text(step, "Rank"), "Rank", file),
    filteringAttributes: list(text(step, "FilteringAttributes")),
    images,
    serviceEndpoint,
    asyncAutoDelete: text(step, "AsyncAutoDelete") === "1",
    description: text(step, "Description"),
  };
}

/**
 * solution/steps: the step definitions, kept out of solution/src so the packed zip does not ship them (an imported
 * step would send every save to the placeholder URL until configured; issue 13). `tiering configure` registers them.
 */
export function defaultStepsDir(solutionSrcDir: string = defaultSolutionSrcDir()): string {
  return join(dirname(solutionSrcDir), "steps");
}

/**
 * The webhook steps (solution/steps/*.xml, in the layout `pac solution unpack` writes SdkMessageProcessingSteps),
 * sorted by name; their endpoint is the one of the solution source's Other/Customizations.xml.
 * The sandbox and `tiering configure` register exactly these, so what it emits is what a real environment sends.
 */
export function readStepRegistrations(
  solutionSrcDir: string = defaultSolutionSrcDir(),
  stepsDir: string = defaultStepsDir(solutionSrcDir),
): StepRegistration[] {
  const endpoints = readServiceEndpointNames(solutionSrcDir);
  return readdirSync(stepsDir)
    .filter((f) => f.toLowerCase().endsWith(".xml"))
    .sort()
    .map((f) => readStep(join(stepsDir, f), endpoints))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

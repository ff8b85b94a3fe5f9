import { readdirSync } from "node:fs";
import { join } from "node:path";
import { defaultSolutionSrcDir } from "./source-dir";
import { attr, children, normalizeGuid, readXml, text } from "./xml";

/** One entity image registered on a step (sdkmessageprocessingstepimage). */
export interface StepImage {
  name: string;
  entityAlias: string;
  imageType: 0 | 1 | 2 /* 0 PreImage, 1 PostImage, 2 Both */;
  attributes: string[] /* empty = all */;
}

/** One SDK message processing step that sends an event to the webhook. */
export interface StepRegistration {
  name: string;
  message: "Create" | "Update" | "Delete";
  primaryEntity: string;
  stage: 40;
  mode: 0 | 1 /* 1 = asynchronous */;
  rank: number;
  filteringAttributes: string[] /* empty = all */;
  images: StepImage[];
  serviceEndpoint: string /* the service endpoint's name */;
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
      return {
        name: attr(image, "Name"),
        entityAlias: text(image, "EntityAlias"),
        imageType,
        attributes: list(text(image, "Attributes")),
      };
    },
  );
  return {
    name,
    message,
    primaryEntity: text(step, "PrimaryEntity"),
    stage: 40,
    mode,
    rank: int(text(step, "Rank"), "Rank", file),
    filteringAttributes: list(text(step, "FilteringAttributes")),
    images,
    serviceEndpoint,
  };
}

/**
 * The webhook steps of the solution source (SdkMessageProcessingSteps/*.xml), sorted by name.
 * The sandbox registers exactly these, so what it emits is what a real environment would send.
 */
export function readStepRegistrations(solutionSrcDir: string = defaultSolutionSrcDir()): StepRegistration[] {
  const endpoints = readServiceEndpointNames(solutionSrcDir);
  const dir = join(solutionSrcDir, "SdkMessageProcessingSteps");
  return readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith(".xml"))
    .sort()
    .map((f) => readStep(join(dir, f), endpoints))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Whether the active tier model is invalid, read once per session from ct_tiermodel.ct_modelstatus through
 * context.webAPI (https://learn.microsoft.com/power-apps/developer/component-framework/reference/webapi/retrievemultiplerecords).
 * Salespeople may read the model row (the solution's roles); without the WebAPI feature or the privilege the badge
 * simply shows no warning.
 */
import { invalidModelCause } from "../engine/model-status";

type WebApiLike = Pick<ComponentFramework.WebApi, "retrieveMultipleRecords">;

export const MODEL_STATUS_QUERY = `?$select=ct_modelstatus&$filter=statecode eq 0&$orderby=modifiedon desc&$top=1`;

let pending: Promise<string | null> | null = null;
let settled: { cause: string | null } | null = null;

export function clearModelStatusCache(): void {
  pending = null;
  settled = null;
}

/** The cause already known this session (undefined: not known yet). */
export function knownModelIssue(): string | null | undefined {
  return settled ? settled.cause : undefined;
}

/** The cause of an invalid active model, or null. */
export function loadModelIssue(webAPI: WebApiLike | undefined | null): Promise<string | null> {
  pending ??= fetchIssue(webAPI).then((cause) => {
    settled = { cause };
    return cause;
  });
  return pending;
}

async function fetchIssue(webAPI: WebApiLike | undefined | null): Promise<string | null> {
  if (!webAPI || typeof webAPI.retrieveMultipleRecords !== "function") return null;
  try {
    const result = await webAPI.retrieveMultipleRecords("ct_tiermodel", MODEL_STATUS_QUERY);
    return invalidModelCause((result?.entities?.[0] as Record<string, unknown> | undefined)?.ct_modelstatus);
  } catch {
    return null;
  }
}

/**
 * The tier's ct_tierpolicy (service privileges, response-time target), read once per tier per session through
 * context.webAPI (https://learn.microsoft.com/power-apps/developer/component-framework/reference/webapi/retrievemultiplerecords).
 * Without the WebAPI feature (the pcf-start harness, some hosts) the badge says the privileges are unavailable.
 */
export interface PolicyInfo {
  privileges: string | null;
  responseTimeHours: number | null;
}

export type PolicyState =
  | { status: "loading" }
  | { status: "ready"; policy: PolicyInfo | null } // null: no active policy row for the tier
  | { status: "unavailable" };

type WebApiLike = Pick<ComponentFramework.WebApi, "retrieveMultipleRecords">;

/** Per session (page): one request per tier value, shared by every badge on the page. */
const cache = new Map<number, Promise<PolicyState>>();
const settled = new Map<number, PolicyState>();

export function clearPolicyCache(): void {
  cache.clear();
  settled.clear();
}

/** The answer already known for a tier, so a later badge renders it at once. */
export function knownPolicy(tierValue: number): PolicyState | undefined {
  return settled.get(tierValue);
}

export function policyQuery(tierValue: number): string {
  return `?$select=ct_serviceprivileges,ct_responsetimehours&$filter=ct_tier eq ${Math.trunc(tierValue)} and statecode eq 0&$orderby=modifiedon desc&$top=1`;
}

export function loadPolicy(webAPI: WebApiLike | undefined | null, tierValue: number): Promise<PolicyState> {
  let pending = cache.get(tierValue);
  if (!pending) {
    pending = fetchPolicy(webAPI, tierValue).then((state) => {
      settled.set(tierValue, state);
      return state;
    });
    cache.set(tierValue, pending);
  }
  return pending;
}

async function fetchPolicy(webAPI: WebApiLike | undefined | null, tierValue: number): Promise<PolicyState> {
  if (!webAPI || typeof webAPI.retrieveMultipleRecords !== "function") return { status: "unavailable" };
  try {
    const result = await webAPI.retrieveMultipleRecords("ct_tierpolicy", policyQuery(tierValue));
    const row = result?.entities?.[0] as Record<string, unknown> | undefined;
    if (!row) return { status: "ready", policy: null };
    const text =
      typeof row.ct_serviceprivileges === "string" && row.ct_serviceprivileges.trim()
        ? row.ct_serviceprivileges.trim()
        : null;
    const hours = typeof row.ct_responsetimehours === "number" ? row.ct_responsetimehours : null;
    return { status: "ready", policy: { privileges: text, responseTimeHours: hours } };
  } catch {
    // The harness's webAPI throws "not implemented"; a user without read on ct_tierpolicy gets a 403. Either way
    // the form must not fail: the badge says the privileges are unavailable.
    return { status: "unavailable" };
  }
}

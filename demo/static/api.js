/* Dataverse Web API calls from the browser, to the sandbox that serves this page. */
/* global fetch, sessionStorage, location, Option */

let configPromise;
function config() {
  configPromise ??= fetch("/demo/config.json").then((r) => r.json());
  return configPromise;
}

/** A Web API error in Dataverse's shape ({"error":{"code","message"}}), kept readable for the status line. */
export class WebApiError extends Error {
  constructor(status, code, message) {
    super(`${message} (HTTP ${status}${code ? `, ${code}` : ""})`);
    this.status = status;
    this.code = code;
  }
}

const USER_KEY = "ct-demo-user";

/** The demo user the page acts as (sessionStorage; the server holds the tokens, the page only names the user). */
export async function demoUser() {
  const { users } = await config();
  const chosen = sessionStorage.getItem(USER_KEY);
  return users.some((u) => u.key === chosen) ? chosen : users[0].key;
}

/** Fills a <select> with the demo users; choosing one reloads the page as that user. */
export async function userSwitcher(select) {
  const { users } = await config();
  const current = await demoUser();
  for (const u of users) select.add(new Option(u.label, u.key, false, u.key === current));
  select.addEventListener("change", () => {
    sessionStorage.setItem(USER_KEY, select.value);
    location.reload();
  });
}

/**
 * One request. `path` is relative to the service root (e.g. "accounts?$select=name") or an absolute
 * @odata.nextLink. Returns { status, body, headers }.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/compose-http-requests-handle-errors
 */
export async function webApi(path, { method = "GET", body, headers = {}, pageSize } = {}) {
  const { webApi: root } = await config();
  const prefer = ['odata.include-annotations="*"'];
  if (pageSize) prefer.push(`odata.maxpagesize=${pageSize}`);
  const h = {
    Accept: "application/json",
    "OData-MaxVersion": "4.0",
    "OData-Version": "4.0",
    Prefer: prefer.join(","),
    ...headers,
  };
  if (body !== undefined) h["Content-Type"] = "application/json; charset=utf-8";
  h["X-Demo-User"] = await demoUser();
  // Next links name the Web API itself; they go through the proxy too.
  const url = /^https?:/.test(path) ? root + path.replace(/^https?:\/\/[^/]+\/api\/data\/v9\.\d\//, "") : root + path;
  const res = await fetch(url, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new WebApiError(res.status, json?.error?.code, json?.error?.message ?? res.statusText);
  return { status: res.status, body: json, headers: res.headers };
}

/** The id out of a 204 create's OData-EntityId header: …/invoices(<guid>). */
export function createdId(response) {
  const m = /\(([0-9a-f-]{36})\)$/i.exec(response.headers.get("OData-EntityId") ?? "");
  if (!m) throw new Error("The Web API did not return the new record's OData-EntityId.");
  return m[1];
}

export const formatted = (row, column) => row[`${column}@OData.Community.Display.V1.FormattedValue`];

/** Today's date in UTC (the sandbox's time zone), as date-only columns compare. */
export const todayUtc = () => new Date().toISOString().slice(0, 10);

let formPromise;
/** The account form's TierBadge binding and column metadata (GET /demo/form.json, read from solution/src). */
export function formMetadata() {
  formPromise ??= fetch("/demo/form.json").then((r) => {
    if (!r.ok) throw new Error(`/demo/form.json: HTTP ${r.status}`);
    return r.json();
  });
  return formPromise;
}

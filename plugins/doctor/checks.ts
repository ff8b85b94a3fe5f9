/**
 * The checks of `tiering doctor`, each read-only: GETs against the Web API, and two probes of the webhook that
 * change nothing (docs/deploy.md). Each result says what is wrong and what to do.
 */
import { parseModel, rankTableFromColumns, type TierModel } from "../../src/engine";
import { tierFromOption } from "../../src/engine/choices";
import type { StepRegistration } from "../../solution/scripts/steps";
import { PROBE_HEADER } from "../webhook/handler";
import { DoctorHttpError, lit, q, type DoctorClient } from "./client";

export type Status = "ok" | "warn" | "fail" | "skip";

export interface CheckResult {
  id: string;
  title: string;
  status: Status;
  detail: string;
  /** What to do (warn and fail). */
  fix?: string;
}

/** What the environment should hold: read from the solution source by the CLI. */
export interface Expectations {
  solution: { uniqueName: string; version: string };
  endpointName: string;
  placeholderUrl: string;
  steps: StepRegistration[];
  /** sdkmessageid → message name (fixed across environments). */
  messages: Record<string, string>;
  role: { name: string; privileges: { name: string; level: string }[] };
  fieldProfile: string;
}

export interface DoctorContext {
  client: DoctorClient;
  expect: Expectations;
  /** The service's application (client) ID; none: the signed-in user is checked. */
  appId?: string;
  key?: string;
  now: number;
  /** Filled as checks run. */
  state: {
    endpoint?: { id: string; url: string | null };
    user?: { id: string; name: string };
    model?: { row: Record<string, unknown>; model: TierModel };
  };
}

const ok = (id: string, title: string, detail: string): CheckResult => ({ id, title, status: "ok", detail });
const bad = (status: "warn" | "fail", id: string, title: string, detail: string, fix: string): CheckResult => ({
  id,
  title,
  status,
  detail,
  fix,
});
export const skipped = (id: string, title: string, why: string): CheckResult => ({
  id,
  title,
  status: "skip",
  detail: why,
});

const DOCS = "docs/deploy.md";

function versionParts(v: string): number[] {
  return v.split(".").map((p) => Number(p) || 0);
}
function compareVersions(a: string, b: string): number {
  const x = versionParts(a);
  const y = versionParts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export async function checkConnection(c: DoctorContext): Promise<CheckResult> {
  const title = "Sign-in";
  try {
    const who = await c.client.get<{ UserId?: string }>("WhoAmI");
    return ok("connection", title, `signed in to ${c.client.origin} as user ${who.UserId ?? "?"}`);
  } catch (e) {
    const status = e instanceof DoctorHttpError ? e.status : 0;
    return bad(
      "fail",
      "connection",
      title,
      (e as Error).message,
      status === 401 || status === 403
        ? "sign in again (az login) or pass a fresh --token for this environment"
        : "check --url: the environment's URL, e.g. https://contoso.crm.dynamics.com",
    );
  }
}

export async function checkSolution(c: DoctorContext): Promise<CheckResult> {
  const title = "Solution version";
  const { uniqueName, version } = c.expect.solution;
  const rows = await c.client.list<{ version?: string; ismanaged?: boolean }>(
    `solutions?$select=uniquename,version,ismanaged&$filter=${q(`uniquename eq ${lit(uniqueName)}`)}`,
  );
  if (rows.length === 0)
    return bad(
      "fail",
      "solution",
      title,
      `solution ${uniqueName} is not installed`,
      `import the ${uniqueName} solution zip (npm run pack; ${DOCS} step 4)`,
    );
  const installed = String(rows[0].version ?? "");
  const cmp = compareVersions(installed, version);
  if (cmp < 0)
    return bad(
      "fail",
      "solution",
      title,
      `${uniqueName} ${installed} is installed; this release is ${version}`,
      `import the ${uniqueName} ${version} solution zip as an upgrade (${DOCS} step 4)`,
    );
  if (cmp > 0)
    return bad(
      "warn",
      "solution",
      title,
      `${uniqueName} ${installed} is installed; this tiering CLI is for ${version}`,
      "use the tiering CLI of the release that was imported",
    );
  return ok("solution", title, `${uniqueName} ${installed}`);
}

/** What an admin runs to point the endpoint at the service and register the steps on it. */
function configureCommand(c: DoctorContext): string {
  return `tiering configure --url ${c.client.origin} --endpoint-url https://<function-app>.azurewebsites.net/api/webhook --key <CT_WEBHOOK_KEY>`;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

export async function checkEndpoint(c: DoctorContext): Promise<CheckResult> {
  const title = "Service endpoint";
  const name = c.expect.endpointName;
  const rows = await c.client.list<{
    serviceendpointid: string;
    url?: string | null;
    contract?: number;
    authtype?: number;
  }>(`serviceendpoints?$select=serviceendpointid,name,url,contract,authtype&$filter=${q(`name eq ${lit(name)}`)}`);
  const configure = configureCommand(c);
  if (rows.length !== 1)
    return bad(
      "fail",
      "endpoint",
      title,
      rows.length === 0 ? `no service endpoint named "${name}"` : `${rows.length} service endpoints named "${name}"`,
      rows.length === 0 ? `import the solution (${DOCS} step 4)` : "delete the copies that are not the solution's",
    );
  const e = rows[0];
  c.state.endpoint = { id: e.serviceendpointid, url: e.url ?? null };
  if (e.contract !== 8)
    return bad(
      "fail",
      "endpoint",
      title,
      `"${name}" has contract ${e.contract}, not 8 (Webhook)`,
      `re-import the solution`,
    );
  let url: URL | null = null;
  try {
    url = e.url ? new URL(e.url) : null;
  } catch {
    url = null;
  }
  if (!url || e.url === c.expect.placeholderUrl || url.hostname.endsWith(".invalid"))
    return bad(
      "fail",
      "endpoint",
      title,
      `"${name}" still sends to ${e.url ?? "(no URL)"}, the placeholder: saves fail as System Jobs`,
      configure,
    );
  if (url.protocol !== "https:" && !LOOPBACK.has(url.hostname))
    return bad("fail", "endpoint", title, `"${name}" sends to ${url.origin} over plain http`, configure);
  // 4 WebhookKey (sent as ?code=), 5 HttpHeader: the service refuses anything without its key.
  if (e.authtype !== 4 && e.authtype !== 5)
    return bad("fail", "endpoint", title, `"${name}" has auth type ${e.authtype}, which carries no key`, configure);
  return ok(
    "endpoint",
    title,
    `"${name}" sends to ${url.origin}${url.pathname} with a ${e.authtype === 4 ? "WebhookKey" : "HttpHeader"} key ` +
      "(the key itself is write-only; the webhook check tests it)",
  );
}

const set = (csv: string | null | undefined): string[] =>
  [
    ...new Set(
      (csv ?? "")
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    ),
  ].sort();
const sameSet = (a: string[], b: string[]): boolean => a.join(",") === set(b.join(",")).join(",");

interface StepRow {
  sdkmessageprocessingstepid: string;
  name: string;
  stage: number;
  mode: number;
  filteringattributes: string | null;
  statecode: number;
  _sdkmessageid_value: string | null;
  _sdkmessagefilterid_value: string | null;
}

const orFilter = (column: string, ids: string[]): string => ids.map((id) => `${column} eq ${id}`).join(" or ");

export async function checkSteps(c: DoctorContext): Promise<CheckResult> {
  const title = "Webhook steps";
  const endpoint = c.state.endpoint;
  if (!endpoint) return skipped("steps", title, "no service endpoint to look up steps for");
  const rows = await c.client.list<StepRow>(
    "sdkmessageprocessingsteps?$select=sdkmessageprocessingstepid,name,stage,mode,filteringattributes,statecode," +
      `_sdkmessageid_value,_sdkmessagefilterid_value&$filter=${q(`_eventhandler_value eq ${endpoint.id}`)}`,
  );
  const filterIds = [...new Set(rows.map((r) => r._sdkmessagefilterid_value).filter((x): x is string => !!x))];
  const filters = new Map<string, string>();
  if (filterIds.length > 0) {
    for (const f of await c.client.list<{ sdkmessagefilterid: string; primaryobjecttypecode: string }>(
      `sdkmessagefilters?$select=sdkmessagefilterid,primaryobjecttypecode&$filter=${q(orFilter("sdkmessagefilterid", filterIds))}`,
    ))
      filters.set(f.sdkmessagefilterid, f.primaryobjecttypecode);
  }
  const images = new Map<string, { name: string; imagetype: number; attributes: string | null }[]>();
  if (rows.length > 0) {
    for (const i of await c.client.list<{
      name: string;
      imagetype: number;
      attributes: string | null;
      _sdkmessageprocessingstepid_value: string;
    }>(
      "sdkmessageprocessingstepimages?$select=name,entityalias,imagetype,attributes,_sdkmessageprocessingstepid_value" +
        `&$filter=${q(
          orFilter(
            "_sdkmessageprocessingstepid_value",
            rows.map((r) => r.sdkmessageprocessingstepid),
          ),
        )}`,
    )) {
      const list = images.get(i._sdkmessageprocessingstepid_value) ?? [];
      list.push(i);
      images.set(i._sdkmessageprocessingstepid_value, list);
    }
  }
  // The solution ships no steps (issue 13): `tiering configure` registers them, upserting by their fixed ids, so it
  // also puts back a missing or changed one.
  const rerun = `run ${configureCommand(c)} (it registers the steps again)`;
  if (rows.length === 0)
    return bad(
      "fail",
      "steps",
      title,
      `no webhook steps are registered on the service endpoint (${c.expect.steps.length} expected): saves reach no one`,
      `run ${configureCommand(c)}: it registers the ${c.expect.steps.length} steps (${DOCS} step 6)`,
    );
  const byName = new Map(rows.map((r) => [r.name, r]));
  const problems: string[] = [];
  let disabled = false;
  let wrong = false;
  for (const want of c.expect.steps) {
    const row = byName.get(want.name);
    if (!row) {
      problems.push(`"${want.name}" is missing`);
      wrong = true;
      continue;
    }
    const diffs: string[] = [];
    if (row.statecode !== 0) {
      diffs.push("disabled");
      disabled = true;
    }
    const message = c.expect.messages[row._sdkmessageid_value ?? ""] ?? row._sdkmessageid_value;
    if (message !== want.message) diffs.push(`message ${message}, expected ${want.message}`);
    const entity = filters.get(row._sdkmessagefilterid_value ?? "");
    if (entity !== want.primaryEntity) diffs.push(`table ${entity ?? "none"}, expected ${want.primaryEntity}`);
    if (row.stage !== want.stage) diffs.push(`stage ${row.stage}, expected ${want.stage}`);
    if (row.mode !== want.mode) diffs.push(`mode ${row.mode}, expected ${want.mode}`);
    if (!sameSet(set(row.filteringattributes), want.filteringAttributes))
      diffs.push(
        `filtering attributes "${row.filteringattributes ?? ""}", expected "${want.filteringAttributes.join(",")}"`,
      );
    const got = images.get(row.sdkmessageprocessingstepid) ?? [];
    for (const img of want.images) {
      const have = got.find((g) => g.name === img.name);
      if (!have) diffs.push(`image "${img.name}" missing`);
      else if (have.imagetype !== img.imageType || !sameSet(set(have.attributes), img.attributes))
        diffs.push(`image "${img.name}" differs (type ${have.imagetype}, attributes "${have.attributes ?? ""}")`);
    }
    if (diffs.length > (row.statecode !== 0 ? 1 : 0)) wrong = true;
    if (diffs.length > 0) problems.push(`"${want.name}": ${diffs.join("; ")}`);
  }
  const extra = rows.filter((r) => !c.expect.steps.some((s) => s.name === r.name)).map((r) => `"${r.name}"`);
  if (problems.length > 0)
    return bad(
      "fail",
      "steps",
      title,
      problems.join(" | "),
      [
        disabled ? "enable the disabled steps (Plug-in Registration Tool)" : "",
        wrong ? `for missing or changed ones, ${rerun}` : "",
      ]
        .filter(Boolean)
        .join("; "),
    );
  if (extra.length > 0)
    return bad(
      "warn",
      "steps",
      title,
      `${c.expect.steps.length} steps as registered; not defined by this release: ${extra.join(", ")}`,
      "remove steps the solution does not define, or each save is sent twice",
    );
  return ok("steps", title, `${c.expect.steps.length} steps enabled, on the expected messages, images and columns`);
}

export async function checkUser(c: DoctorContext): Promise<CheckResult> {
  const title = "Application user";
  type UserRow = { systemuserid: string; fullname?: string; isdisabled?: boolean };
  let user: UserRow;
  if (c.appId) {
    const rows = await c.client.list<{ systemuserid: string; fullname?: string; isdisabled?: boolean }>(
      `systemusers?$select=systemuserid,fullname,isdisabled,applicationid&$filter=${q(`applicationid eq ${c.appId}`)}`,
    );
    if (rows.length === 0)
      return bad(
        "fail",
        "user",
        title,
        `no application user for application ID ${c.appId}`,
        `create it: Power Platform admin center > the environment > Settings > Users + permissions > Application users > New app user (${DOCS} step 3)`,
      );
    user = rows[0];
  } else {
    const who = await c.client.get<{ UserId: string }>("WhoAmI");
    user = await c.client.get<UserRow>(`systemusers(${who.UserId})?$select=systemuserid,fullname,isdisabled`);
  }
  c.state.user = { id: user.systemuserid, name: user.fullname ?? user.systemuserid };
  if (user.isdisabled)
    return bad("fail", "user", title, `${c.state.user.name} is disabled`, "activate the application user");
  return ok(
    "user",
    title,
    `${c.state.user.name} (${user.systemuserid})${c.appId ? "" : ": the signed-in user; pass --app-id for the service's"}`,
  );
}

export async function checkRoles(c: DoctorContext): Promise<CheckResult> {
  const title = "Security role";
  const user = c.state.user;
  if (!user) return skipped("roles", title, "no application user");
  const links = await c.client.list<{ roleid: string }>(
    `systemuserrolescollection?$select=roleid&$filter=${q(`systemuserid eq ${user.id}`)}`,
  );
  const roles =
    links.length === 0
      ? []
      : await c.client.list<{ name: string }>(
          `roles?$select=roleid,name&$filter=${q(
            orFilter(
              "roleid",
              links.map((l) => l.roleid),
            ),
          )}`,
        );
  const names = roles.map((r) => r.name);
  if (!names.includes(c.expect.role.name))
    return bad(
      "fail",
      "roles",
      title,
      `${user.name} has ${names.length ? names.map((n) => `"${n}"`).join(", ") : "no roles"}, not "${c.expect.role.name}"`,
      `assign the security role "${c.expect.role.name}" to ${user.name} (Application users > Edit security roles)`,
    );
  return ok("roles", title, `${user.name} has "${c.expect.role.name}"`);
}

const DEPTH_RANK: Record<string, number> = { Basic: 1, Local: 2, Deep: 3, Global: 4 };

export async function checkPrivileges(c: DoctorContext): Promise<CheckResult> {
  const title = "Privileges";
  const user = c.state.user;
  if (!user) return skipped("privileges", title, "no application user");
  // https://learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/retrieveuserprivileges
  const res = await c.client.get<{ RolePrivileges?: { PrivilegeName?: string; Depth?: string }[] }>(
    `systemusers(${user.id})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()`,
  );
  const held = new Map<string, number>();
  for (const p of res.RolePrivileges ?? []) {
    const name = (p.PrivilegeName ?? "").toLowerCase();
    held.set(name, Math.max(held.get(name) ?? 0, DEPTH_RANK[p.Depth ?? ""] ?? 0));
  }
  const missing = c.expect.role.privileges.filter(
    (p) => (held.get(p.name.toLowerCase()) ?? 0) < (DEPTH_RANK[p.level] ?? 4),
  );
  if (missing.length > 0)
    return bad(
      "fail",
      "privileges",
      title,
      `${user.name} lacks ${missing.map((p) => `${p.name} (${p.level})`).join(", ")}`,
      `give the role "${c.expect.role.name}" back its privileges: re-import the solution, or add them in the role editor`,
    );
  return ok("privileges", title, `all ${c.expect.role.privileges.length} privileges of "${c.expect.role.name}"`);
}

export async function checkFieldSecurity(c: DoctorContext): Promise<CheckResult> {
  const title = "Field security";
  const user = c.state.user;
  if (!user) return skipped("field-security", title, "no application user");
  const links = await c.client.list<{ fieldsecurityprofileid: string }>(
    `systemuserprofilescollection?$select=fieldsecurityprofileid&$filter=${q(`systemuserid eq ${user.id}`)}`,
  );
  const profiles =
    links.length === 0
      ? []
      : await c.client.list<{ name: string }>(
          `fieldsecurityprofiles?$select=fieldsecurityprofileid,name&$filter=${q(
            orFilter(
              "fieldsecurityprofileid",
              links.map((l) => l.fieldsecurityprofileid),
            ),
          )}`,
        );
  if (!profiles.some((p) => p.name === c.expect.fieldProfile))
    return bad(
      "fail",
      "field-security",
      title,
      `${user.name} is not in the field security profile "${c.expect.fieldProfile}": the service sees tier columns empty and cannot write them`,
      `Settings > Security > Field security profiles > "${c.expect.fieldProfile}" > Users > add ${user.name}`,
    );
  return ok("field-security", title, `${user.name} is in "${c.expect.fieldProfile}"`);
}

export async function checkModel(c: DoctorContext): Promise<CheckResult> {
  const title = "Tier model";
  const rows = await c.client.list(
    "ct_tiermodels?$select=ct_tiermodelid,ct_name,ct_modeljson,ct_cutpointsjson,ct_kpiquantilesjson,ct_lastrerankon," +
      `ct_rerankaccountcount&$filter=${q("statecode eq 0")}&$orderby=${q("modifiedon desc")}`,
  );
  if (rows.length === 0)
    return bad(
      "fail",
      "model",
      title,
      "no active tier model",
      `run the backfill: tiering rerank --url ${c.client.origin} (creates the default model; ${DOCS} step 7)`,
    );
  const row = rows[0];
  let model: TierModel;
  try {
    model = parseModel(JSON.parse(String(row.ct_modeljson ?? "")));
  } catch (e) {
    return bad(
      "fail",
      "model",
      title,
      `ct_tiermodel "${String(row.ct_name)}": ct_modeljson is not a valid model: ${(e as Error).message}`,
      "fix the model JSON on the Tier model form (docs/tier-model.md) or deactivate this row",
    );
  }
  c.state.model = { row, model };
  if (rows.length > 1)
    return bad(
      "warn",
      "model",
      title,
      `${rows.length} active tier models; the newest, "${String(row.ct_name)}", is used`,
      "deactivate the models that are not meant to be used",
    );
  return ok("model", title, `"${String(row.ct_name)}": ${model.tiers.map((t) => t.code).join(", ")}`);
}

export async function checkPolicies(c: DoctorContext): Promise<CheckResult> {
  const title = "Tier policies";
  const model = c.state.model;
  if (!model) return skipped("policies", title, "no valid tier model to compare with");
  const rows = await c.client.list<{ ct_name: string; ct_tier: number | null }>(
    `ct_tierpolicies?$select=ct_name,ct_tier&$filter=${q("statecode eq 0")}`,
  );
  const label = (r: (typeof rows)[number]): string => tierFromOption(r.ct_tier) ?? String(r.ct_tier);
  const problems: string[] = [];
  for (const tier of model.model.tiers) {
    const n = rows.filter((r) => label(r) === tier.code).length;
    if (n === 0) problems.push(`no active policy for ${tier.code}`);
    if (n > 1) problems.push(`${n} active policies for ${tier.code}`);
  }
  if (problems.length > 0)
    return bad(
      "fail",
      "policies",
      title,
      problems.join("; "),
      "keep exactly one active Tier policy per tier (Customer Tiering > Tier policies); the badge shows its privileges",
    );
  return ok("policies", title, `one active policy for each of ${model.model.tiers.map((t) => t.code).join(", ")}`);
}

/** The timer runs nightly; older than this, it has missed a night. */
const STALE_MS = 48 * 3600_000;

export async function checkRerank(c: DoctorContext): Promise<CheckResult> {
  const title = "Last re-rank";
  const model = c.state.model;
  if (!model) return skipped("rerank", title, "no valid tier model");
  const rerank = `tiering rerank --url ${c.client.origin}`;
  const last = model.row.ct_lastrerankon ? Date.parse(String(model.row.ct_lastrerankon)) : NaN;
  if (Number.isNaN(last))
    return bad(
      "fail",
      "rerank",
      title,
      "never: no cut-points, so saves cannot score accounts",
      `run the backfill: ${rerank}`,
    );
  let table;
  try {
    table = rankTableFromColumns(model.row.ct_cutpointsjson, model.row.ct_kpiquantilesjson);
  } catch (e) {
    return bad("fail", "rerank", title, (e as Error).message, `run ${rerank} to store them again`);
  }
  if (!table) return bad("fail", "rerank", title, "the model row has no stored cut-points", `run ${rerank}`);
  const when = new Date(last).toISOString();
  if (c.now - last > STALE_MS)
    return bad(
      "warn",
      "rerank",
      title,
      `${when}, more than 48 h ago: the nightly timer has not run`,
      "check the Function App's ctTieringRerank function (Monitor > Invocations) and its log",
    );
  return ok("rerank", title, `${when}, ${table.n} accounts; cut-points stored`);
}

async function post(url: URL, headers: Record<string, string>): Promise<number | string> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", [PROBE_HEADER]: "doctor", ...headers },
      body: "{}",
      signal: AbortSignal.timeout(30_000),
    });
    await res.arrayBuffer();
    return res.status;
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause;
    return cause?.code ?? (e as Error).message;
  }
}

export async function checkWebhook(c: DoctorContext): Promise<CheckResult> {
  const title = "Webhook";
  const raw = c.state.endpoint?.url;
  let url: URL;
  try {
    url = new URL(raw ?? "");
    if (url.hostname.endsWith(".invalid")) throw new Error("placeholder");
  } catch {
    return skipped("webhook", title, "no configured endpoint URL to probe");
  }
  const unsigned = await post(url, {});
  if (typeof unsigned === "string")
    return bad(
      "fail",
      "webhook",
      title,
      `${url.origin} does not answer: ${unsigned}`,
      "start the Function App (or check its URL); Dataverse's calls fail until it answers",
    );
  if (unsigned !== 401)
    return bad(
      "fail",
      "webhook",
      title,
      `an unsigned probe got HTTP ${unsigned}, not 401`,
      unsigned < 300
        ? "the service accepts calls without its key: deploy the packaged service (npm run package:service)"
        : "check that the endpoint URL points at the Customer Tiering service's /api/webhook",
    );
  if (!c.key)
    return bad(
      "warn",
      "webhook",
      title,
      "refuses an unsigned probe (401); the key was not tested",
      "pass --key with the service's CT_WEBHOOK_KEY to test it",
    );
  const signed = new URL(url);
  signed.searchParams.set("code", c.key); // as Dataverse sends a WebhookKey
  const status = await post(signed, {});
  if (status !== 200)
    return bad(
      "fail",
      "webhook",
      title,
      `a probe with --key got ${typeof status === "number" ? `HTTP ${status}` : status}`,
      status === 401
        ? `--key is not a key the service accepts: set the same key in the app setting CT_WEBHOOK_KEY and with tiering configure`
        : "see the Function App's log for the failure",
    );
  return ok("webhook", title, "refuses an unsigned probe (401), accepts a probe with the key (200)");
}

/** https://learn.microsoft.com/power-apps/developer/data-platform/api-limits */
export const LIMIT_HEADERS = {
  requests: "x-ms-ratelimit-burst-remaining-xrm-requests",
  time: "x-ms-ratelimit-time-remaining-xrm-requests",
};

export function checkApiLimits(c: DoctorContext): CheckResult {
  const title = "API limits left";
  const l = c.client.lastLimits;
  const requests = Number(l[LIMIT_HEADERS.requests]?.replace(/,/g, ""));
  const time = Number(l[LIMIT_HEADERS.time]?.replace(/,/g, ""));
  if (!Number.isFinite(requests) || !Number.isFinite(time))
    return bad(
      "warn",
      "api-limits",
      title,
      "the environment sent no x-ms-ratelimit-* headers",
      "nothing to do; run doctor again later to see the service protection headroom",
    );
  const detail = `${requests} requests and ${Math.round(time / 1000)} s of execution time left in the 5-minute window`;
  // 5 % of 6,000 requests and of 1,200 s.
  if (requests < 300 || time < 60_000)
    return bad(
      "fail",
      "api-limits",
      title,
      detail,
      "this identity is close to Dataverse's service protection limits: wait a few minutes, lower CT_RERANK_CONCURRENCY, or stop other jobs using it",
    );
  return ok("api-limits", title, detail);
}

/** Shared by the sandbox suites: an in-process sandbox on port 0 and a small Web API client. */
import { startSandbox, userTokens, type Sandbox, type SandboxOptions } from "../../local-dataverse";

/**
 * These suites test the Web API's mechanics, so they call as the System Administrator (every privilege, every
 * secured column); test/local-dataverse/security.test.ts tests roles and field security with the other users.
 */
export const ADMIN = { Authorization: `Bearer ${userTokens(undefined).admin}` };

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown> & { value?: Record<string, unknown>[]; error?: { code: string; message: string } };
}

export async function start(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ steps: [], log: () => undefined, ...options });
}

export async function call(
  sb: Sandbox,
  method: string,
  path: string,
  init: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const url = /^https?:/.test(path) ? path : sb.url + path;
  const res = await fetch(url, {
    method,
    headers: {
      Accept: "application/json",
      "OData-Version": "4.0",
      ...(init.body !== undefined ? { "Content-Type": "application/json" } : {}),
      ...ADMIN,
      ...init.headers,
    },
    body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  let json = {} as Reply["json"];
  if (text && (res.headers.get("content-type") ?? "").includes("json")) json = JSON.parse(text);
  return { status: res.status, headers: res.headers, text, json };
}

/** Creates a row and returns its id, read from the OData-EntityId header. */
export async function create(
  sb: Sandbox,
  set: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<string> {
  const r = await call(sb, "POST", set, { body, headers });
  if (r.status !== 204) throw new Error(`create ${set}: ${r.status} ${r.text}`);
  const m = /\(([0-9a-f-]{36})\)$/.exec(r.headers.get("OData-EntityId") ?? "");
  if (!m) throw new Error(`create ${set}: no OData-EntityId`);
  return m[1];
}

export const fetchXmlPath = (set: string, xml: string): string => `${set}?fetchXml=${encodeURIComponent(xml)}`;

/** A readable test GUID: `kind` tells the tables apart (1 account, 2 invoice, …), `n` the rows. */
export const testGuid = (kind: number, n: number): string =>
  `0000000${kind}-0000-4000-8000-${String(n).padStart(12, "0")}`;
export const ms = (iso: string): number => Date.parse(iso);

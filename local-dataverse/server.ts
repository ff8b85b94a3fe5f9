/**
 * The sandbox HTTP server: `http://127.0.0.1:<port>/api/data/v9.2/`, a local stand-in for a Dataverse
 * environment (development and tests only; never deployed).
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import { DataverseError, CODES } from "./errors";
import { executeBatch } from "./batch";
import { Faults, type FaultOptions } from "./faults";
import { Metadata } from "./metadata";
import { readSolutionSource } from "../solution/scripts/source-model";
import { seedSdkMessages, seedSecurity } from "./admin-seed";
import { ServiceProtection, type ServiceProtectionOptions } from "./rate-limit";
import { Security, USERS, type User } from "./security";
import { Store } from "./store";
import { loadSolutionEndpoints, registeredSteps, type ActiveStep, type StepRegistration } from "./steps";
import { type ApiRequest, type ApiResponse, errorResponse, WebApi } from "./webapi";
import { WebhookDispatcher } from "./webhooks";

export interface SandboxOptions {
  /** 0 picks a free port (tests). Default: SANDBOX_PORT or 5555 is decided by main.ts. */
  port?: number;
  /**
   * When set, every Web API request needs `Authorization: Bearer <token>`: this token is the Customer Tiering
   * service's application user; the other users' tokens are `userTokens(token)`. Unset: a request without a known
   * token acts as the service user.
   */
  token?: string;
  /** The unpacked solution the metadata, roles and field security come from (default solution/src). */
  solutionDir?: string;
  latencyMs?: number;
  fault429?: number;
  fault503?: number;
  /** Makes the 429/503 fault sequence reproducible. */
  faultSeed?: number;
  retryAfterSeconds?: number;
  /**
   * Fixed step registrations (tests that inject their own). Default: the active steps registered in the store, as in
   * Dataverse: none after the import, until `tiering configure` (plugins/register-steps.ts) registers them.
   */
  steps?: StepRegistration[];
  /** Webhook target when a step's service endpoint has no URL (with its WebhookKey, sent as `code`). */
  webhookUrl?: string;
  webhookKey?: string;
  webhookRetryDelayMs?: number;
  webhookTimeoutMs?: number;
  /** Fills the store before the server listens (export folder, state file, sample data). */
  seed?: (store: Store) => void | Promise<void>;
  /** Requests outside /api/data/ (the demo page of `npm start` hooks in here). */
  fallback?: RequestListener;
  now?: () => number;
  log?: (message: string) => void;
  /** The service protection limits reported in x-ms-ratelimit-* headers (default: Dataverse's). */
  serviceProtection?: ServiceProtectionOptions;
}

export interface Sandbox {
  /** Service root, e.g. http://127.0.0.1:5555/api/data/v9.2/ */
  url: string;
  origin: string;
  store: Store;
  api: WebApi;
  webhooks: WebhookDispatcher;
  /** Where the step registrations come from, for the start-up banner. */
  stepsSource: string;
  close(): Promise<void>;
}

/** The default caller (the service's application user), organization and business unit (WhoAmI, webhook context). */
export const SANDBOX_IDENTITY = {
  userId: USERS[0].id,
  businessUnitId: "5a9d3e42-0c7b-4f7a-9a55-0000000000b1",
  organizationId: "5a9d3e42-0c7b-4f7a-9a55-0000000000c1",
};

const MAX_BODY = 256 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new DataverseError(413, CODES.badRequest, "The request body is too large for the sandbox."));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, r: ApiResponse): void {
  res.writeHead(r.status, r.headers);
  res.end(r.body);
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? "");
  if (!m) return false;
  const a = Buffer.from(m[1].trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Each local user's bearer token: the service user's is `token` itself (SANDBOX_TOKEN, what the plugin and the CLI
 * send); the others are derived from it, so a demo page proxy can act as a person without a second secret.
 */
export function userTokens(token: string | undefined): Record<string, string> {
  const base = token ?? "local";
  return Object.fromEntries(USERS.map((u) => [u.key, u.key === "service" ? base : `${base}.${u.key}`]));
}

/** The caller a request's Authorization header names; undefined when a required token is missing or unknown. */
function callerOf(header: string | undefined, token: string | undefined): User | undefined {
  const tokens = userTokens(token);
  const known = USERS.find((u) => tokenMatches(header, tokens[u.key]));
  if (known) return known;
  return token === undefined ? USERS[0] : undefined;
}

type Log = (message: string) => void;

/** The local users as systemuser rows (WhoAmI, owners, the demo switcher). */
function loadUsers(store: Store): void {
  for (const u of USERS) {
    if (store.get("systemuser", u.id)) continue;
    store.load("systemuser", { systemuserid: u.id, fullname: u.fullname, internalemailaddress: u.email });
  }
}

/** The steps in force: the options' (fixed), else those registered in the store, read at each event. */
function resolveSteps(options: SandboxOptions, store: Store): { steps: () => ActiveStep[]; source: string } {
  if (options.steps) {
    const fixed = options.steps;
    return { steps: () => fixed, source: "options" };
  }
  return { steps: () => registeredSteps(store), source: "registered in sdkmessageprocessingsteps" };
}

/**
 * The solution's service endpoint rows, as importing it creates them; the URL and key are what `tiering configure`
 * would set (here: options.webhookUrl / webhookKey).
 */
function loadEndpoints(store: Store, options: SandboxOptions): void {
  for (const [id, name] of loadSolutionEndpoints()) {
    if (store.get("serviceendpoint", id)) continue;
    store.load("serviceendpoint", {
      serviceendpointid: id,
      name,
      url: options.webhookUrl ?? null,
      authtype: 4,
      authvalue: options.webhookKey ?? null,
      contract: 8,
    });
  }
}

function faultOptions(options: SandboxOptions): FaultOptions {
  return {
    latencyMs: options.latencyMs ?? 0,
    rate429: options.fault429 ?? 0,
    rate503: options.fault503 ?? 0,
    seed: options.faultSeed,
    retryAfterSeconds: options.retryAfterSeconds ?? 1,
  };
}

/** 401 in the shape Dataverse answers a missing or unknown bearer token. */
function sendUnauthenticated(res: ServerResponse): void {
  // https://learn.microsoft.com/power-apps/developer/data-platform/authenticate-oauth
  res.writeHead(401, { "WWW-Authenticate": 'Bearer error="invalid_token"', "Content-Type": "application/json" });
  res.end(
    JSON.stringify(
      new DataverseError(
        401,
        "0x80072560",
        "The user is not authenticated: a valid bearer token is required.",
      ).toJSON(),
    ),
  );
}

function apiRequest(req: IncomingMessage, url: URL, path: string, body: string, user: User): ApiRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k.toLowerCase()] = v;
  return { method: req.method ?? "GET", path: decodeURIComponent(path), query: url.searchParams, headers, body, user };
}

/** What serving a Web API request needs; `api` is known once the server listens (its URL carries the port). */
interface ApiContext {
  api: () => WebApi;
  options: SandboxOptions;
  faults: Faults;
  latencyMs: number;
  log: Log;
  protection: ServiceProtection;
}

function apiContext(options: SandboxOptions, log: Log, api: () => WebApi): ApiContext {
  const faultOpts = faultOptions(options);
  return {
    api,
    options,
    faults: new Faults(faultOpts),
    latencyMs: faultOpts.latencyMs,
    log,
    protection: new ServiceProtection(options.serviceProtection),
  };
}

/** One Web API request: the caller from the token, injected latency and faults, then the API or `$batch`. */
async function serveApi(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  path: string,
  ctx: ApiContext,
): Promise<void> {
  try {
    const body = await readBody(req);
    const user = callerOf(req.headers.authorization, ctx.options.token);
    if (!user) return sendUnauthenticated(res);
    if (ctx.latencyMs > 0) await new Promise((r) => setTimeout(r, ctx.latencyMs));
    const fault = ctx.faults.next();
    if (fault) return send(res, errorResponse(fault));
    const apiReq = apiRequest(req, url, path, body, user);
    const isBatch = apiReq.path === "$batch" && apiReq.method === "POST";
    const started = performance.now();
    const result = isBatch ? executeBatch(ctx.api(), apiReq) : ctx.api().handle(apiReq);
    send(res, { ...result, headers: { ...result.headers, ...ctx.protection.record(performance.now() - started) } });
  } catch (e) {
    if (e instanceof DataverseError) return send(res, errorResponse(e));
    ctx.log(`internal error on ${req.method} ${url.pathname}: ${(e as Error).stack ?? e}`);
    send(
      res,
      errorResponse(new DataverseError(500, CODES.unavailable, `Sandbox internal error: ${(e as Error).message}`)),
    );
  }
}

async function listen(server: Server, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function createWebhooks(store: Store, options: SandboxOptions, steps: () => ActiveStep[], log: Log): WebhookDispatcher {
  return new WebhookDispatcher(store, {
    steps,
    webhookUrl: options.webhookUrl,
    webhookKey: options.webhookKey,
    retryDelayMs: options.webhookRetryDelayMs ?? 1000,
    timeoutMs: options.webhookTimeoutMs ?? 60_000,
    organizationId: SANDBOX_IDENTITY.organizationId,
    organizationName: "sandbox",
    businessUnitId: SANDBOX_IDENTITY.businessUnitId,
    log,
  });
}

/** The options' seed, then what importing the solution creates; endpoints only when steps come from the store. */
async function seedStore(store: Store, options: SandboxOptions, stepsSource: string, log: Log): Promise<void> {
  if (options.seed) await options.seed(store);
  if (stepsSource !== "options") loadEndpoints(store, options);
  // The platform's message rows, and what an import creates (solution, roles, field security), for `tiering doctor`
  // and for step registration. No steps: the solution ships none.
  seedSdkMessages(store);
  try {
    seedSecurity(store, USERS);
  } catch (e) {
    log(`solution roles and profiles could not be read: ${(e as Error).message.split("\n")[0]}`);
  }
}

/** Routes /api/data/v9.x/ to the Web API, anything else to the options' fallback or a 404. */
function createSandboxServer(options: SandboxOptions, ctx: ApiContext): Server {
  // Long FetchXML GET URLs: Dataverse answers them up to about 32 KB (longer ones go in a $batch body).
  const server = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const m = /^\/api\/data\/v9\.\d\/(.*)$/.exec(url.pathname);
    if (m) return void serveApi(req, res, url, m[1], ctx);
    if (options.fallback) return options.fallback(req, res);
    const where = `Nothing at ${url.pathname}; the Web API is at /api/data/v9.2/.`;
    send(res, errorResponse(new DataverseError(404, CODES.badRequest, where)));
  });
  server.keepAliveTimeout = 5000;
  return server;
}

/** Waits for pending webhook deliveries, then closes the server and its kept-alive connections. */
async function closeSandbox(server: Server, webhooks: WebhookDispatcher): Promise<void> {
  await webhooks.idle();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const log = options.log ?? ((m: string) => process.stderr.write(`[sandbox] ${m}\n`));
  const source = readSolutionSource(options.solutionDir);
  const metadata = new Metadata(source);
  // Roles naming unknown privileges fail here, as the solution import would.
  const security = new Security(metadata, source);
  const store = new Store(metadata, options.now);
  loadUsers(store);
  const steps = resolveSteps(options, store);
  const webhooks = createWebhooks(store, options, steps.steps, log);
  await seedStore(store, options, steps.source, log);
  // The service root (with its port) is known only once listening; requests wait for that anyway.
  const ready: { api?: WebApi } = {};
  const server = createSandboxServer(
    options,
    apiContext(options, log, () => ready.api!),
  );
  const origin = await listen(server, options.port ?? 0);
  const url = `${origin}/api/data/v9.2/`;
  const api = (ready.api = new WebApi(store, url, SANDBOX_IDENTITY, security, USERS[0]));
  return { url, origin, store, api, webhooks, stepsSource: steps.source, close: () => closeSandbox(server, webhooks) };
}

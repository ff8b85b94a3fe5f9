/**
 * The demo page of `npm start`, plugged into the sandbox's `fallback` (every request outside /api/data/). It serves
 * files only: the page's own HTML/JS/CSS, the built control (what its manifest lists), the platform libraries the
 * manifest names (React 16.14.0, ReactDOM, Fluent 8 UMD bundles from node_modules, so no CDN is needed), and the form
 * metadata from solution/src. All account data reaches the page through the local Dataverse's Web API, by way of
 * /demo/api/: the page names a demo user (X-Demo-User, not a secret) and this proxy attaches that user's bearer token
 * server-side, so the page never holds a credential (issue 17).
 */
import { request } from "node:http";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { dirname, extname, join, normalize, sep } from "node:path";
import { repoRoot } from "../solution/scripts/source-dir";
import { readFormMetadata, type FormMetadata } from "./form-metadata";
import { readDashboardDefinition, type DashboardDefinition } from "./dashboard-definition";

export interface DemoOptions {
  /** The TierBadge build folder holding ControlManifest.xml and bundle.js (default: out/controls/control). */
  controlDir?: string;
  /** Each demo user's bearer token by user key (local-dataverse userTokens); never sent to the page. */
  tokens?: Record<string, string>;
  /** Resolves when the sandbox has delivered every webhook queued so far (the sandbox's `webhooks.idle()`). */
  webhooksIdle?: () => Promise<void>;
}

/** How long GET /demo/webhooks-idle waits before answering 504 (the plugin answers within 60 s, as Dataverse requires). */
const IDLE_WAIT_MS = 60_000;

/** The people the page can switch between (local-dataverse/security.ts USERS), default first. */
export const DEMO_USERS = [
  { key: "salesops", label: "Sales ops (tier writers, Tier model manager)" },
  { key: "salesperson", label: "Salesperson (tier readers)" },
  { key: "salesperson-restricted", label: "Salesperson without the tier profile" },
  { key: "manager", label: "Sales manager (tier readers)" },
];

const PROXY = "/demo/api/";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".resx": "application/xml; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** The platform libraries the manifest declares, as the globals a Dataverse host would provide. */
const LIBRARIES: Record<string, string> = {
  "react.js": "react/umd/react.production.min.js",
  "react-dom.js": "react-dom/umd/react-dom.production.min.js",
  "fluentui-react.js": "@fluentui/react/dist/fluentui-react.min.js",
};

export function createDemoHandler(options: DemoOptions = {}): RequestListener {
  const root = repoRoot(__dirname);
  // Static files live next to the source (tsc copies no assets), found from the repository root in both layouts.
  const staticDir = join(root, "demo", "static");
  // pcf-scripts builds each control folder into out/controls/<folder>: the TierBadge is src/control.
  const controlDir = options.controlDir ?? join(root, "out", "controls", "control");
  const staticFiles = new Set(readdirSync(staticDir));
  let form: FormMetadata | undefined;
  let dashboard: DashboardDefinition | undefined;

  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname.startsWith(PROXY)) return proxy(req, res, url, options.tokens ?? {});
    if (req.method !== "GET" && req.method !== "HEAD")
      return send(res, 405, "text/plain; charset=utf-8", "Only GET outside /api/data/.", { Allow: "GET, HEAD" });
    const path = url.pathname;
    try {
      if (path === "/" || path === "/index.html") return sendFile(res, join(staticDir, "index.html"));
      if (path === "/account") return sendFile(res, join(staticDir, "account.html"));
      if (path === "/dashboard") return sendFile(res, join(staticDir, "dashboard.html"));
      if (path === "/policies") return sendFile(res, join(staticDir, "policies.html"));
      if (path.startsWith("/static/")) {
        const name = path.slice("/static/".length);
        return staticFiles.has(name) ? sendFile(res, join(staticDir, name)) : notFound(res, path);
      }
      if (path.startsWith("/lib/")) {
        const lib = LIBRARIES[path.slice("/lib/".length)];
        // By file path: @fluentui/react's package exports do not list its UMD bundle.
        return lib ? sendFile(res, join(root, "node_modules", lib)) : notFound(res, path);
      }
      if (path.startsWith("/control/"))
        return sendControlFile(res, controlDir, decodeURIComponent(path.slice("/control/".length)));
      if (path === "/demo/form.json") {
        form ??= readFormMetadata();
        return send(res, 200, TYPES[".json"], JSON.stringify(form));
      }
      // The dashboard's charts and lists with their own FetchXML, read from solution/src (the same files as the zip).
      if (path === "/demo/dashboard.json") {
        dashboard ??= readDashboardDefinition();
        return send(res, 200, TYPES[".json"], JSON.stringify(dashboard));
      }
      // Sandbox-only: lets the page tell "the plugin changed nothing" from "the plugin has not answered yet".
      if (path === "/demo/webhooks-idle") {
        if (!options.webhooksIdle)
          return send(res, 404, "text/plain; charset=utf-8", "No webhook dispatcher to wait for.");
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), IDLE_WAIT_MS)));
        void Promise.race([options.webhooksIdle().then(() => true), timeout]).then((idle) => {
          clearTimeout(timer);
          send(res, idle ? 200 : 504, TYPES[".json"], JSON.stringify({ idle }));
        });
        return;
      }
      if (path === "/demo/config.json") {
        return send(res, 200, TYPES[".json"], JSON.stringify({ webApi: `${PROXY}data/v9.2/`, users: DEMO_USERS }));
      }
      return notFound(res, path);
    } catch (e) {
      return send(res, 500, "text/plain; charset=utf-8", `Demo page error: ${(e as Error).message}`);
    }
  };
}

/**
 * Forwards a page request under /demo/api/ to the local Dataverse on this same server (/api/...), as the demo user
 * the X-Demo-User header names, with that user's token added here.
 */
function proxy(req: IncomingMessage, res: ServerResponse, url: URL, tokens: Record<string, string>): void {
  const user = String(req.headers["x-demo-user"] ?? DEMO_USERS[0].key);
  if (!DEMO_USERS.some((u) => u.key === user) || !tokens[user])
    return send(res, 400, "text/plain; charset=utf-8", `No demo user '${user}'.`);
  const headers: Record<string, string | string[] | undefined> = {
    ...req.headers,
    authorization: `Bearer ${tokens[user]}`,
  };
  delete headers["x-demo-user"];
  delete headers.host;
  const upstream = request(
    {
      host: "127.0.0.1",
      port: req.socket.localPort,
      method: req.method,
      path: `/api/${url.pathname.slice(PROXY.length)}${url.search}`,
      headers,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", (e) => send(res, 502, "text/plain; charset=utf-8", `Demo proxy: ${e.message}`));
  req.pipe(upstream);
}

/** Only what the built manifest lists (code, css, resx) and the manifest itself: nothing else under the folder. */
function sendControlFile(res: ServerResponse, controlDir: string, relative: string): void {
  const manifest = join(controlDir, "ControlManifest.xml");
  if (!existsSync(manifest)) {
    return send(
      res,
      503,
      "text/plain; charset=utf-8",
      `The control is not built (${manifest} is missing): run npm run build.`,
    );
  }
  if (relative === "ControlManifest.xml") return sendFile(res, manifest);
  const listed = [...readFileSync(manifest, "utf8").matchAll(/<(?:code|css|resx)\s[^>]*path="([^"]+)"/g)].map((m) =>
    normalize(m[1]),
  );
  const wanted = normalize(relative);
  if (!listed.includes(wanted) || wanted.startsWith("..") || wanted.includes(`..${sep}`))
    return notFound(res, `/control/${relative}`);
  return sendFile(res, join(controlDir, wanted));
}

function sendFile(res: ServerResponse, file: string): void {
  if (!existsSync(file)) return notFound(res, file.slice(dirname(file).length + 1));
  send(res, 200, TYPES[extname(file)] ?? "application/octet-stream", readFileSync(file));
}

function notFound(res: ServerResponse, what: string): void {
  send(res, 404, "text/plain; charset=utf-8", `Not found: ${what}`);
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "Content-Type": type,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    ...headers,
  });
  res.end(res.req?.method === "HEAD" ? undefined : body);
}

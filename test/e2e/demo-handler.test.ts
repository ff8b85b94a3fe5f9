/**
 * The demo page's server side (sandbox/demo/handler.ts) behind the sandbox's fallback: it serves the page, only the
 * files the control's manifest lists, the platform libraries from node_modules and the form metadata from the
 * solution; the Web API stays the sandbox's.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { startSandbox, type Sandbox } from "../../local-dataverse";
import { createDemoHandler } from "../../demo/handler";
import { TIER_OPTIONS } from "../../src/engine/choices";

const CONTROL_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "ct-demo-handler-"));
let sandbox: Sandbox;
let missing: Sandbox;

beforeAll(async () => {
  fs.mkdirSync(path.join(CONTROL_DIR, "css"));
  fs.writeFileSync(
    path.join(CONTROL_DIR, "ControlManifest.xml"),
    `<manifest><control namespace="N" constructor="C"><resources><code path="bundle.js" order="1"/><css path="css/c.css" order="1"/></resources></control></manifest>`,
  );
  fs.writeFileSync(path.join(CONTROL_DIR, "bundle.js"), "/* bundle */");
  fs.writeFileSync(path.join(CONTROL_DIR, "css", "c.css"), ".c{}");
  fs.writeFileSync(path.join(CONTROL_DIR, "not-listed.txt"), "secret");
  sandbox = await startSandbox({
    port: 0,
    steps: [],
    fallback: createDemoHandler({ controlDir: CONTROL_DIR }),
    log: () => undefined,
  });
  missing = await startSandbox({
    port: 0,
    steps: [],
    fallback: createDemoHandler({ controlDir: path.join(CONTROL_DIR, "nope") }),
    log: () => undefined,
  });
});

afterAll(async () => {
  await sandbox.close();
  await missing.close();
  fs.rmSync(CONTROL_DIR, { recursive: true, force: true });
});

/** A raw request: the path goes out exactly as written (fetch would resolve "..", a browser too, an attacker not). */
function raw(origin: string, method: string, rawPath: string): Promise<{ status: number; type: string; body: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, method, path: rawPath }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("pages, scripts and styles of the demo", async () => {
  const index = await raw(sandbox.origin, "GET", "/");
  expect(index).toMatchObject({ status: 200, type: "text/html; charset=utf-8" });
  expect(index.body).toContain('<script type="module" src="/static/list.js">');
  expect(await raw(sandbox.origin, "GET", "/account?id=x")).toMatchObject({
    status: 200,
    type: "text/html; charset=utf-8",
  });
  expect(await raw(sandbox.origin, "GET", "/static/host.js")).toMatchObject({
    status: 200,
    type: "text/javascript; charset=utf-8",
  });
  expect(await raw(sandbox.origin, "GET", "/static/app.css")).toMatchObject({
    status: 200,
    type: "text/css; charset=utf-8",
  });
  expect((await raw(sandbox.origin, "GET", "/static/../handler.ts")).status).toBe(404);
  expect((await raw(sandbox.origin, "POST", "/")).status).toBe(405);
  expect((await raw(sandbox.origin, "GET", "/nothing-here")).status).toBe(404);
});

test("the control: only what its manifest lists; a clear message when it is not built", async () => {
  expect(await raw(sandbox.origin, "GET", "/control/ControlManifest.xml")).toMatchObject({
    status: 200,
    type: "application/xml; charset=utf-8",
  });
  expect(await raw(sandbox.origin, "GET", "/control/bundle.js")).toMatchObject({ status: 200, body: "/* bundle */" });
  expect(await raw(sandbox.origin, "GET", "/control/css/c.css")).toMatchObject({ status: 200, body: ".c{}" });
  expect((await raw(sandbox.origin, "GET", "/control/not-listed.txt")).status).toBe(404);
  expect((await raw(sandbox.origin, "GET", "/control/../../package.json")).status).toBe(404);
  expect((await raw(sandbox.origin, "GET", "/control/css/../not-listed.txt")).status).toBe(404);
  expect((await raw(sandbox.origin, "GET", "/control/css/%2e%2e/not-listed.txt")).status).toBe(404);
  const notBuilt = await raw(missing.origin, "GET", "/control/bundle.js");
  expect(notBuilt.status).toBe(503);
  expect(notBuilt.body).toContain("npm run build");
});

test("platform libraries come from node_modules at the manifest's versions", async () => {
  const react = await raw(sandbox.origin, "GET", "/lib/react.js");
  expect(react.status).toBe(200);
  expect(react.body).toContain('"16.14.0"');
  expect((await raw(sandbox.origin, "GET", "/lib/react-dom.js")).status).toBe(200);
  const fluent = await raw(sandbox.origin, "GET", "/lib/fluentui-react.js");
  expect(fluent.status).toBe(200);
  expect(fluent.body.startsWith("var FluentUIReact;")).toBe(true);
  expect((await raw(sandbox.origin, "GET", "/lib/lodash.js")).status).toBe(404);
});

test("form metadata: the main account form's binding and the solution's choices", async () => {
  const res = await fetch(`${sandbox.origin}/demo/form.json`);
  const form = (await res.json()) as {
    bound: Record<string, string>;
    statics: Record<string, string>;
    columns: Record<string, { Options?: { Label: string; Value: number }[]; format: string }>;
    entitySets: Record<string, string>;
  };
  expect(form.bound).toMatchObject({
    tier: "ct_tier",
    score: "ct_tierscore",
    nextTouchDue: "ct_nexttouchdue",
    reason: "ct_tierreason",
  });
  expect(form.statics).toEqual({ layout: "auto" });
  expect(form.columns.ct_tier.Options?.map((o) => [o.Label, o.Value])).toEqual(Object.entries(TIER_OPTIONS));
  expect(form.columns.ct_nexttouchdue.format).toBe("date");
  expect(form.entitySets.ct_tierpolicy).toBe("ct_tierpolicies");
});

test("the Web API is still the sandbox's", async () => {
  const res = await fetch(`${sandbox.url}WhoAmI`);
  expect(res.status).toBe(200);
  await expect(res.json()).resolves.toHaveProperty("UserId");
});

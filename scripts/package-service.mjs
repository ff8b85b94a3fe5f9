// `npm run package:service`: the Function App as one zip for `az functionapp deployment source config-zip`.
//   index.js      the service bundled by esbuild (webhook HTTP trigger + re-rank timer, plugins/functions-main.ts)
//   host.json     the repository's host.json
//   package.json  main: index.js, and @azure/functions as the one dependency
//   node_modules/ @azure/functions and what it needs (production only): the Functions worker supplies
//                 @azure/functions-core to that package, so it must stay a package of its own, not inlined.
// The tier defaults (solution/data/defaults.json) are embedded, validated, at package time: a deployed Function has
// no repository to read. https://learn.microsoft.com/azure/azure-functions/deployment-zip-push
// https://learn.microsoft.com/azure/azure-functions/functions-reference-node?pivots=nodejs-model-v4#folder-structure
import { build } from "esbuild";
import { zipSync } from "fflate";
import { createRequire } from "node:module";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const EXTERNAL = ["@azure/functions", "@azure/functions-core"];

function fail(message) {
  process.stderr.write(`package:service: ${message}\n`);
  process.exit(1);
}

/** The defaults as a module: validated by the same reader the repository uses (dist/, built by build:node). */
function defaultsModule() {
  let read;
  try {
    ({ readDefaults: read } = require(join(root, "dist", "solution", "scripts", "defaults.js")));
  } catch (e) {
    fail(`dist/solution/scripts/defaults.js is missing (run npm run build:node first): ${e.message}`);
  }
  const text = JSON.stringify(JSON.stringify(read()));
  return `export function defaultsFile() { return "solution/data/defaults.json (packaged)"; }
export function readDefaults() { return JSON.parse(${text}); }
`;
}

const embedDefaults = {
  name: "embed-defaults",
  setup(b) {
    b.onResolve({ filter: /solution[\\/]scripts[\\/]defaults$/ }, () => ({ path: "defaults", namespace: "embedded" }));
    b.onLoad({ filter: /.*/, namespace: "embedded" }, () => ({ contents: defaultsModule(), loader: "js" }));
  },
};

/** A package and every package it depends on, as installed (hoisted or nested) under node_modules. */
function closure(name, from = root, seen = new Map()) {
  let dir = from;
  for (;;) {
    const candidate = join(dir, "node_modules", name);
    try {
      statSync(join(candidate, "package.json"));
      dir = candidate;
      break;
    } catch {
      const up = dirname(dir);
      if (up === dir) fail(`${name} is not installed (run npm ci)`);
      dir = up;
    }
  }
  if (seen.has(dir)) return seen;
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  seen.set(dir, pkg);
  for (const dep of Object.keys(pkg.dependencies ?? {})) closure(dep, dir, seen);
  return seen;
}

function filesUnder(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) filesUnder(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

const started = Date.now();
const bundle = await build({
  entryPoints: [join(root, "plugins", "functions-main.ts")],
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  external: EXTERNAL,
  plugins: [embedDefaults],
  write: false,
  minify: true,
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
});
const code = bundle.outputFiles[0].contents;
// Nothing in the bundle may look for the repository: the defaults are embedded, and nothing else reads it.
for (const marker of ["Solution.xml", 'defaults.json")', "repoRoot"]) {
  if (Buffer.from(code).includes(marker)) fail(`the bundle still refers to the repository (${marker})`);
}

const appPkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const files = {
  "index.js": code,
  "host.json": readFileSync(join(root, "host.json")),
  "package.json": Buffer.from(
    JSON.stringify(
      {
        name: "customer-tiering-service",
        version: appPkg.version,
        private: true,
        main: "index.js",
        engines: appPkg.engines,
        dependencies: { "@azure/functions": appPkg.dependencies["@azure/functions"] },
      },
      null,
      2,
    ) + "\n",
  ),
};
for (const dir of closure("@azure/functions").keys()) {
  for (const f of filesUnder(dir)) {
    const rel = relative(root, f).split("\\").join("/");
    // Nested node_modules of a dependency are reached through closure() on their own.
    if (relative(dir, f).split(/[\\/]/).includes("node_modules")) continue;
    if (/\.(md|map|ts)$/i.test(rel) && !rel.endsWith("package.json")) continue;
    files[rel] = readFileSync(f);
  }
}

const out = resolve(root, process.argv[2] ?? join("dist", "customer-tiering-service.zip"));
mkdirSync(dirname(out), { recursive: true });
const zip = zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, [new Uint8Array(v), { level: 9 }]])), {
  mtime: new Date("2026-01-01T00:00:00Z"),
});
writeFileSync(out, zip);
process.stdout.write(
  `${relative(process.cwd(), out)}: ${(zip.length / 1024).toFixed(0)} KiB, ${Object.keys(files).length} files ` +
    `(index.js ${(code.length / 1024).toFixed(0)} KiB) in ${Date.now() - started} ms\n`,
);

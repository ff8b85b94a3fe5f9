// `npm run package:service`: the Function App as one zip for `az functionapp deployment source config-zip`.
//   index.js      the service bundled by esbuild (webhook HTTP trigger + re-rank timer, plugins/functions-main.ts)
//   host.json     the repository's host.json
//   package.json  main: index.js, and @azure/functions as the one dependency
//   node_modules/ @azure/functions and what it needs (production only): the Functions worker supplies
//                 @azure/functions-core to that package, so it must stay a package of its own, not inlined.
// The tier defaults come compiled in (plugins/dataverse/schema.generated.ts); the bundle is checked for anything that
// would look for the repository, which a deployed Function does not have. https://learn.microsoft.com/azure/azure-functions/deployment-zip-push
// https://learn.microsoft.com/azure/azure-functions/functions-reference-node?pivots=nodejs-model-v4#folder-structure
import { build } from "esbuild";
import { zipSync } from "fflate";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const EXTERNAL = ["@azure/functions", "@azure/functions-core"];

function fail(message) {
  process.stderr.write(`package:service: ${message}\n`);
  process.exit(1);
}

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
  write: false,
  minify: true,
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
});
const code = bundle.outputFiles[0].contents;
// Nothing in the bundle may look for the repository (solution/src, solution/data): a deployed Function has none.
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

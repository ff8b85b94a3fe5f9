/**
 * Packs solution/src (the layout `pac solution unpack` writes) and the built controls into importable
 * solution zips, the way SolutionPackager does, without .NET:
 *   [Content_Types].xml, solution.xml, customizations.xml, Controls/<prefix>_<namespace>.<constructor>/...
 * The same input gives byte-identical zips: entries sorted, fixed timestamps, no host-dependent attributes.
 * https://learn.microsoft.com/power-platform/alm/solution-packager-tool
 *
 * Usage: node dist/solution/scripts/pack.js [--control out/controls] [--out solution/bin]
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { zipSync, type Zippable } from "fflate";
import { repoRoot } from "./source-dir";
import { XMLValidator } from "fast-xml-parser";

export interface PackInput {
  /** solution/src */
  srcDir: string;
  /** `pcf-scripts build`'s out/controls: a folder per control (ControlManifest.xml, bundle.js, the resources it names). */
  controlDir: string;
  /** package.json version (x.y.z); the solution version becomes x.y.z.0. */
  version: string;
  managed: boolean;
}

const XSI_DECL = ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

function readText(file: string): string {
  return readFileSync(file, "utf8").replace(/^\uFEFF/, "");
}

/** The document without its XML declaration, trimmed. */
function body(text: string): string {
  return text.replace(/^\s*<\?xml[^>]*\?>/, "").trim();
}

/** The content between the root element's start and end tags ("" for a self-closing root). */
function innerOf(text: string, root: string, file: string): string {
  const doc = body(text);
  const open = new RegExp(`^<${root}(\\s[^>]*?)?(/?)>`).exec(doc);
  if (!open) throw new Error(`${file}: the root element is not <${root}>`);
  if (open[2] === "/") return "";
  const close = `</${root}>`;
  if (!doc.endsWith(close)) throw new Error(`${file}: does not end with ${close}`);
  return doc.slice(open[0].length, doc.length - close.length).trim();
}

/** Replaces the one self-closing placeholder `<name />` of a document, failing loudly when it is not there once. */
function fill(doc: string, name: string, content: string, file: string): string {
  const placeholder = `<${name} />`;
  const at = doc.indexOf(placeholder);
  if (at < 0 || doc.indexOf(placeholder, at + 1) >= 0) {
    throw new Error(`${file}: expected exactly one ${placeholder} to fill`);
  }
  return doc.slice(0, at) + `<${name}>${content}</${name}>` + doc.slice(at + placeholder.length);
}

function sortedFiles(dir: string, ext = ".xml"): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith(ext) && statSync(join(dir, f)).isFile())
    .sort();
}

function sortedDirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => statSync(join(dir, f)).isDirectory())
    .sort();
}

/** One entity of Entities/<Name>/: Entity.xml with its forms (FormXml/<type>/*.xml) and views (SavedQueries/*.xml) put back in. */
function entityXml(entityDir: string): string {
  const file = join(entityDir, "Entity.xml");
  let doc = dropXsiDecl(body(readText(file)));
  const formTypes = sortedDirs(join(entityDir, "FormXml"));
  if (formTypes.length > 0) {
    const forms = formTypes
      .map((type) => {
        const dir = join(entityDir, "FormXml", type);
        const systemforms = sortedFiles(dir)
          .filter((f) => !f.endsWith("_managed.xml"))
          .map((f) => innerOf(readText(join(dir, f)), "forms", join(dir, f)));
        return `<forms type="${type}">${systemforms.join("")}</forms>`;
      })
      .join("");
    doc = fill(doc, "FormXml", forms, file);
  }
  const viewDir = join(entityDir, "SavedQueries");
  const views = sortedFiles(viewDir).map((f) => innerOf(readText(join(viewDir, f)), "savedqueries", join(viewDir, f)));
  if (views.length > 0) doc = fill(doc, "SavedQueries", `<savedqueries>${views.join("")}</savedqueries>`, file);
  // System charts: Visualizations/{id}.xml, each a <visualization>, listed under the entity like its views.
  const charts = elementsOf(join(entityDir, "Visualizations"));
  if (charts.length > 0) doc = fill(doc, "Visualizations", charts.join(""), file);
  const ribbon = join(entityDir, "RibbonDiff.xml");
  if (existsSync(ribbon)) doc = fill(doc, "RibbonDiffXml", innerOf(readText(ribbon), "RibbonDiffXml", ribbon), file);
  return doc;
}

/** A document's root start tag without the xsi namespace declaration (the packed file declares it once, on its root). */
function dropXsiDecl(doc: string): string {
  const end = doc.indexOf(">");
  return doc.slice(0, end).replace(XSI_DECL, "") + doc.slice(end);
}

/** Root elements of every file of a folder, each without its XML declaration. */
/** The root elements of a folder's XML files, in file name order, without their own xsi declarations. */
export function elementsOf(dir: string): string[] {
  return sortedFiles(dir).map((f) => dropXsiDecl(body(readText(join(dir, f)))));
}

/** ControlManifest.xml.data.xml (attribute form in source) → <CustomControl><Name/><FileName/></CustomControl>. */
function customControlsXml(srcDir: string): string[] {
  return sortedDirs(join(srcDir, "Controls")).map((name) => {
    const file = join(srcDir, "Controls", name, "ControlManifest.xml.data.xml");
    const doc = body(readText(file));
    const declared = /^<CustomControl\s+Name="([^"]+)"/.exec(doc)?.[1];
    if (declared !== name) throw new Error(`${file}: Name="${declared ?? ""}" differs from its folder ${name}`);
    return `<CustomControl><Name>${name}</Name><FileName>/Controls/${name}/ControlManifest.xml</FileName></CustomControl>`;
  });
}

/** Dashboards/{id}.xml (a systemform of type 0 in a <forms> envelope) → <Dashboard> with the systemform's content. */
function dashboardsXml(srcDir: string): string[] {
  const dir = join(srcDir, "Dashboards");
  return sortedFiles(dir).map((f) => {
    const file = join(dir, f);
    const systemform = innerOf(innerOf(readText(file), "forms", file), "systemform", file);
    return `<Dashboard>${systemform}</Dashboard>`;
  });
}

/** AppModules/<name>/AppModule.xml and AppModuleSiteMaps/<name>/AppModuleSiteMap.xml: one root element per folder. */
function folderElements(srcDir: string, folder: string, fileName: string): string[] {
  return sortedDirs(join(srcDir, folder)).map((name) => {
    const file = join(srcDir, folder, name, fileName);
    if (!existsSync(file)) throw new Error(`${join(srcDir, folder, name)}: ${fileName} is missing`);
    return dropXsiDecl(body(readText(file)));
  });
}

/** customizations.xml: Other/Customizations.xml with every extracted component folder merged back in. */
export function buildCustomizationsXml(srcDir: string): string {
  const file = join(srcDir, "Other", "Customizations.xml");
  let doc = body(readText(file));
  const entities = sortedDirs(join(srcDir, "Entities")).map((d) => entityXml(join(srcDir, "Entities", d)));
  doc = fill(doc, "Entities", entities.join(""), file);
  doc = fill(doc, "Roles", elementsOf(join(srcDir, "Roles")).join(""), file);
  const fsp = join(srcDir, "Other", "FieldSecurityProfiles.xml");
  if (existsSync(fsp))
    doc = fill(doc, "FieldSecurityProfiles", innerOf(readText(fsp), "FieldSecurityProfiles", fsp), file);
  const relDir = join(srcDir, "Other", "Relationships");
  const relationships = sortedFiles(relDir).map((f) =>
    innerOf(readText(join(relDir, f)), "EntityRelationships", join(relDir, f)),
  );
  doc = fill(doc, "EntityRelationships", relationships.join(""), file);
  doc = fill(doc, "optionsets", elementsOf(join(srcDir, "OptionSets")).join(""), file);
  doc = fill(doc, "Dashboards", dashboardsXml(srcDir).join(""), file);
  doc = fill(
    doc,
    "AppModuleSiteMaps",
    folderElements(srcDir, "AppModuleSiteMaps", "AppModuleSiteMap.xml").join(""),
    file,
  );
  doc = fill(doc, "AppModules", folderElements(srcDir, "AppModules", "AppModule.xml").join(""), file);
  doc = fill(doc, "CustomControls", customControlsXml(srcDir).join(""), file);
  // No SdkMessageProcessingSteps: the webhook steps live in solution/steps and `tiering configure` registers them
  // once the endpoint has its URL and key, so an import alone queues no System Job (issue 13).
  return `<?xml version="1.0" encoding="utf-8"?>\n${doc}\n`;
}

/** x.y.z (package.json) → x.y.z.0, the four-part version Dataverse wants. */
export function solutionVersion(version: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m) throw new Error(`package.json version "${version}" is not x.y.z; a solution version has four numeric parts`);
  return `${m[1]}.${m[2]}.${m[3]}.0`;
}

/** solution.xml: Other/Solution.xml with the version and the package type (0 unmanaged, 1 managed). */
export function buildSolutionXml(srcDir: string, version: string, managed: boolean): string {
  const file = join(srcDir, "Other", "Solution.xml");
  const doc = body(readText(file));
  const once = (re: RegExp, what: string): void => {
    if ((doc.match(re) ?? []).length !== 1) throw new Error(`${file}: expected exactly one <${what}>`);
  };
  once(/<Version>[^<]*<\/Version>/g, "Version");
  once(/<Managed>[^<]*<\/Managed>/g, "Managed");
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    doc
      .replace(/<Version>[^<]*<\/Version>/, `<Version>${solutionVersion(version)}</Version>`)
      .replace(/<Managed>[^<]*<\/Managed>/, `<Managed>${managed ? 1 : 0}</Managed>`) +
    "\n"
  );
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p).split(sep).join("/"));
    }
  };
  walk(dir);
  return out;
}

/** A built control: its folder and the solution name its manifest gives (`<prefix>_<namespace>.<constructor>`). */
interface BuiltControl {
  dir: string;
  manifestFile: string;
  manifest: string;
  name: string;
}

/**
 * The built controls under `controlDir`: pcf-scripts writes one folder per control folder of the project
 * (out/controls/control, out/controls/model-editor); a folder holding ControlManifest.xml itself is one control.
 */
function builtControls(controlDir: string, prefix: string | undefined): BuiltControl[] {
  const dirs = existsSync(join(controlDir, "ControlManifest.xml"))
    ? [controlDir]
    : sortedDirs(controlDir)
        .map((d) => join(controlDir, d))
        .filter((d) => existsSync(join(d, "ControlManifest.xml")));
  if (dirs.length === 0) {
    throw new Error(
      `${join(controlDir, "ControlManifest.xml")} is missing: build the control first (npx pcf-scripts build --buildMode production)`,
    );
  }
  return dirs.map((dir) => {
    const manifestFile = join(dir, "ControlManifest.xml");
    const manifest = readText(manifestFile);
    const control = /<control\s[^>]*>/.exec(manifest)?.[0] ?? "";
    const ns = /\snamespace="([^"]+)"/.exec(control)?.[1];
    const ctor = /\sconstructor="([^"]+)"/.exec(control)?.[1];
    return { dir, manifestFile, manifest, name: `${prefix}_${ns}.${ctor}` };
  });
}

/** Every control's files for Controls/<name>/: each solution control built, and nothing built that it lacks. */
export function controlFiles(srcDir: string, controlDir: string): Map<string, Uint8Array> {
  const names = sortedDirs(join(srcDir, "Controls"));
  if (names.length === 0) throw new Error(`${join(srcDir, "Controls")}: no control folder`);
  const prefix = /<CustomizationPrefix>([^<]+)<\/CustomizationPrefix>/.exec(
    readText(join(srcDir, "Other", "Solution.xml")),
  )?.[1];
  const built = builtControls(controlDir, prefix);
  for (const b of built) {
    if (!names.includes(b.name))
      throw new Error(
        `${b.manifestFile}: control ${b.name} (publisher prefix ${prefix}) is not in solution/src/Controls`,
      );
  }
  const files = new Map<string, Uint8Array>();
  for (const name of names) {
    const b = built.find((c) => c.name === name);
    if (!b)
      throw new Error(`Controls/${name}: not built in ${controlDir} (npx pcf-scripts build --buildMode production)`);
    for (const rel of listFiles(b.dir)) files.set(`Controls/${name}/${rel}`, readFileSync(join(b.dir, rel)));
    // Every resource the manifest names must travel with it, or the control fails to load after import.
    const resources = [...b.manifest.matchAll(/<(code|css|resx|img|html)\s[^>]*\bpath="([^"]+)"/g)].map((m) => m[2]);
    if (resources.length === 0) throw new Error(`${b.manifestFile}: names no code resource`);
    for (const r of resources) {
      if (!files.has(`Controls/${name}/${r}`))
        throw new Error(`${b.manifestFile} names ${r}, which is not in ${b.dir}`);
    }
  }
  return files;
}

/** [Content_Types].xml as Dataverse exports it: xml as text/xml, anything else and the control manifests as octet-stream. */
export function contentTypesXml(paths: string[]): string {
  const exts = [
    ...new Set(paths.map((p) => /\.([^./]+)$/.exec(p)?.[1]?.toLowerCase()).filter((e): e is string => !!e)),
  ].sort();
  const defaults = exts.map(
    (e) => `<Default Extension="${e}" ContentType="${e === "xml" ? "text/xml" : "application/octet-stream"}" />`,
  );
  const overrides = paths
    .filter((p) => p.startsWith("Controls/") && p.toLowerCase().endsWith(".xml"))
    .sort()
    .map((p) => `<Override PartName="/${p}" ContentType="application/octet-stream" />`);
  return `<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">${[...defaults, ...overrides].join("")}</Types>`;
}

/**
 * 1980-01-01 00:00 in the local time zone, made at each call: fflate writes DOS timestamps from local time
 * fields, so a fixed instant would give different bytes in another time zone.
 */
const fixedMtime = (): Date => new Date(1980, 0, 1, 0, 0, 0);

/** The solution zip's entries, path → bytes, before zipping. */
export function solutionEntries(input: PackInput): Map<string, Uint8Array> {
  const enc = new TextEncoder();
  const files = new Map<string, Uint8Array>(controlFiles(input.srcDir, input.controlDir));
  files.set("customizations.xml", enc.encode(buildCustomizationsXml(input.srcDir)));
  files.set("solution.xml", enc.encode(buildSolutionXml(input.srcDir, input.version, input.managed)));
  for (const [path, bytes] of files) {
    if (path.endsWith(".xml")) {
      const check = XMLValidator.validate(new TextDecoder().decode(bytes));
      if (check !== true) throw new Error(`${path}:${check.err.line}:${check.err.col}: ${check.err.msg}`);
    }
  }
  files.set("[Content_Types].xml", enc.encode(contentTypesXml([...files.keys(), "[Content_Types].xml"])));
  return files;
}

/** The zip bytes: entries in sorted order, fixed timestamps, MS-DOS attributes. */
export function packSolution(input: PackInput): Uint8Array {
  const entries = solutionEntries(input);
  const mtime = fixedMtime();
  const zippable: Zippable = {};
  for (const path of [...entries.keys()].sort()) zippable[path] = [entries.get(path)!, { mtime, os: 0, attrs: 0 }];
  return zipSync(zippable, { level: 9, mtime });
}

export function zipFileName(version: string, managed: boolean): string {
  return `CustomerTiering_${version}_${managed ? "managed" : "unmanaged"}.zip`;
}

function main(argv: string[]): void {
  const root = repoRoot();
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const controlDir = arg("--control") ?? join(root, "out", "controls");
  const outDir = arg("--out") ?? join(root, "solution", "bin");
  const version = (JSON.parse(readText(join(root, "package.json"))) as { version: string }).version;
  mkdirSync(outDir, { recursive: true });
  for (const managed of [false, true]) {
    const zip = packSolution({ srcDir: join(root, "solution", "src"), controlDir, version, managed });
    const file = join(outDir, zipFileName(version, managed));
    writeFileSync(file, zip);
    process.stdout.write(`${relative(process.cwd(), file) || file}  ${zip.length} bytes\n`);
  }
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`pack: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}

import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { defaultSolutionSrcDir } from "./source-dir";
import { attr, children, normalizeGuid, readXml, text, type XmlNode, type XmlValue } from "./xml";

/**
 * What the solution source defines for people to work in, read back from its XML: system charts
 * (Entities/<X>/Visualizations), dashboards (Dashboards), the model-driven app (AppModules) and its site map
 * (AppModuleSiteMaps). The tests check every reference with it, and the demo page runs the charts' own FetchXML.
 */

export interface Chart {
  /** savedqueryvisualizationid, lower case without braces */
  id: string;
  entity: string;
  name: string;
  description: string;
  file: string;
  isDefault: boolean;
  /** The chart's <fetch> element exactly as the file holds it: what Dataverse runs. */
  fetchXml: string;
  /** Aliases of the group-by attributes (the category first) and of the measures the chart draws. */
  groupBy: { alias: string; column: string; dategrouping: string }[];
  measures: string[];
  /** ChartType of each series in the presentation description (Column, Funnel, ...). */
  seriesTypes: string[];
}

export interface DashboardControl {
  id: string;
  classid: string;
  entity: string;
  viewId: string;
  /** "" for a list */
  chartId: string;
  label: string;
}

export interface Dashboard {
  id: string;
  name: string;
  file: string;
  controls: DashboardControl[];
}

export interface AppComponent {
  type: number;
  /** id (lower case, no braces) or schema name, whichever the component is referenced by */
  key: string;
}

export interface AppModule {
  uniqueName: string;
  name: string;
  file: string;
  components: AppComponent[];
  roleIds: string[];
}

export interface SubArea {
  id: string;
  title: string;
  entity: string;
  url: string;
  privileges: { entity: string; privilege: string }[];
}

export interface SiteMap {
  uniqueName: string;
  file: string;
  subAreas: SubArea[];
}

export interface AppSource {
  charts: Chart[];
  dashboards: Dashboard[];
  apps: AppModule[];
  siteMaps: SiteMap[];
}

function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => statSync(join(dir, f)).isDirectory())
    .sort();
}

function xmlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith(".xml"))
    .sort()
    .map((f) => join(dir, f));
}

function label(node: XmlValue | undefined, list: string, item: string): string {
  const first = children(children(node, list)[0], item)[0];
  return first ? attr(first, "description") : "";
}

/** Every element named `name` anywhere under `node`, depth first. */
function descendants(node: XmlValue | undefined, name: string): XmlNode[] {
  const out: XmlNode[] = [];
  const visit = (v: XmlValue | undefined): void => {
    if (v === undefined || typeof v === "string") return;
    if (Array.isArray(v)) return v.forEach(visit);
    for (const [k, child] of Object.entries(v)) {
      if (k.startsWith("@_") || k === "#text") continue;
      if (k === name) out.push(...children(v, name));
      visit(child);
    }
  };
  visit(node);
  return out;
}

export function readChart(file: string): Chart {
  const v = readXml(file)["visualization"] as XmlNode;
  if (!v) throw new Error(`${file}: the root element is not <visualization>`);
  const def = children(children(v, "datadescription")[0], "datadefinition")[0];
  const fetches = children(children(def, "fetchcollection")[0], "fetch");
  if (fetches.length !== 1)
    throw new Error(`${file}: expected one <fetch> in the fetchcollection, found ${fetches.length}`);
  const entity = children(fetches[0], "entity")[0];
  const raw = /<fetch\b[\s\S]*?<\/fetch>/.exec(readFileSync(file, "utf8"))?.[0] ?? "";
  const attributes = children(entity, "attribute");
  const measures = descendants(children(def, "categorycollection")[0], "measure").map((m) => attr(m, "alias"));
  const series = children(children(children(v, "presentationdescription")[0], "Chart")[0], "Series")[0];
  return {
    id: normalizeGuid(text(v, "savedqueryvisualizationid")),
    entity: text(v, "primaryentitytypecode"),
    name: label(v, "LocalizedNames", "LocalizedName"),
    description: label(v, "Descriptions", "Description"),
    file,
    isDefault: text(v, "isdefault") === "1",
    fetchXml: raw,
    groupBy: attributes
      .filter((a) => attr(a, "groupby") === "true")
      .map((a) => ({ alias: attr(a, "alias"), column: attr(a, "name"), dategrouping: attr(a, "dategrouping") })),
    measures,
    seriesTypes: children(series, "Series").map((s) => attr(s, "ChartType")),
  };
}

function readDashboard(file: string): Dashboard {
  const sf = children(readXml(file)["forms"], "systemform")[0];
  if (!sf) throw new Error(`${file}: expected <forms><systemform>`);
  const controls = descendants(children(sf, "form")[0], "cell").flatMap((cell) =>
    children(cell, "control").map((c) => {
      const p = children(c, "parameters")[0];
      return {
        id: attr(c, "id"),
        classid: attr(c, "classid"),
        entity: text(p, "TargetEntityType"),
        viewId: normalizeGuid(text(p, "ViewId")),
        chartId: text(p, "ChartGridMode") === "Chart" ? normalizeGuid(text(p, "VisualizationId")) : "",
        label: children(children(cell, "labels")[0], "label").map((l) => attr(l, "description"))[0] ?? "",
      };
    }),
  );
  return { id: normalizeGuid(text(sf, "formid")), name: label(sf, "LocalizedNames", "LocalizedName"), file, controls };
}

function readApp(file: string): AppModule {
  const a = readXml(file)["AppModule"] as XmlNode;
  if (!a) throw new Error(`${file}: the root element is not <AppModule>`);
  return {
    uniqueName: text(a, "UniqueName"),
    name: label(a, "LocalizedNames", "LocalizedName"),
    file,
    components: children(children(a, "AppModuleComponents")[0], "AppModuleComponent").map((c) => ({
      type: Number(attr(c, "type")),
      key: attr(c, "schemaName") || normalizeGuid(attr(c, "id")),
    })),
    roleIds: children(children(a, "AppModuleRoleMaps")[0], "Role").map((r) => normalizeGuid(attr(r, "id"))),
  };
}

function readSiteMap(file: string): SiteMap {
  const s = readXml(file)["AppModuleSiteMap"] as XmlNode;
  if (!s) throw new Error(`${file}: the root element is not <AppModuleSiteMap>`);
  return {
    uniqueName: text(s, "SiteMapUniqueName"),
    file,
    subAreas: descendants(children(s, "SiteMap")[0], "SubArea").map((sa) => ({
      id: attr(sa, "Id"),
      title: children(children(sa, "Titles")[0], "Title").map((t) => attr(t, "Title"))[0] ?? "",
      entity: attr(sa, "Entity"),
      url: attr(sa, "Url"),
      privileges: children(sa, "Privilege").map((p) => ({
        entity: attr(p, "Entity"),
        privilege: attr(p, "Privilege"),
      })),
    })),
  };
}

export function readAppSource(dir: string = defaultSolutionSrcDir()): AppSource {
  const charts = subdirs(join(dir, "Entities")).flatMap((e) =>
    xmlFiles(join(dir, "Entities", e, "Visualizations")).map(readChart),
  );
  return {
    charts,
    dashboards: xmlFiles(join(dir, "Dashboards")).map(readDashboard),
    apps: subdirs(join(dir, "AppModules")).map((d) => readApp(join(dir, "AppModules", d, "AppModule.xml"))),
    siteMaps: subdirs(join(dir, "AppModuleSiteMaps")).map((d) =>
      readSiteMap(join(dir, "AppModuleSiteMaps", d, "AppModuleSiteMap.xml")),
    ),
  };
}

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { XMLParser } from "fast-xml-parser";
import { repoRoot } from "../../solution/scripts/source-dir";
import { packSolution } from "../../solution/scripts/pack";
import { readSolutionSource } from "../../solution/scripts/source-model";
import { readAppSource } from "../../solution/scripts/app-source";
import { children, normalizeGuid, readXml } from "../../solution/scripts/xml";
import { SYSTEM_COLUMNS } from "./system-columns";

/**
 * The model-driven app, its site map, the system charts and the dashboard (issue 19): each is read back from
 * solution/src, every reference it makes must resolve to a component the solution ships (or a documented platform
 * one), chart data descriptions validate against Microsoft's published schema, and the packed zip carries them all.
 */
const root = repoRoot();
const srcDir = join(root, "solution", "src");
const source = readSolutionSource(srcDir);
const app = readAppSource(srcDir);

/** Solution component types (https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/solutioncomponent). */
const TYPE = { entity: 1, role: 20, view: 26, chart: 59, form: 60, siteMap: 62 } as const;
/** The platform's default app icon (a system web resource every environment has). */
const DEFAULT_APP_ICON = "953b9fac-1e5e-e611-80d6-00155ded156f";
/** The grid/chart control of dashboards and subgrids. */
const SUBGRID_CLASSID = "{e7a81278-8635-4d9e-8d4d-59480b391c5b}";

const views = new Map(source.views.map((v) => [normalizeGuid(v.id), v]));
const forms = new Map(source.forms.map((f) => [normalizeGuid(f.id), f]));
const charts = new Map(app.charts.map((c) => [c.id, c]));
const dashboards = new Map(app.dashboards.map((d) => [d.id, d]));

describe("the Customer Tiering app", () => {
  test("one app and one site map of the same unique name, named for people", () => {
    expect(app.apps.map((a) => [a.uniqueName, a.name])).toEqual([["ct_CustomerTiering", "Customer Tiering"]]);
    expect(app.siteMaps.map((s) => s.uniqueName)).toEqual(["ct_CustomerTiering"]);
  });

  test("every app component exists in the solution", () => {
    const missing: string[] = [];
    for (const c of app.apps[0].components) {
      const ok =
        c.type === TYPE.entity
          ? source.entities.has(c.key)
          : c.type === TYPE.view
            ? views.has(c.key)
            : c.type === TYPE.chart
              ? charts.has(c.key)
              : c.type === TYPE.form
                ? forms.has(c.key) || dashboards.has(c.key)
                : c.type === TYPE.siteMap
                  ? app.siteMaps.some((s) => s.uniqueName === c.key)
                  : false;
      if (!ok) missing.push(`type ${c.type} ${c.key}`);
    }
    expect(missing).toEqual([]);
  });

  test("the app holds each table's forms, views and charts it shows, and the dashboard", () => {
    const keys = (type: number) => new Set(app.apps[0].components.filter((c) => c.type === type).map((c) => c.key));
    for (const chart of app.charts) expect(keys(TYPE.chart)).toContain(chart.id);
    for (const d of app.dashboards) expect(keys(TYPE.form)).toContain(d.id);
    // The account form with the badge; the tier model's form with its editor; policies and history.
    for (const f of source.forms.filter((f) => f.type === "main"))
      expect(keys(TYPE.form)).toContain(normalizeGuid(f.id));
    for (const v of source.views.filter((v) => v.entity !== "account" && v.queryType === 0 && /^Active /.test(v.name)))
      expect(keys(TYPE.view)).toContain(normalizeGuid(v.id));
    for (const e of ["account", "ct_tiermodel", "ct_tierpolicy", "ct_tierhistory"])
      expect(keys(TYPE.entity)).toContain(e);
    expect(keys(TYPE.siteMap)).toContain("ct_CustomerTiering");
  });

  test("the app is mapped to the roles of the people who use it: salesperson, manager, sales ops; not the service", () => {
    const nameOf = new Map(source.roles.map((r) => [normalizeGuid(r.id), r.name]));
    expect(app.apps[0].roleIds.map((id) => nameOf.get(id)).sort()).toEqual([
      "Customer Tiering manager",
      "Customer Tiering salesperson",
      "Tier model manager",
    ]);
  });

  test("its icon is the platform's default app icon", () => {
    const xml = readFileSync(app.apps[0].file, "utf8");
    expect(/<WebResourceId>([^<]+)<\/WebResourceId>/.exec(xml)?.[1]).toBe(DEFAULT_APP_ICON);
  });
});

describe("the site map", () => {
  const subAreas = app.siteMaps[0].subAreas;
  const appKeys = new Set(app.apps[0].components.map((c) => `${c.type}/${c.key}`));

  test("what each person needs is there: salespeople, managers, sales ops", () => {
    expect(subAreas.map((s) => s.title)).toEqual([
      "My accounts by tier",
      "Touch overdue",
      "Accounts",
      "Customer tiers",
      "Declining top accounts",
      "Tier history",
      "Tier model",
      "Tier policies",
      "Tier history",
    ]);
    expect(new Set(subAreas.map((s) => s.id)).size).toBe(subAreas.length);
  });

  test("every table, view and dashboard a subarea opens is in the solution and in the app", () => {
    for (const s of subAreas) {
      if (s.entity) {
        expect([s.id, source.entities.has(s.entity)]).toEqual([s.id, true]);
        expect(appKeys).toContain(`1/${s.entity}`);
      }
      const params = new URLSearchParams(s.url.split("?")[1] ?? "");
      if (params.get("pagetype") === "entitylist") {
        const view = views.get(normalizeGuid(params.get("viewid") ?? ""));
        expect([s.id, view?.entity]).toEqual([s.id, params.get("etn")]);
        expect(appKeys).toContain(`26/${normalizeGuid(params.get("viewid")!)}`);
        // The subarea's title is the view's name, so people find what they asked for.
        expect(view?.name.startsWith(s.title)).toBe(true);
      } else if (params.get("pagetype") === "dashboard") {
        expect(dashboards.has(normalizeGuid(params.get("id") ?? ""))).toBe(true);
      } else {
        expect([s.id, s.url]).toEqual([s.id, ""]);
      }
      for (const p of s.privileges) expect([s.id, source.entities.has(p.entity)]).toEqual([s.id, true]);
    }
  });

  test("the settings only show for people who may change them", () => {
    for (const title of ["Tier model", "Tier policies"]) {
      const s = subAreas.find((x) => x.title === title)!;
      expect(s.privileges).toEqual([{ entity: s.entity, privilege: "Write" }]);
    }
  });
});

describe("system charts", () => {
  test("the five pictures of issue 19, the pyramid as a funnel", () => {
    expect(app.charts.map((c) => [c.entity, c.name, c.seriesTypes.join("+")]).sort()).toEqual(
      [
        ["account", "Accounts per tier", "Funnel"],
        ["account", "12-month revenue and accounts per tier", "Column+Column"],
        ["account", "Overdue touches per tier", "Column"],
        ["account", "Declining accounts per tier", "Column"],
        ["ct_tierhistory", "Tier promotions per month", "Column"],
        ["ct_tierhistory", "Tier demotions per month", "Column"],
      ].sort(),
    );
  });

  test("each chart file is named by its id and lives under its table", () => {
    for (const c of app.charts) {
      expect(c.file.endsWith(`{${c.id}}.xml`)).toBe(true);
      expect(c.file).toContain(`/Entities/${source.entities.get(c.entity)!.schemaName}/Visualizations/`);
    }
  });

  test("each chart aggregates on its own table: columns exist, every measure has an aggregate of its alias", () => {
    for (const c of app.charts) {
      const entity = source.entities.get(c.entity)!;
      const fetch = new XMLParser({
        ignoreAttributes: false,
        attributeNamePrefix: "@_",
        isArray: (_n: string, _p: unknown, _l: boolean, isAttr: boolean) => !isAttr,
      }).parse(c.fetchXml) as { fetch: { "@_aggregate": string; entity: Record<string, unknown>[] }[] };
      expect(fetch.fetch[0]["@_aggregate"]).toBe("true");
      const e = fetch.fetch[0].entity[0] as {
        "@_name": string;
        attribute: Record<string, string>[];
        filter?: { condition: Record<string, string>[] }[];
      };
      expect(e["@_name"]).toBe(c.entity);
      const columns = [
        ...e.attribute.map((a) => a["@_name"]),
        ...(e.filter ?? []).flatMap((f) => f.condition.flatMap((x) => [x["@_attribute"], x["@_valueof"]])),
      ].filter((x): x is string => !!x);
      for (const col of columns) {
        const known = entity.columns.has(col) || SYSTEM_COLUMNS[c.entity]?.[col] !== undefined;
        expect([c.name, col, known]).toEqual([c.name, col, true]);
      }
      const aggregated = new Set(e.attribute.filter((a) => a["@_aggregate"]).map((a) => a["@_alias"]));
      for (const m of c.measures) expect([c.name, m, aggregated.has(m)]).toEqual([c.name, m, true]);
      expect(c.groupBy.length).toBe(1);
    }
  });

  test("the data descriptions validate against Microsoft's VisualizationDataDescription.xsd", () => {
    const dir = mkdtempSync(join(tmpdir(), "ct-chart-xsd-"));
    try {
      for (const c of app.charts) {
        const xml = /<datadefinition>[\s\S]*<\/datadefinition>/.exec(readFileSync(c.file, "utf8"))![0];
        const file = join(dir, `${c.id}.xml`);
        writeFileSync(file, xml);
        expect(xmllint(file, "VisualizationDataDescription.xsd")).toEqual({ ok: true, output: "" });
        // The schema is really applied: a measure without its alias fails.
        writeFileSync(file, xml.replace(/<measure alias="[^"]+"/, "<measure"));
        expect(xmllint(file, "VisualizationDataDescription.xsd").ok).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the Customer tiers dashboard", () => {
  test("one dashboard holding the charts and the two lists managers asked for", () => {
    expect(app.dashboards.map((d) => d.name)).toEqual(["Customer tiers"]);
    const d = app.dashboards[0];
    expect(
      d.controls
        .filter((c) => c.chartId)
        .map((c) => c.chartId)
        .sort(),
    ).toEqual([...charts.keys()].sort());
    expect(d.controls.filter((c) => !c.chartId).map((c) => views.get(c.viewId)?.name)).toEqual([
      "Touch overdue – AAA and A",
      "Declining top accounts",
    ]);
  });

  test("every control is a grid/chart control on a view of the solution, and each chart belongs to the view's table", () => {
    for (const c of app.dashboards[0].controls) {
      expect([c.id, c.classid.toLowerCase()]).toEqual([c.id, SUBGRID_CLASSID]);
      const view = views.get(c.viewId);
      expect([c.id, view?.entity]).toEqual([c.id, c.entity]);
      if (c.chartId) expect([c.id, charts.get(c.chartId)?.entity]).toEqual([c.id, c.entity]);
    }
  });

  test("the dashboard file is a type-0 systemform named by its id", () => {
    const d = app.dashboards[0];
    expect(d.file.endsWith(`{${d.id}}.xml`)).toBe(true);
    const sf = children(readXml(d.file)["forms"], "systemform")[0];
    expect(children(sf, "FormPresentation")[0]["#text"]).toBe("0");
  });
});

describe("solution.xml and the packed zip", () => {
  const manifest = readFileSync(join(srcDir, "Other", "Solution.xml"), "utf8");
  const rootOf = (type: number, key: string) =>
    new RegExp(`<RootComponent type="${type}" (?:id="\\{${key}\\}"|schemaName="${key}") behavior="0" />`, "i");

  test("root components name the app, its site map, the dashboard and the charts and views of the account shell", () => {
    expect(manifest).toMatch(rootOf(80, "ct_CustomerTiering"));
    expect(manifest).toMatch(rootOf(62, "ct_CustomerTiering"));
    for (const d of app.dashboards) expect(manifest).toMatch(rootOf(60, d.id));
    // account is shipped as a shell (behavior 2): its charts, views and forms are root components of their own.
    for (const c of app.charts.filter((c) => c.entity === "account")) expect(manifest).toMatch(rootOf(59, c.id));
    for (const v of source.views.filter((v) => v.entity === "account"))
      expect(manifest).toMatch(rootOf(26, normalizeGuid(v.id)));
    for (const f of source.forms.filter((f) => f.entity === "account"))
      expect(manifest).toMatch(rootOf(60, normalizeGuid(f.id)));
  });

  test("customizations.xml in the zip holds the app, the site map, the dashboard and the charts under their tables", () => {
    const work = mkdtempSync(join(tmpdir(), "ct-app-pack-"));
    try {
      // What pcf-scripts writes: one folder per control of the solution.
      const controlDir = join(work, "controls");
      for (const [folder, ctor] of [
        ["control", "TierBadge"],
        ["model-editor", "TierModelEditor"],
      ]) {
        mkdirSync(join(controlDir, folder), { recursive: true });
        writeFileSync(
          join(controlDir, folder, "ControlManifest.xml"),
          `<manifest><control namespace="CustomerTiering" constructor="${ctor}" version="0.1.0" control-type="virtual"><resources><code path="bundle.js" order="1"/></resources></control></manifest>`,
        );
        writeFileSync(join(controlDir, folder, "bundle.js"), "var x = {};\n");
      }
      const files = unzipSync(packSolution({ srcDir, controlDir, version: "0.1.0", managed: false }));
      const xml = new TextDecoder().decode(files["customizations.xml"]);
      const doc = new XMLParser({
        ignoreAttributes: false,
        attributeNamePrefix: "@_",
        isArray: (_n: string, _p: unknown, _l: boolean, isAttr: boolean) => !isAttr,
      }).parse(xml) as Record<string, Record<string, unknown>[]>;
      const ie = doc["ImportExportXml"][0] as Record<string, Record<string, unknown>[]>;
      const apps = ie["AppModules"][0]["AppModule"] as Record<string, unknown[]>[];
      expect(apps.map((a) => a["UniqueName"][0])).toEqual(["ct_CustomerTiering"]);
      const maps = ie["AppModuleSiteMaps"][0]["AppModuleSiteMap"] as Record<string, unknown[]>[];
      expect(maps.map((m) => m["SiteMapUniqueName"][0])).toEqual(["ct_CustomerTiering"]);
      const dash = ie["Dashboards"][0]["Dashboard"] as Record<string, unknown[]>[];
      expect(dash.map((d) => normalizeGuid(String(d["formid"][0])))).toEqual(app.dashboards.map((d) => d.id));
      const entities = ie["Entities"][0]["Entity"] as Record<string, Record<string, unknown>[]>[];
      const chartsIn = (name: string) => {
        const e = entities.find((x) => (x["Name"][0] as unknown as Record<string, string>)["#text"] === name)!;
        const vis = (e["Visualizations"]?.[0]?.["visualization"] ?? []) as Record<string, unknown[]>[];
        return vis.map((v) => normalizeGuid(String(v["savedqueryvisualizationid"][0]))).sort();
      };
      for (const [schema, logical] of [
        ["Account", "account"],
        ["ct_TierHistory", "ct_tierhistory"],
      ]) {
        expect(chartsIn(schema)).toEqual(
          app.charts
            .filter((c) => c.entity === logical)
            .map((c) => c.id)
            .sort(),
        );
      }
      // The content kept its XML: a chart's fetch is markup, not escaped text.
      expect(xml).toContain('<fetch mapping="logical" aggregate="true">');
      const solution = new TextDecoder().decode(files["solution.xml"]);
      expect(solution).toMatch(rootOf(80, "ct_CustomerTiering"));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

function xmllint(file: string, xsd: string): { ok: boolean; output: string } {
  try {
    const output = execFileSync("xmllint", ["--noout", "--schema", join(root, "solution", "schema", xsd), file], {
      encoding: "utf8",
      stdio: "pipe",
    });
    return { ok: true, output };
  } catch (e) {
    const err = e as { code?: string; stderr?: string };
    if (err.code === "ENOENT") throw new Error("xmllint is not installed (apt-get install -y libxml2-utils)");
    return { ok: false, output: err.stderr ?? "" };
  }
}

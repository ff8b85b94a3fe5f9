/**
 * The "Customer tiers" dashboard as the demo page draws it: each chart and list in the dashboard's order, with the
 * FetchXML of the solution's own chart or view, unchanged, and the Web API entity set to run it against. Read from
 * solution/src at run time, so the demo shows what the packed solution's dashboard shows.
 */
import { readFileSync } from "node:fs";
import { readAppSource } from "../solution/scripts/app-source";
import { readSolutionSource } from "../solution/scripts/source-model";

export interface DashboardTile {
  /** The dashboard control's id (chart_accounts_per_tier, list_touch_overdue, …). */
  id: string;
  kind: "chart" | "list";
  title: string;
  description: string;
  entitySet: string;
  fetchXml: string;
  /** Charts: the category (group-by) alias, its date grouping, and the measures drawn. */
  category?: { alias: string; column: string; dategrouping: string };
  measures?: string[];
  seriesTypes?: string[];
  /** Lists: the columns the view's layout shows, with their display names. */
  columns?: { name: string; label: string }[];
}

export interface DashboardDefinition {
  name: string;
  tiles: DashboardTile[];
}

/** Display names of the platform columns the views show (the solution does not define them). */
const PLATFORM_LABELS: Record<string, string> = { name: "Account", ownerid: "Owner" };

export function readDashboardDefinition(dir?: string): DashboardDefinition {
  const app = readAppSource(dir);
  const source = readSolutionSource(dir);
  const dashboard = app.dashboards[0];
  if (!dashboard) throw new Error("solution/src/Dashboards holds no dashboard");
  // account is a platform table the solution extends: its Entity.xml names no entity set.
  const entitySet = (entity: string): string =>
    source.entities.get(entity)?.entitySetName || (entity === "account" ? "accounts" : "");
  const tiles = dashboard.controls.map((c): DashboardTile => {
    if (c.chartId) {
      const chart = app.charts.find((x) => x.id === c.chartId);
      if (!chart)
        throw new Error(`${dashboard.file}: control ${c.id} shows chart ${c.chartId}, which is not in the solution`);
      return {
        id: c.id,
        kind: "chart",
        title: chart.name,
        description: chart.description,
        entitySet: entitySet(chart.entity),
        fetchXml: chart.fetchXml,
        category: chart.groupBy[0],
        measures: chart.measures,
        seriesTypes: chart.seriesTypes,
      };
    }
    const view = source.views.find((v) => v.id.replace(/[{}]/g, "").toLowerCase() === c.viewId);
    if (!view)
      throw new Error(`${dashboard.file}: control ${c.id} shows view ${c.viewId}, which is not in the solution`);
    return {
      id: c.id,
      kind: "list",
      title: view.name,
      description: "",
      entitySet: entitySet(view.entity),
      fetchXml: rawFetch(view.file),
      columns: view.refs
        .filter((r) => r.where.endsWith("layout cell"))
        .map((r) => ({
          name: r.column,
          label:
            source.entities.get(view.entity)?.columns.get(r.column)?.displayName ||
            PLATFORM_LABELS[r.column] ||
            r.column,
        })),
    };
  });
  return { name: dashboard.name, tiles };
}

function rawFetch(file: string): string {
  const fetch = /<fetch\b[\s\S]*?<\/fetch>/.exec(readFileSync(file, "utf8"))?.[0];
  if (!fetch) throw new Error(`${file}: no <fetch>`);
  return fetch;
}

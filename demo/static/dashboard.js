/*
 * The "Customer tiers" dashboard on the demo page: each chart and list runs its own FetchXML from the solution
 * (GET /demo/dashboard.json, read from solution/src) unchanged against the local Dataverse Web API, as the
 * dashboard does in Dynamics 365, and is drawn the way the quarterly report draws its charts.
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/retrieve-data#use-fetchxml-with-the-web-api
 */
/* global document, fetch */
import { formatted, formMetadata, userSwitcher, webApi } from "./api.js";
import { barChart, distributionChart, movementChart, pyramidChart } from "./charts.js";

const $ = (id) => document.getElementById(id);

void userSwitcher($("demo-user"));

/** A group whose category is empty is dropped: a user without the tier profile reads the tier as null. */
function tierRows(rows, alias, tiers) {
  return rows
    .filter((r) => r[alias] != null && tiers.has(r[alias]))
    .map((r) => ({ ...tiers.get(r[alias]), row: r }))
    .sort((a, b) => a.index - b.index);
}

/** Month numbers of "this month and the 11 before", oldest first (dategrouping month answers 1–12). */
function lastMonths() {
  const now = new Date();
  const out = [];
  for (let i = 11; i >= 0; i--) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    out.push({
      month: d.getUTCMonth() + 1,
      label: d.toLocaleString("en", { month: "short", year: "numeric", timeZone: "UTC" }),
    });
  }
  return out;
}

function panel(tile) {
  const section = document.createElement("section");
  section.className = "tile";
  section.id = tile.id;
  section.setAttribute("aria-labelledby", `${tile.id}-h`);
  section.innerHTML = `<h2 id="${tile.id}-h"></h2><p class="tile__desc"></p><div class="tile__body" aria-live="polite">Loading…</div>`;
  section.querySelector("h2").textContent = tile.title;
  section.querySelector(".tile__desc").textContent = tile.description;
  for (const t of tile.sources ?? [tile]) {
    const details = document.createElement("details");
    details.innerHTML = `<summary>FetchXML: ${t.title}</summary><pre tabindex="0"><code></code></pre>`;
    details.querySelector("code").textContent = t.fetchXml;
    section.append(details);
  }
  return section;
}

const run = async (tile) =>
  (await webApi(`${tile.entitySet}?fetchXml=${encodeURIComponent(tile.fetchXml)}`)).body.value;

function empty(body, what) {
  body.innerHTML = "";
  const p = document.createElement("p");
  p.className = "tile__empty";
  p.textContent = `No ${what} to show.`;
  body.append(p);
}

async function drawChart(tile, body, tiers) {
  const rows = await run(tile);
  const alias = tile.category.alias;
  const list = tierRows(rows, alias, tiers);
  body.dataset.groups = String(list.length);
  if (list.length === 0) return empty(body, "accounts");
  const [m1, m2] = tile.measures;
  const id = `${tile.id}-svg`;
  if (tile.seriesTypes[0] === "Funnel") {
    body.innerHTML = pyramidChart(
      list.map((t) => ({ ...t, value: t.row[m1] })),
      id,
      tile.title,
    );
  } else if (m2) {
    const sum = (k) => list.reduce((s, t) => s + Number(t.row[k] ?? 0), 0) || 1;
    const [rev, acc] = [sum(m1), sum(m2)];
    body.innerHTML = distributionChart(
      list.map((t) => ({
        ...t,
        accounts: t.row[m2],
        accountShare: t.row[m2] / acc,
        revenueShare: Number(t.row[m1] ?? 0) / rev,
      })),
      id,
      tile.title,
    );
  } else {
    body.innerHTML = barChart(
      list.map((t) => ({ ...t, value: t.row[m1] })),
      id,
      tile.title,
      "accounts",
    );
  }
}

async function drawMovements(tile, body) {
  const [up, down] = tile.sources;
  const [ups, downs] = await Promise.all([run(up), run(down)]);
  const count = (rows, t) =>
    new Map(rows.filter((r) => r[t.category.alias] != null).map((r) => [r[t.category.alias], r[t.measures[0]]]));
  const [u, d] = [count(ups, up), count(downs, down)];
  body.dataset.groups = String(new Set([...u.keys(), ...d.keys()]).size);
  if (u.size + d.size === 0) return empty(body, "tier movements");
  const rows = lastMonths().map((m) => ({ label: m.label, up: u.get(m.month) ?? 0, down: d.get(m.month) ?? 0 }));
  body.innerHTML = movementChart(rows, `${tile.id}-svg`, tile.title);
}

async function drawList(tile, body) {
  const rows = await run(tile);
  body.dataset.groups = String(rows.length);
  if (rows.length === 0) return empty(body, "accounts");
  // The sandbox has no users to show as owners.
  const cols = tile.columns.filter((c) => c.name !== "ownerid");
  const table = document.createElement("table");
  table.className = "grid";
  const caption = table.createCaption();
  caption.className = "sr-only";
  caption.textContent = tile.title;
  const head = table.createTHead().insertRow();
  for (const c of cols) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = c.label;
    head.append(th);
  }
  const tbody = table.createTBody();
  for (const r of rows.slice(0, 10)) {
    const tr = tbody.insertRow();
    for (const c of cols) {
      const td = tr.insertCell();
      if (c.name === "name") {
        const a = document.createElement("a");
        a.href = `/account?id=${encodeURIComponent(r.accountid)}`;
        a.textContent = r.name;
        td.append(a);
      } else td.textContent = formatted(r, c.name) ?? (r[c.name] == null ? "" : String(r[c.name]));
    }
  }
  body.replaceChildren(table);
}

async function main() {
  const [definition, form] = await Promise.all([
    fetch("/demo/dashboard.json").then((r) => {
      if (!r.ok) throw new Error(`/demo/dashboard.json: HTTP ${r.status}`);
      return r.json();
    }),
    formMetadata(),
  ]);
  const options = [...(form.columns.ct_tier?.Options ?? [])].sort((a, b) => a.Value - b.Value);
  const tiers = new Map(options.map((o, index) => [o.Value, { label: o.Label, index }]));
  // Promotions and demotions are two charts in the solution and one picture here.
  const tiles = [];
  for (const t of definition.tiles) {
    if (t.id === "chart_demotions_per_month") continue;
    if (t.id === "chart_promotions_per_month") {
      const down = definition.tiles.find((x) => x.id === "chart_demotions_per_month");
      tiles.push({
        ...t,
        id: "chart_movements_per_month",
        title: "Tier movements per month",
        description: "Promotions and demotions from the tier history, this month and the 11 before.",
        sources: [t, down].filter(Boolean),
      });
    } else tiles.push(t);
  }
  const grid = $("tiles");
  await Promise.all(
    tiles.map(async (tile) => {
      const section = panel(tile);
      grid.append(section);
      const body = section.querySelector(".tile__body");
      try {
        if (tile.sources) await drawMovements(tile, body);
        else if (tile.kind === "chart") await drawChart(tile, body, tiers);
        else await drawList(tile, body);
        section.dataset.state = "done";
      } catch (e) {
        body.innerHTML = "";
        const p = document.createElement("p");
        p.className = "tile__error";
        p.setAttribute("role", "alert");
        p.textContent = `This ${tile.kind} could not be loaded: ${e.message}`;
        body.append(p);
        section.dataset.state = "error";
      }
    }),
  );
  $("tiles").dataset.ready = "true";
}

main().catch((e) => {
  $("status").textContent = `The dashboard could not be loaded: ${e.message}`;
});

/* The account list: the views managers use (by tier, touch overdue), read through the Web API. */
/* global document, window, URLSearchParams */
import { formatted, formMetadata, todayUtc, webApi, userSwitcher } from "./api.js";

void userSwitcher(document.getElementById("demo-user"));

const PAGE = 50;
const COLUMNS = "accountid,name,ct_tier,ct_tierscore,ct_trend,ct_nexttouchdue,ct_revenue12m";
const TREND_ARROWS = { growing: "↗", stable: "→", declining: "↘", insufficient: "–" };

const $ = (id) => document.getElementById(id);
let nextLink = null;
let shown = 0;

/** The filters live in the query string, so each view has a link (?tier=100000000, ?overdue=1). */
function readFilters() {
  const q = new URLSearchParams(window.location.search);
  return { tier: q.get("tier") ?? "", overdue: q.get("overdue") === "1", name: q.get("name") ?? "" };
}

/** OData $filter and $orderby of a view, like the solution's saved queries ("Touch overdue": AAA first, then longest overdue). */
export function query({ tier, overdue, name }) {
  const filter = ["statecode eq 0"];
  if (tier === "none") filter.push("ct_tier eq null");
  else if (tier) filter.push(`ct_tier eq ${Number(tier)}`);
  if (overdue) filter.push(`ct_nexttouchdue lt ${todayUtc()}`);
  if (name) filter.push(`contains(name,'${name.replace(/'/g, "''")}')`);
  const orderby = overdue ? "ct_tier asc,ct_nexttouchdue asc,name asc" : "ct_tier asc,ct_tierscore desc,name asc";
  return `accounts?$select=${COLUMNS}&$filter=${encodeURIComponent(filter.join(" and "))}&$orderby=${encodeURIComponent(orderby)}&$count=true`;
}

function badge(row, colors) {
  const span = document.createElement("span");
  const label = formatted(row, "ct_tier");
  if (row.ct_tier == null) {
    span.className = "tier tier--none";
    span.textContent = "Not ranked";
    return span;
  }
  span.className = "tier";
  span.textContent = label;
  span.style.backgroundColor = colors[label] ?? "#3B3A39";
  span.dataset.tier = label;
  return span;
}

function cell(tr, content, className) {
  const td = document.createElement("td");
  if (className) td.className = className;
  // The column's name, which a narrow screen shows next to the value (rows are stacked there: app.css).
  td.dataset.label = $("accounts").tHead.rows[0].cells[tr.cells.length]?.textContent?.trim() ?? "";
  if (content instanceof window.Node) td.append(content);
  else td.textContent = content ?? "";
  tr.append(td);
  return td;
}

function render(rows, colors, append) {
  const body = $("accounts").tBodies[0];
  if (!append) body.replaceChildren();
  const today = todayUtc();
  for (const row of rows) {
    const tr = document.createElement("tr");
    tr.dataset.accountid = row.accountid;
    const link = document.createElement("a");
    link.href = `/account?id=${row.accountid}`;
    link.textContent = row.name;
    cell(tr, link);
    cell(tr, badge(row, colors));
    cell(tr, row.ct_tierscore == null ? "" : row.ct_tierscore.toFixed(1), "num");
    const trend = formatted(row, "ct_trend");
    cell(tr, trend ? `${TREND_ARROWS[trend] ?? ""} ${trend}` : "");
    const due = cell(tr, formatted(row, "ct_nexttouchdue") ?? "");
    if (row.ct_nexttouchdue && row.ct_nexttouchdue < today) {
      due.className = "overdue";
      due.prepend("⚠ ");
      due.append(" (overdue)");
    }
    cell(tr, formatted(row, "ct_revenue12m") ?? "", "num");
    body.append(tr);
  }
}

async function load(append) {
  const form = await formMetadata();
  const filters = readFilters();
  const summary = $("summary");
  summary.textContent = "Loading…";
  try {
    const res = await webApi(append ? nextLink : query(filters), { pageSize: PAGE });
    const rows = res.body.value;
    render(rows, form.tierColors, append);
    shown = append ? shown + rows.length : rows.length;
    nextLink = res.body["@odata.nextLink"] ?? null;
    $("more").hidden = !nextLink;
    const total = res.body["@odata.count"];
    summary.textContent = `${shown} of ${total ?? shown} accounts`;
    document.body.dataset.loaded = "true";
  } catch (e) {
    summary.textContent = `Could not load the accounts: ${e.message}`;
  }
}

async function init() {
  const form = await formMetadata();
  const tierSelect = $("tier");
  for (const o of form.columns[form.bound.tier].Options) tierSelect.append(new window.Option(o.Label, String(o.Value)));
  tierSelect.append(new window.Option("Not ranked", "none"));
  const f = readFilters();
  tierSelect.value = f.tier;
  $("overdue").checked = f.overdue;
  $("name").value = f.name;
  const current = `${window.location.pathname}${window.location.search}`;
  for (const a of document.querySelectorAll(".views a")) {
    if (a.getAttribute("href") === current || (a.dataset.view === "all" && current === "/"))
      a.setAttribute("aria-current", "page");
  }
  $("filters").addEventListener("submit", (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    if (tierSelect.value) q.set("tier", tierSelect.value);
    if ($("overdue").checked) q.set("overdue", "1");
    if ($("name").value.trim()) q.set("name", $("name").value.trim());
    window.history.replaceState(null, "", `/?${q}`);
    void load(false);
  });
  $("more").addEventListener("click", () => void load(true));
  await load(false);
}

void init();

/* The account page: the real TierBadge control on the sandbox record, and actions that go through the whole loop. */
/* global document, window, fetch, URLSearchParams, setTimeout */
import { createdId, formatted, formMetadata, todayUtc, webApi, userSwitcher } from "./api.js";
import { loadControl, mountControl } from "./host.js";

void userSwitcher(document.getElementById("demo-user"));

const POLL_MS = 300;
const WAIT_MS = 30_000;
const $ = (id) => document.getElementById(id);
const id = new URLSearchParams(window.location.search).get("id") ?? "";
const FACTS = [
  ["ct_revenue12m", "Revenue (12 months)"],
  ["ct_tierchangedon", "Tier changed on"],
  ["ct_previoustier", "Previous tier"],
  ["ct_tiercalculatedon", "Tier calculated on"],
];

let record;
let hosted;

async function readAccount(form) {
  const columns = new Set(["accountid", "name", ...Object.values(form.bound), ...FACTS.map(([c]) => c)]);
  return (await webApi(`accounts(${id})?$select=${[...columns].join(",")}`)).body;
}

function showFacts() {
  const dl = $("facts");
  dl.replaceChildren();
  for (const [column, label] of FACTS) {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = formatted(record, column) ?? "–";
    dd.dataset.column = column;
    dl.append(dt, dd);
  }
  $("name").textContent = record.name;
  document.title = `${record.name} – Customer Tiering demo`;
}

async function showHistory() {
  const filter = encodeURIComponent(`_ct_accountid_value eq ${id}`);
  const res = await webApi(
    `ct_tierhistories?$select=ct_changedon,ct_fromtier,ct_totier,ct_score,ct_source&$filter=${filter}&$orderby=ct_changedon desc&$top=10`,
  );
  const body = $("history").tBodies[0];
  body.replaceChildren();
  for (const row of res.body.value) {
    const tr = document.createElement("tr");
    for (const [column, cls] of [
      ["ct_changedon"],
      ["ct_fromtier"],
      ["ct_totier"],
      ["ct_score", "num"],
      ["ct_source"],
    ]) {
      const td = document.createElement("td");
      td.textContent =
        column === "ct_score" && row[column] != null
          ? row[column].toFixed(1)
          : (formatted(row, column) ?? row[column] ?? "–");
      if (cls) td.className = cls;
      tr.append(td);
    }
    body.append(tr);
  }
  if (!res.body.value.length) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = 5;
    td.textContent = "No tier changes recorded yet.";
    tr.append(td);
    body.append(tr);
  }
}

const status = (message, kind = "") => {
  $("status").textContent = message;
  $("status").dataset.kind = kind;
};

const FAILED_JOBS = `asyncoperations?$select=asyncoperationid,message&$filter=${encodeURIComponent("statuscode eq 31")}`;
const failedJobs = async () => (await webApi(FAILED_JOBS)).body.value;

/**
 * Waits for the plugin's write: the webhook is asynchronous, so the page polls the account until the
 * recalculation stamp (or the last touch) moves. Meanwhile it asks the sandbox when its webhook queue is empty, so
 * "the plugin had nothing to change" and "the delivery failed" (a new failed System Job) end the wait too.
 */
async function waitForPlugin(form, before, watch, jobsBefore) {
  let drained = false;
  const idle = fetch("/demo/webhooks-idle").then(
    (r) => r.ok,
    () => false,
  );
  void idle.then((ok) => (drained = ok));
  const until = Date.now() + WAIT_MS;
  while (Date.now() < until) {
    const wasDrained = drained;
    await new Promise((r) => setTimeout(r, POLL_MS));
    const next = await readAccount(form);
    if (watch.some((c) => next[c] !== before[c])) return { next, changed: true };
    if (wasDrained) {
      const known = new Set(jobsBefore.map((j) => j.asyncoperationid));
      const failed = (await failedJobs()).filter((j) => !known.has(j.asyncoperationid));
      if (failed.length) throw new Error(`the webhook call failed (System Job: ${failed[0].message ?? "no message"})`);
      return { next, changed: false };
    }
  }
  throw new Error(`no answer from the plugin within ${WAIT_MS / 1000} s`);
}

async function act(form, button, label, save, watch) {
  button.disabled = true;
  const before = record;
  try {
    status(`${label}: saving…`, "busy");
    const jobsBefore = await failedJobs();
    await save();
    status(`${label}: saved. Waiting for the plugin to recalculate…`, "busy");
    const { next, changed } = await waitForPlugin(form, before, watch, jobsBefore);
    record = next;
    if (!changed) {
      status(`${label}: done. The plugin found nothing to change on the account.`, "done");
      return;
    }
    hosted?.update(record);
    showFacts();
    await showHistory();
    const was = formatted(before, "ct_tier") ?? "not ranked";
    const now = formatted(record, "ct_tier") ?? "not ranked";
    status(
      `${label}: done. Tier ${was === now ? `stays ${now}` : `${was} → ${now}`}, score ${record.ct_tierscore == null ? "–" : record.ct_tierscore.toFixed(1)}.`,
      "done",
    );
  } catch (e) {
    status(`${label} failed: ${e.message}`, "error");
  } finally {
    button.disabled = false;
  }
}

const bind = (account) => `/accounts(${account})`;

/** Invoice create, then Paid (statecode 2, statuscode 100001 Complete): the way an invoice is closed as paid. */
async function addInvoice() {
  const amount = Number($("invoice-amount").value);
  const created = await webApi("invoices", {
    method: "POST",
    body: { name: `Demo invoice ${todayUtc()}`, totalamount: amount, "customerid_account@odata.bind": bind(id) },
  });
  if ($("invoice-status").value === "paid") {
    await webApi(`invoices(${createdId(created)})`, {
      method: "PATCH",
      body: { statecode: 2, statuscode: 100001 },
      headers: { "If-Match": "*" },
    });
  }
}

/**
 * An opportunity, then closed as won. Dataverse closes it with the WinOpportunity action; the sandbox has no
 * actions, so this sets the same columns (statecode 1 Won, statuscode 3, actual revenue and close date) by PATCH.
 */
async function winOpportunity() {
  const amount = Number($("opportunity-amount").value);
  const created = await webApi("opportunities", {
    method: "POST",
    body: {
      name: `Demo opportunity ${todayUtc()}`,
      estimatedvalue: amount,
      closeprobability: 100,
      "customerid_account@odata.bind": bind(id),
    },
  });
  await webApi(`opportunities(${createdId(created)})`, {
    method: "PATCH",
    body: { statecode: 1, statuscode: 3, actualvalue: amount, actualclosedate: todayUtc() },
    headers: { "If-Match": "*" },
  });
}

/** A completed activity regarding the account: created open, then marked completed with its end time. */
async function logTouch() {
  const table = $("touch-channel").value;
  const set = { phonecall: "phonecalls", appointment: "appointments", email: "emails" }[table];
  const created = await webApi(set, {
    method: "POST",
    body: { subject: $("touch-subject").value, [`regardingobjectid_account_${table}@odata.bind`]: bind(id) },
  });
  await webApi(`${set}(${createdId(created)})`, {
    method: "PATCH",
    body: { statecode: 1, actualend: new Date().toISOString() },
    headers: { "If-Match": "*" },
  });
}

async function init() {
  if (!/^[0-9a-f-]{36}$/i.test(id)) {
    status("No account id in the address: open an account from the list.", "error");
    return;
  }
  const form = await formMetadata();
  try {
    record = await readAccount(form);
  } catch (e) {
    status(`Could not read the account: ${e.message}`, "error");
    return;
  }
  showFacts();
  try {
    hosted = mountControl($("control"), await loadControl(), form, record);
  } catch (e) {
    $("control").textContent = `The TierBadge control could not be loaded: ${e.message}`;
    $("control").classList.add("status");
    $("control").dataset.kind = "error";
  }
  await showHistory();
  const on = (formId, label, save, watch) =>
    $(formId).addEventListener("submit", (e) => {
      e.preventDefault();
      void act(form, e.submitter ?? $(formId).querySelector("button"), label, save, watch);
    });
  on("invoice-form", "Add invoice", addInvoice, ["ct_tiercalculatedon"]);
  on("opportunity-form", "Win opportunity", winOpportunity, ["ct_tiercalculatedon"]);
  on("touch-form", "Log touch", logTouch, ["ct_lasttouchon", "ct_tiercalculatedon"]);
  document.body.dataset.loaded = "true";
}

void init();

/* The tier policies as sales ops edit them on the ct_tierpolicy form: one row per tier, saved with a PATCH. */
/* global document, Option */
import { formatted, userSwitcher, webApi } from "./api.js";

void userSwitcher(document.getElementById("demo-user"));

/** The solution's ct_touchchannel choice (src/engine/choices.ts CHANNEL_OPTIONS). */
const CHANNELS = [
  [100000000, "Meeting"],
  [100000001, "Phone call"],
  [100000002, "Email"],
];

const $ = (id) => document.getElementById(id);

function say(text, kind) {
  $("status").textContent = text;
  $("status").dataset.kind = kind;
}

function numberInput(label, value) {
  const input = document.createElement("input");
  input.type = "number";
  input.min = "0";
  input.max = "3650";
  input.step = "1";
  input.required = true;
  input.value = value == null ? "" : String(value);
  input.setAttribute("aria-label", label);
  return input;
}

function row(policy) {
  const tier = formatted(policy, "ct_tier") ?? String(policy.ct_tier);
  const tr = document.createElement("tr");
  tr.dataset.tier = tier;
  const th = document.createElement("th");
  th.scope = "row";
  th.textContent = tier;
  const cadence = numberInput(`${tier}: every how many days`, policy.ct_cadencedays);
  cadence.min = "1";
  const channel = document.createElement("select");
  channel.setAttribute("aria-label", `${tier}: channel`);
  for (const [value, label] of CHANNELS)
    channel.add(new Option(label, String(value), false, value === policy.ct_touchchannel));
  const grace = numberInput(`${tier}: grace days after a tier change`, policy.ct_gracedays);
  const save = document.createElement("button");
  save.type = "button";
  save.className = "button";
  save.textContent = "Save";
  save.setAttribute("aria-label", `Save ${tier} policy`);
  save.addEventListener("click", async () => {
    if (![cadence, grace].every((i) => i.reportValidity())) return;
    save.disabled = true;
    say(`Saving the ${tier} policy …`, "busy");
    try {
      await webApi(`ct_tierpolicies(${policy.ct_tierpolicyid})`, {
        method: "PATCH",
        headers: { "If-Match": "*" },
        body: {
          ct_cadencedays: Number(cadence.value),
          ct_touchchannel: Number(channel.value),
          ct_gracedays: Number(grace.value),
        },
      });
      say(`${tier} policy saved. The service now updates the touch pattern of every ${tier} account.`, "done");
    } catch (e) {
      say(`Saving the ${tier} policy failed: ${e.message}`, "error");
    } finally {
      save.disabled = false;
    }
  });
  for (const control of [cadence, channel, grace, save]) {
    const td = document.createElement("td");
    td.append(control);
    tr.append(td);
  }
  tr.prepend(th);
  return tr;
}

async function load() {
  const filter = encodeURIComponent("statecode eq 0");
  try {
    const { body } = await webApi(
      `ct_tierpolicies?$select=ct_tierpolicyid,ct_tier,ct_cadencedays,ct_touchchannel,ct_gracedays&$filter=${filter}&$orderby=ct_tier asc,modifiedon desc`,
    );
    // The newest active row of each tier is the one the service uses.
    const seen = new Set();
    const rows = body.value.filter((p) => !seen.has(p.ct_tier) && seen.add(p.ct_tier));
    $("policies")
      .querySelector("tbody")
      .replaceChildren(...rows.map(row));
    if (rows.length === 0) say("No tier policies yet: the first re-rank creates the defaults.", "error");
  } catch (e) {
    say(`The tier policies could not be read: ${e.message}`, "error");
  }
  document.body.dataset.loaded = "1";
}

void load();

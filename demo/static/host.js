/*
 * A small host for the built TierBadge control: loads what its ControlManifest.xml lists (bundle.js, css, resx),
 * exposes the platform libraries under the globals pcf-scripts compiled the bundle against, and builds the
 * ComponentFramework context from an account record the way a model-driven form does for the bound columns.
 * It covers what a read-only virtual control uses; it is not the Dataverse form runtime.
 * https://learn.microsoft.com/power-apps/developer/component-framework/react-controls-platform-libraries
 * https://learn.microsoft.com/power-apps/developer/component-framework/reference/context
 */
/* global document, window, fetch, DOMParser, ResizeObserver */
import { formatted, webApi } from "./api.js";

const LOCALE = "en-US"; // the sandbox formats values as en-US, UTC
const LCID = 1033;

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(s);
  });
}

async function text(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return res.text();
}

/** pcf-scripts maps platform libraries to versioned globals: React 16.x → Reactv16, Fluent 8.121.1 → FluentUIReactv81211. */
function exposePlatformLibraries(manifest) {
  for (const lib of manifest.querySelectorAll("platform-library")) {
    const name = lib.getAttribute("name");
    const version = lib.getAttribute("version");
    if (name === "React") {
      if (window.React?.version !== version)
        throw new Error(`the control needs React ${version}, the page has ${window.React?.version}`);
      window[`Reactv${version.split(".")[0]}`] = window.React;
    } else if (name === "Fluent") {
      if (!window.FluentUIReact) throw new Error("the Fluent UI bundle did not load");
      window[`FluentUIReactv${version.replace(/\./g, "")}`] = window.FluentUIReact;
    } else {
      throw new Error(`platform library ${name} is not provided by this host`);
    }
  }
}

/** The resx of the user's language (here always 1033), parsed into the map getString reads. */
async function loadStrings(manifest) {
  const paths = [...manifest.querySelectorAll("resx")].map((r) => r.getAttribute("path"));
  const path = paths.find((p) => p.endsWith(`.${LCID}.resx`)) ?? paths[0];
  const strings = new Map();
  if (!path) return strings;
  const doc = new DOMParser().parseFromString(await text(`/control/${path}`), "application/xml");
  for (const data of doc.querySelectorAll("data"))
    strings.set(data.getAttribute("name"), data.querySelector("value")?.textContent ?? "");
  return strings;
}

/** Loads the control once: manifest, css, strings, platform libraries, then bundle.js registers its constructor. */
export async function loadControl() {
  const manifest = new DOMParser().parseFromString(await text("/control/ControlManifest.xml"), "application/xml");
  const control = manifest.querySelector("control");
  const name = `${control.getAttribute("namespace")}.${control.getAttribute("constructor")}`;
  for (const css of manifest.querySelectorAll("css")) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = `/control/${css.getAttribute("path")}`;
    document.head.append(link);
  }
  exposePlatformLibraries(manifest);
  const strings = await loadStrings(manifest);
  const registered = new Map();
  window.ComponentFramework = { registerControl: (id, ctor) => registered.set(id, ctor) };
  await loadScript(`/control/${manifest.querySelector("code").getAttribute("path")}`);
  const Control = registered.get(name);
  if (!Control) throw new Error(`bundle.js did not register ${name}`);
  const properties = [...manifest.querySelectorAll("property")].map((p) => ({
    name: p.getAttribute("name"),
    ofType: p.getAttribute("of-type") ?? p.getAttribute("of-type-group"),
    usage: p.getAttribute("usage"),
    defaultValue: p.getAttribute("default-value"),
  }));
  return { Control, strings, properties };
}

/** A date-only value ("2026-03-13") reaches a control as a Date at local midnight of that day. */
function dateOnly(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value ?? "");
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

const SECURITY = { readable: true, editable: false, secured: false }; // the sandbox has no field security

/** One bound property from the record: raw and formatted value plus the column's attribute metadata. */
function boundProperty(property, column, meta, record) {
  const value = record[column];
  const attributes = { LogicalName: column, DisplayName: meta.DisplayName, RequiredLevel: 0, IsSecured: false };
  let raw = value ?? null;
  if (meta.Options) {
    attributes.Options = meta.Options;
    attributes.DefaultValue = -1;
  } else if (meta.type === "datetime") {
    raw = meta.format === "date" ? dateOnly(value) : value ? new Date(value) : null;
    attributes.Behavior = meta.format === "date" ? 2 : 1; // DateTimeFieldBehavior: 2 DateOnly, 1 UserLocal
  }
  return {
    raw,
    formatted: formatted(record, column) ?? (raw == null ? undefined : String(value)),
    error: false,
    errorMessage: "",
    security: SECURITY,
    type: property.ofType,
    attributes,
  };
}

function formatting() {
  const number = (value, digits) =>
    new Intl.NumberFormat(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  return {
    formatDecimal: (value, precision = 2) => number(value, precision),
    formatInteger: (value) => number(value, 0),
    formatCurrency: (value, precision = 2, symbol = "$") => `${symbol}${number(value, precision)}`,
    formatDateShort: (date) => date.toLocaleDateString(LOCALE),
    formatDateLong: (date) => date.toLocaleDateString(LOCALE, { dateStyle: "full" }),
    formatTime: (date) => date.toLocaleTimeString(LOCALE),
  };
}

/**
 * context.webAPI over the sandbox's Web API: the control reads its tier's ct_tierpolicy this way.
 * https://learn.microsoft.com/power-apps/developer/component-framework/reference/webapi
 */
function webApiFeature(form) {
  const set = (table) => {
    const name = form.entitySets[table];
    if (!name) throw new Error(`this host does not know the entity set of ${table}`);
    return name;
  };
  return {
    async retrieveMultipleRecords(table, options = "", maxPageSize) {
      const res = await webApi(`${set(table)}${options}`, { pageSize: maxPageSize });
      return { entities: res.body.value, nextLink: res.body["@odata.nextLink"] };
    },
    async retrieveRecord(table, id, options = "") {
      return (await webApi(`${set(table)}(${id})${options}`)).body;
    },
  };
}

/**
 * Mounts the control in `container` for an account record; returns update(record) for when the record changes.
 * `form` is /demo/form.json (the form's binding and column metadata).
 */
export function mountControl(container, loaded, form, record) {
  const { Control, strings, properties } = loaded;
  const control = new Control();
  let current = record;
  let width = container.clientWidth;
  let tracking = false;
  const webAPI = webApiFeature(form);

  const context = (updated) => {
    const parameters = {};
    for (const p of properties) {
      const column = form.bound[p.name];
      if (column) parameters[p.name] = boundProperty(p, column, form.columns[column], current);
      else parameters[p.name] = { raw: form.statics[p.name] ?? p.defaultValue ?? null, type: p.ofType };
    }
    return {
      parameters,
      updatedProperties: updated,
      formatting: formatting(),
      resources: { getString: (key) => strings.get(key) ?? key, getResource: () => undefined },
      mode: {
        isControlDisabled: true, // the form shows the tier columns read-only: the plugin owns them
        isVisible: true,
        label: form.columns[form.bound.tier]?.DisplayName ?? "",
        allocatedWidth: tracking ? width : -1,
        allocatedHeight: -1,
        trackContainerResize: (value) => (tracking = value),
        setControlState: () => true,
        setFullScreen: () => undefined,
      },
      client: { getFormFactor: () => 1, getClient: () => "Web", isOffline: () => false, disableScroll: false },
      userSettings: { languageId: LCID, userName: "Sandbox Administrator", isRTL: false },
      webAPI,
      factory: { requestRender: () => render([]) },
    };
  };
  const render = (updated) => window.ReactDOM.render(control.updateView(context(updated)), container);

  control.init(context([]), () => undefined, {});
  render([]);
  if (tracking) {
    new ResizeObserver(() => {
      if (container.clientWidth === width) return;
      width = container.clientWidth;
      render(["layout"]);
    }).observe(container);
  }
  return {
    update(next) {
      const changed = properties
        .filter((p) => form.bound[p.name] && next[form.bound[p.name]] !== current[form.bound[p.name]])
        .map((p) => p.name);
      current = next;
      if (changed.length) render(changed);
      return changed;
    },
  };
}

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { CHANNEL_OPTIONS, TIER_OPTIONS, TREND_OPTIONS } from "../../src/engine/choices";
import { repoRoot } from "../../solution/scripts/source-dir";
import { readSolutionSource, type Column } from "../../solution/scripts/source-model";
import { readStepRegistrations } from "../../solution/scripts/steps";
import { solutionVersion } from "../../solution/scripts/pack";
import { WEBHOOK_ENDPOINT_NAME } from "../../solution/scripts/endpoint";
import { attr, children, readXml, text } from "../../solution/scripts/xml";
import { SYSTEM_COLUMNS } from "./system-columns";

const root = repoRoot();
const srcDir = join(root, "solution", "src");
const source = readSolutionSource(srcDir);

function allFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? allFiles(join(dir, f)) : [join(dir, f)]))
    .sort();
}

/** The column's metadata type, from the solution or the platform; undefined when neither has it. */
function columnType(entity: string, column: string): string | undefined {
  return source.entities.get(entity)?.columns.get(column)?.type ?? SYSTEM_COLUMNS[entity]?.[column];
}

function col(entity: string, column: string): Column {
  const c = source.entities.get(entity)?.columns.get(column);
  if (!c) throw new Error(`${entity}.${column} is not in the solution`);
  return c;
}

describe("solution source files", () => {
  const files = allFiles(srcDir);

  test("every file is XML and well-formed", () => {
    expect(files.length).toBeGreaterThan(40);
    const bad = files
      .map((f) => ({
        f: relative(srcDir, f),
        r: f.endsWith(".xml") ? XMLValidator.validate(readFileSync(f, "utf8")) : "not an .xml file",
      }))
      .filter(({ r }) => r !== true);
    expect(bad).toEqual([]);
  });

  test("the folders follow the pac solution unpack layout", () => {
    const top = [...new Set(files.map((f) => relative(srcDir, f).split(/[\\/]/)[0]))].sort();
    expect(top).toEqual([
      "AppModuleSiteMaps",
      "AppModules",
      "Controls",
      "Dashboards",
      "Entities",
      "OptionSets",
      "Other",
      "Roles",
    ]);
    for (const f of [
      "Other/Solution.xml",
      "Other/Customizations.xml",
      "Other/Relationships.xml",
      "Other/FieldSecurityProfiles.xml",
    ]) {
      expect(files).toContain(join(srcDir, f));
    }
    const forms = files.filter((f) => /[\\/]FormXml[\\/]/.test(f)).map((f) => relative(srcDir, f));
    for (const f of forms) expect(f).toMatch(/^Entities\/[^/]+\/FormXml\/(main|quick)\/\{[0-9a-f-]{36}\}\.xml$/);
    const views = files.filter((f) => /[\\/]SavedQueries[\\/]/.test(f)).map((f) => relative(srcDir, f));
    for (const f of views) expect(f).toMatch(/^Entities\/[^/]+\/SavedQueries\/\{[0-9a-f-]{36}\}\.xml$/);
  });

  test("form and view files are named by the id they hold", () => {
    for (const v of source.views) expect(v.file.endsWith(`${v.id}.xml`)).toBe(true);
    for (const f of source.forms) expect(f.file.endsWith(`${f.id}.xml`)).toBe(true);
  });
});

describe("publisher and solution manifest", () => {
  const manifest = children(readXml(join(srcDir, "Other", "Solution.xml"))["ImportExportXml"], "SolutionManifest")[0];
  const publisher = children(manifest, "Publisher")[0];

  test("publisher ct with option value prefix 10000, solution CustomerTiering at package.json's version", () => {
    expect(text(manifest, "UniqueName")).toBe("CustomerTiering");
    expect(text(publisher, "CustomizationPrefix")).toBe("ct");
    expect(text(publisher, "CustomizationOptionValuePrefix")).toBe("10000");
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    expect(text(manifest, "Version")).toBe(solutionVersion(pkg.version));
  });

  test("root components list exactly the components in the source", () => {
    const roots = children(children(manifest, "RootComponents")[0], "RootComponent").map((r) => ({
      type: attr(r, "type"),
      key: (attr(r, "schemaName") || attr(r, "id")).toLowerCase(),
    }));
    const of = (type: string) =>
      roots
        .filter((r) => r.type === type)
        .map((r) => r.key)
        .sort();
    expect(of("1")).toEqual([...source.entities.keys()].sort());
    expect(of("9")).toEqual([...source.optionSets.keys()].sort());
    expect(of("20")).toEqual(source.roles.map((r) => r.id.toLowerCase()).sort());
    const profiles = children(
      readXml(join(srcDir, "Other", "FieldSecurityProfiles.xml"))["FieldSecurityProfiles"],
      "FieldSecurityProfile",
    );
    expect(of("70")).toEqual(profiles.map((p) => attr(p, "fieldsecurityprofileid").toLowerCase()).sort());
    expect(of("66")).toEqual(readdirSync(join(srcDir, "Controls")).map((c) => c.toLowerCase()));
    // No SDK message processing steps (type 92): `tiering configure` registers them (issue 13).
    expect(of("92")).toEqual([]);
    const endpoints = children(
      children(readXml(join(srcDir, "Other", "Customizations.xml"))["ImportExportXml"], "ServiceEndpoints")[0],
      "ServiceEndpoint",
    );
    expect(of("95")).toEqual(endpoints.map((e) => attr(e, "ServiceEndpointId").toLowerCase()));
    // The app (80), its site map (62), the dashboards (60); the rest of types 26/59/60: test/solution/app.test.ts.
    expect(of("80")).toEqual(readdirSync(join(srcDir, "AppModules")).map((a) => a.toLowerCase()));
    expect(of("62")).toEqual(readdirSync(join(srcDir, "AppModuleSiteMaps")).map((a) => a.toLowerCase()));
    expect(roots.length).toBe(new Set(roots.map((r) => `${r.type}/${r.key}`)).size);
  });

  test("everything custom carries the ct_ prefix and the 10000 option value prefix", () => {
    for (const e of source.entities.values()) {
      if (e.logicalName !== "account") expect(e.logicalName).toMatch(/^ct_/);
      for (const c of e.columns.values()) {
        if (
          !["primarykey", "state", "status"].includes(c.type) &&
          !["createdon", "modifiedon"].includes(c.logicalName)
        ) {
          expect(c.logicalName).toMatch(/^ct_/);
        }
      }
    }
    for (const o of source.optionSets.values()) {
      expect(o.name).toMatch(/^ct_/);
      for (const v of o.options) expect(Math.floor(v.value / 10000)).toBe(10000);
    }
  });
});

describe("global choices agree with src/engine/choices.ts (docs/data-model.md)", () => {
  const values = (name: string) =>
    Object.fromEntries(source.optionSets.get(name)!.options.map((o) => [o.label, o.value]));

  test("ct_tier: AAA, A, B, C in rank order", () => {
    expect(values("ct_tier")).toEqual(TIER_OPTIONS);
    const opts = source.optionSets.get("ct_tier")!.options;
    expect(opts.map((o) => o.value)).toEqual([...opts.map((o) => o.value)].sort((a, b) => a - b));
  });

  test("ct_trend", () => {
    const byValue = new Map(source.optionSets.get("ct_trend")!.options.map((o) => [o.value, o.label.toLowerCase()]));
    for (const [code, value] of Object.entries(TREND_OPTIONS))
      expect(byValue.get(value)).toContain(code === "insufficient" ? "insufficient" : code);
    expect(byValue.size).toBe(Object.keys(TREND_OPTIONS).length);
  });

  test("ct_touchchannel", () => {
    const lower = Object.fromEntries(Object.entries(values("ct_touchchannel")).map(([k, v]) => [k.toLowerCase(), v]));
    expect(lower).toEqual(CHANNEL_OPTIONS);
  });
});

describe("tables and columns of docs/data-model.md", () => {
  const account: [string, string, string?][] = [
    ["ct_tier", "picklist", "ct_tier"],
    ["ct_computedtier", "picklist", "ct_tier"],
    ["ct_tierscore", "decimal"],
    ["ct_tierreason", "ntext"],
    ["ct_tiercalculatedon", "datetime"],
    ["ct_tierchangedon", "datetime"],
    ["ct_previoustier", "picklist", "ct_tier"],
    ["ct_tieroverride", "picklist", "ct_tier"],
    ["ct_tieroverridereason", "nvarchar"],
    ["ct_tieroverrideuntil", "datetime"],
    ["ct_trend", "picklist", "ct_trend"],
    ["ct_trenddelta", "decimal"],
    ["ct_revenue12m", "money"],
    ["ct_lasttouchon", "datetime"],
    ["ct_nexttouchdue", "datetime"],
    ["ct_cadencedays", "int"],
    ["ct_touchchannel", "picklist", "ct_touchchannel"],
    ["ct_overtouched", "bit"],
    ["ct_servicerepid", "lookup"],
  ];

  test("account has exactly the ct_ columns, each with its type, display name and description", () => {
    expect([...source.entities.get("account")!.columns.keys()].sort()).toEqual(account.map(([n]) => n).sort());
    for (const [name, type, optionSet] of account) {
      const c = col("account", name);
      expect([name, c.type, c.optionSetName]).toEqual([name, type, optionSet ?? ""]);
      expect(c.displayName.length).toBeGreaterThan(2);
      expect(c.description.length).toBeGreaterThan(10);
    }
    expect(col("account", "ct_nexttouchdue").format).toBe("date");
  });

  test("every picklist column uses a global choice of the solution", () => {
    for (const e of source.entities.values()) {
      for (const c of e.columns.values())
        if (c.type === "picklist") expect(source.optionSets.has(c.optionSetName)).toBe(true);
    }
  });

  test("ct_tiermodel, ct_tierpolicy and ct_tierhistory hold what the design says", () => {
    const has = (entity: string, cols: Record<string, string>) => {
      for (const [name, type] of Object.entries(cols))
        expect([entity, name, columnType(entity, name)]).toEqual([entity, name, type]);
    };
    has("ct_tiermodel", {
      ct_name: "nvarchar",
      ct_modeljson: "ntext",
      ct_cutpointsjson: "ntext",
      ct_kpiquantilesjson: "ntext",
      ct_previewsamplejson: "ntext",
      ct_rankedmodeljson: "ntext",
      ct_modelstatus: "nvarchar",
      ct_lastrerankon: "datetime",
    });
    has("ct_tierpolicy", {
      ct_tier: "picklist",
      ct_cadencedays: "int",
      ct_touchchannel: "picklist",
      ct_gracedays: "int",
      ct_touchdormant: "bit",
      ct_serviceprivileges: "ntext",
      ct_responsetimehours: "int",
    });
    has("ct_tierhistory", {
      ct_accountid: "lookup",
      ct_fromtier: "picklist",
      ct_totier: "picklist",
      ct_score: "decimal",
      ct_reason: "ntext",
      ct_source: "picklist",
      ct_changedon: "datetime",
    });
    const sources = source.optionSets
      .get(col("ct_tierhistory", "ct_source").optionSetName)!
      .options.map((o) => o.label.toLowerCase().replace(/[^a-z]/g, ""));
    expect(sources).toEqual(["rerank", "save", "override"]);
  });

  test("each lookup has its relationship, and Relationships.xml lists them all", () => {
    const relDir = join(srcDir, "Other", "Relationships");
    const rels = readdirSync(relDir).flatMap((f) =>
      children(readXml(join(relDir, f))["EntityRelationships"], "EntityRelationship"),
    );
    const lookups = [...source.entities.values()].flatMap((e) =>
      [...e.columns.values()].filter((c) => c.type === "lookup"),
    );
    expect(lookups.length).toBe(3); // history → account, account → service rep, policy → service rep team
    for (const l of lookups) {
      const match = rels.filter(
        (r) =>
          text(r, "ReferencingEntityName").toLowerCase() === l.entity &&
          text(r, "ReferencingAttributeName").toLowerCase() === l.logicalName,
      );
      expect([l.logicalName, match.length]).toEqual([l.logicalName, 1]);
    }
    const listed = children(
      readXml(join(srcDir, "Other", "Relationships.xml"))["EntityRelationships"],
      "EntityRelationship",
    ).map((r) => attr(r, "Name"));
    expect(listed.sort()).toEqual(rels.map((r) => attr(r, "Name")).sort());
    const history = rels.find((r) => text(r, "ReferencingAttributeName").toLowerCase() === "ct_accountid")!;
    expect(text(history, "CascadeDelete")).toBe("Cascade");
  });
});

describe("views", () => {
  test("every column a view shows, selects, filters or orders on exists", () => {
    const missing = source.views.flatMap((v) => v.refs).filter((r) => columnType(r.entity, r.column) === undefined);
    expect(missing).toEqual([]);
  });

  interface Condition {
    attribute: string;
    operator: string;
    values: string[];
  }
  /** Every <condition> of a view's fetch, wherever it is nested, in document order. */
  function conditionsOf(node: unknown): Condition[] {
    if (!node || typeof node !== "object") return [];
    if (Array.isArray(node)) return node.flatMap(conditionsOf);
    return Object.entries(node as Record<string, unknown>).flatMap(([k, child]) => {
      if (k !== "condition") return conditionsOf(child);
      return (Array.isArray(child) ? child : [child]).map((c: Record<string, string>) => ({
        attribute: c["@_attribute"],
        operator: c["@_operator"],
        values: c["@_value"] !== undefined ? [c["@_value"]] : children(c, "value").map((x) => String(x["#text"])),
      }));
    });
  }

  test("every condition on a choice column uses one of its options", () => {
    let checked = 0;
    for (const v of source.views) {
      for (const c of conditionsOf(v.fetch)) {
        const column = source.entities.get(v.entity)?.columns.get(c.attribute);
        if (column?.type !== "picklist") continue;
        const allowed = source.optionSets.get(column.optionSetName)!.options.map((o) => String(o.value));
        for (const value of c.values)
          expect([v.name, c.attribute, value, allowed.includes(value)]).toEqual([v.name, c.attribute, value, true]);
        checked += c.values.length;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  const byName = (name: string) => {
    const v = source.views.find((x) => x.entity === "account" && x.name === name);
    if (!v) throw new Error(`no account view "${name}"`);
    return v;
  };
  const conditions = (name: string) => conditionsOf(byName(name).fetch);
  const active = { attribute: "statecode", operator: "eq", values: ["0"] };
  const aaaOrA = { attribute: "ct_tier", operator: "in", values: [String(TIER_OPTIONS.AAA), String(TIER_OPTIONS.A)] };

  test("the account views sales managers asked for filter what their names say", () => {
    expect(conditions("AAA accounts")).toEqual([
      active,
      { attribute: "ct_tier", operator: "eq", values: [String(TIER_OPTIONS.AAA)] },
    ]);
    // On a date-only column, "older than 1 day" is exactly "due before today".
    expect(conditions("Touch overdue – AAA and A")).toEqual([
      active,
      aaaOrA,
      { attribute: "ct_nexttouchdue", operator: "olderthan-x-days", values: ["1"] },
    ]);
    // AAA first (the lowest option value), then the longest overdue.
    const orders = children(byName("Touch overdue – AAA and A").fetch, "order");
    expect(orders.map((o) => `${String(o["@_attribute"])} ${String(o["@_descending"])}`)).toEqual([
      "ct_tier false",
      "ct_nexttouchdue false",
    ]);
    expect(col("account", "ct_nexttouchdue").format).toBe("date");
    expect(conditions("Declining top accounts")).toEqual([
      active,
      aaaOrA,
      { attribute: "ct_trend", operator: "eq", values: [String(TREND_OPTIONS.declining)] },
    ]);
    expect(conditions("My super customers")).toEqual([
      active,
      { attribute: "ownerid", operator: "eq-userid", values: [] },
      { attribute: "ct_tier", operator: "eq", values: [String(TIER_OPTIONS.AAA)] },
    ]);
    expect(
      byName("Accounts by tier")
        .refs.filter((r) => r.where.endsWith("fetch order"))
        .map((r) => r.column),
    ).toEqual(["ct_tier", "ct_tierscore"]);
  });

  test("Active Accounts (the system view) shows ct_tier so any view can be filtered by tier", () => {
    const active = byName("Active Accounts");
    expect(active.id.toLowerCase()).toBe("{00000000-0000-0000-00aa-000010001002}");
    expect(active.refs.filter((r) => r.column === "ct_tier").map((r) => r.where.split(": ")[1])).toEqual([
      "layout cell",
      "fetch attribute",
    ]);
  });

  test("each custom table has its default, quick find and lookup views", () => {
    for (const e of ["ct_tiermodel", "ct_tierpolicy", "ct_tierhistory"]) {
      const types = source.views.filter((v) => v.entity === e).map((v) => v.queryType);
      expect(types).toEqual(expect.arrayContaining([0, 4, 64]));
    }
  });
});

describe("forms and the control bindings", () => {
  /** Each control the project builds (a folder with its ControlManifest.Input.xml): name → its properties. */
  const manifests = new Map(
    ["src/control", "src/model-editor"].map((dir) => {
      const control = children(readXml(join(root, dir, "ControlManifest.Input.xml"))["manifest"], "control")[0];
      const groups = new Map(
        children(control, "type-group").map((g) => [
          attr(g, "name"),
          children(g, "type").map((t) => String(t["#text"])),
        ]),
      );
      const properties = new Map(
        children(control, "property").map((p) => [
          attr(p, "name"),
          {
            usage: attr(p, "usage"),
            required: attr(p, "required") === "true",
            types: attr(p, "of-type") ? [attr(p, "of-type")] : (groups.get(attr(p, "of-type-group")) ?? []),
            values: children(p, "value").map((v) => String(v["#text"])),
          },
        ]),
      );
      return [`ct_${attr(control, "namespace")}.${attr(control, "constructor")}` as string, properties] as const;
    }),
  );

  /** The PCF type a column offers to a bound property (https://learn.microsoft.com/power-apps/developer/component-framework/manifest-schema-reference/type). */
  function pcfType(c: Column): string {
    switch (c.type) {
      case "picklist":
        return "OptionSet";
      case "decimal":
        return "Decimal";
      case "money":
        return "Currency";
      case "int":
        return "Whole.None";
      case "ntext":
        return "Multiple";
      case "lookup":
        return "Lookup.Simple";
      case "datetime":
        return c.format === "date" ? "DateAndTime.DateOnly" : "DateAndTime.DateAndTime";
      case "nvarchar":
        return c.format === "textarea" ? "SingleLine.TextArea" : "SingleLine.Text";
      default:
        return `(${c.type})`;
    }
  }

  test("every column a form shows exists", () => {
    const missing = source.forms.flatMap((f) => f.refs).filter((r) => columnType(r.entity, r.column) === undefined);
    expect(missing).toEqual([]);
    expect(source.forms.map((f) => `${f.entity}/${f.type}`).sort()).toEqual([
      "account/main",
      "account/quick",
      "ct_tierhistory/main",
      "ct_tiermodel/main",
      "ct_tierpolicy/main",
    ]);
  });

  test("the account main form has a Customer tier section hosting the control on ct_tier", () => {
    const main = source.forms.find((f) => f.entity === "account" && f.type === "main")!;
    const xml = readFileSync(main.file, "utf8");
    expect(xml).toMatch(/<section name="customer_tier"[^>]*>\s*<labels>\s*<label description="Customer tier"/);
    expect(main.bindings.map((b) => b.formFactor).sort()).toEqual(["0", "1", "2"]);
  });

  test("each binding names the control the solution ships and binds properties to columns of the right type", () => {
    const bindings = source.forms.flatMap((f) => f.bindings.map((b) => ({ f, b })));
    expect(bindings.length).toBe(9);
    for (const { f, b } of bindings) {
      const properties = manifests.get(b.control)!;
      expect([b.control, properties !== undefined]).toEqual([b.control, true]);
      expect(readdirSync(join(srcDir, "Controls"))).toContain(b.control);
      for (const [prop, column] of b.bound) {
        const p = properties.get(prop);
        expect([prop, p?.usage]).toEqual([prop, "bound"]);
        const c = col(f.entity, column);
        expect([prop, column, p!.types.includes(pcfType(c))]).toEqual([prop, column, true]);
      }
      for (const [prop, value] of b.statics) {
        const p = properties.get(prop);
        expect([prop, p?.usage]).toEqual([prop, "input"]);
        if (p!.values.length > 0) expect(p!.values).toContain(value);
      }
      for (const [name, p] of properties)
        if (p.required && p.usage === "bound") expect([name, b.bound.has(name)]).toEqual([name, true]);
      if (b.control.endsWith(".TierBadge")) expect(b.bound.get("tier")).toBe("ct_tier");
    }
  });

  test("the tier model form hosts the model editor on ct_modeljson, with the re-rank's preview sample", () => {
    const form = source.forms.find((f) => f.entity === "ct_tiermodel" && f.type === "main")!;
    expect(form.bindings.map((b) => [b.control, b.formFactor]).sort()).toEqual(
      ["0", "1", "2"].map((ff) => ["ct_CustomerTiering.TierModelEditor", ff]),
    );
    for (const b of form.bindings) {
      expect(b.bound.get("model")).toBe("ct_modeljson");
      expect(b.bound.get("previewSample")).toBe("ct_previewsamplejson");
    }
  });
});

describe("security", () => {
  const secured = [...source.entities.values()].flatMap((e) => [...e.columns.values()].filter((c) => c.secured));
  const profiles = [...new Set(source.fieldPermissions.map((p) => p.profile))];

  test("the tier columns are secured and Customer tier readers can read every one of them", () => {
    expect(secured.map((c) => c.logicalName)).toEqual(
      expect.arrayContaining([
        "ct_tier",
        "ct_computedtier",
        "ct_tierscore",
        "ct_tierreason",
        "ct_tieroverride",
        "ct_fromtier",
        "ct_totier",
      ]),
    );
    expect(profiles).toContain("Customer tier readers");
    const readers = source.fieldPermissions.filter((p) => p.profile === "Customer tier readers");
    for (const c of secured) {
      const p = readers.find((x) => x.entity === c.entity && x.column === c.logicalName);
      expect([c.logicalName, p?.canRead, p?.canUpdate]).toEqual([c.logicalName, true, false]);
    }
  });

  test("field permissions only name secured columns, and the writers profile can update them", () => {
    for (const p of source.fieldPermissions)
      expect([p.entity, p.column, col(p.entity, p.column).secured]).toEqual([p.entity, p.column, true]);
    const writers = source.fieldPermissions.filter((p) => p.profile === "Customer tier writers");
    expect(writers.length).toBe(secured.length);
    expect(writers.every((p) => p.canRead && p.canUpdate)).toBe(true);
  });

  const privilegeTarget = /^prv(Create|Read|Write|Delete|Append|AppendTo|Assign|Share)(.+)$/;
  test("role privileges on custom tables name tables of the solution", () => {
    for (const r of source.roles) {
      for (const p of r.privileges) {
        const m = privilegeTarget.exec(p.name);
        expect([r.name, p.name, !!m]).toEqual([r.name, p.name, true]);
        // Privileges are named after the table's schema name (prvReadContact, prvReadct_TierModel).
        if (m![2].toLowerCase().startsWith("ct_"))
          expect([p.name, source.entities.get(m![2].toLowerCase())?.schemaName]).toEqual([p.name, m![2]]);
        expect(["Basic", "Local", "Deep", "Global"]).toContain(p.level);
      }
    }
  });

  test("the service's role is least privilege: reads the sources, writes only accounts, history, the model and programme tasks", () => {
    const role = source.roles.find((r) => r.name === "Customer Tiering service")!;
    const names = role.privileges.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "prvReadInvoice",
        "prvReadOpportunity",
        "prvReadActivity",
        "prvReadct_TierModel",
        "prvReadct_TierPolicy",
        "prvReadContact",
        "prvReadUser",
        "prvWriteAccount",
        "prvCreatect_TierHistory",
        "prvWritect_TierHistory",
      ]),
    );
    const writes = names.filter((n) => /^prv(Create|Write|Delete|Assign|Share)/.test(n)).sort();
    // Activity create + assign: the tier programme's tasks, created for (owned by) the rep or the account owner.
    expect(writes).toEqual([
      "prvAssignActivity",
      "prvCreateActivity",
      "prvCreatect_TierHistory",
      "prvCreatect_TierModel",
      "prvCreatect_TierPolicy",
      "prvWriteAccount",
      "prvWritect_TierHistory",
      "prvWritect_TierModel",
    ]);
  });

  test("salespeople and managers can read the tier policies (the privileges line of the badge)", () => {
    for (const name of ["Customer Tiering salesperson", "Customer Tiering manager"]) {
      const names = source.roles.find((r) => r.name === name)!.privileges.map((p) => p.name);
      expect([name, names]).toEqual([name, expect.arrayContaining(["prvReadct_TierPolicy"])]);
    }
  });

  test("Tier model manager can maintain the model and the policies", () => {
    const names = source.roles.find((r) => r.name === "Tier model manager")!.privileges.map((p) => p.name);
    for (const e of ["ct_TierModel", "ct_TierPolicy"])
      for (const v of ["Create", "Read", "Write"]) expect(names).toContain(`prv${v}${e}`);
  });
});

describe("webhook", () => {
  const endpoints = children(
    children(readXml(join(srcDir, "Other", "Customizations.xml"))["ImportExportXml"], "ServiceEndpoints")[0],
    "ServiceEndpoint",
  );

  test("one service endpoint: contract 8 (Webhook), WebhookKey auth, JSON, placeholder URL", () => {
    expect(endpoints.length).toBe(1);
    const e = endpoints[0];
    expect(attr(e, "Name")).toBe(WEBHOOK_ENDPOINT_NAME);
    expect([text(e, "Contract"), text(e, "AuthType"), text(e, "MessageFormat")]).toEqual(["8", "4", "2"]);
    expect(new URL(text(e, "Url")).hostname.endsWith(".invalid")).toBe(true);
  });

  test("every column a step filters on or images exists on its table", () => {
    const missing = readStepRegistrations(srcDir).flatMap((s) =>
      [...s.filteringAttributes, ...s.images.flatMap((i) => i.attributes)]
        .filter((c) => columnType(s.primaryEntity, c) === undefined)
        .map((c) => `${s.name}: ${c}`),
    );
    expect(missing).toEqual([]);
  });
});

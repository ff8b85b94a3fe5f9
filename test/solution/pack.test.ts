import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { XMLParser } from "fast-xml-parser";
import { repoRoot } from "../../solution/scripts/source-dir";
import { PLACEHOLDER_ENDPOINT_URL } from "../../solution/scripts/endpoint";
import {
  buildCustomizationsXml,
  packSolution,
  solutionVersion,
  zipFileName,
  type PackInput,
} from "../../solution/scripts/pack";

const root = repoRoot();
const srcDir = join(root, "solution", "src");
const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
const CONTROL = "ct_CustomerTiering.TierBadge";

let work: string;
let fixtureControl: string;

const EDITOR = "ct_CustomerTiering.TierModelEditor";

/**
 * What `pcf-scripts build` writes for the project: a folder per control folder (src/control, src/model-editor), each
 * with ControlManifest.xml, bundle.js and the resources it names.
 */
function writeFixtureControl(dir: string): void {
  const one = (folder: string, ctor: string, resx: string) => {
    mkdirSync(join(dir, folder, "strings"), { recursive: true });
    writeFileSync(
      join(dir, folder, "ControlManifest.xml"),
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<manifest><control namespace="CustomerTiering" constructor="${ctor}" version="0.1.0" control-type="virtual">
<property name="p" of-type="Multiple" usage="bound" required="true"/>
<resources><code path="bundle.js" order="1"/><resx path="strings/${resx}" version="1.0.0"/></resources>
</control></manifest>`,
    );
    writeFileSync(join(dir, folder, "bundle.js"), `var pcf_tools_652ac3f36e1e4bca82eb3c1dc44e6fad = {}; // ${ctor}\n`);
    writeFileSync(join(dir, folder, "strings", resx), "<root></root>\n");
  };
  one("control", "TierBadge", "TierBadge.1033.resx");
  one("model-editor", "TierModelEditor", "TierModelEditor.1033.resx");
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "ct-pack-"));
  fixtureControl = join(work, "control");
  writeFixtureControl(fixtureControl);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const input = (over: Partial<PackInput> = {}): PackInput => ({
  srcDir,
  controlDir: fixtureControl,
  version,
  managed: false,
  ...over,
});
const unzip = (zip: Uint8Array) => unzipSync(zip);
const textOf = (files: Record<string, Uint8Array>, name: string) => new TextDecoder().decode(files[name]);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
});

describe("packSolution", () => {
  test("the zip has the layout of a solution exported from Dataverse", () => {
    const files = unzip(packSolution(input()));
    // A real export (FranBellCast/JSMultiTagPCF, an exported PCF solution): [Content_Types].xml, solution.xml,
    // customizations.xml at the root and Controls/<prefix>_<namespace>.<constructor>/ with the built control.
    expect(Object.keys(files)).toEqual([
      `Controls/${CONTROL}/ControlManifest.xml`,
      `Controls/${CONTROL}/bundle.js`,
      `Controls/${CONTROL}/strings/TierBadge.1033.resx`,
      `Controls/${EDITOR}/ControlManifest.xml`,
      `Controls/${EDITOR}/bundle.js`,
      `Controls/${EDITOR}/strings/TierModelEditor.1033.resx`,
      "[Content_Types].xml",
      "customizations.xml",
      "solution.xml",
    ]);
    expect(textOf(files, `Controls/${CONTROL}/bundle.js`)).toBe(
      readFileSync(join(fixtureControl, "control", "bundle.js"), "utf8"),
    );
    const types = textOf(files, "[Content_Types].xml");
    expect(types).toContain('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">');
    expect(types).toContain('<Default Extension="xml" ContentType="text/xml" />');
    expect(types).toContain('<Default Extension="js" ContentType="application/octet-stream" />');
    expect(types).toContain('<Default Extension="resx" ContentType="application/octet-stream" />');
    expect(types).toContain(
      `<Override PartName="/Controls/${CONTROL}/ControlManifest.xml" ContentType="application/octet-stream" />`,
    );
  });

  test("solution.xml carries package.json's version and the package type", () => {
    const unmanaged = textOf(unzip(packSolution(input())), "solution.xml");
    const managed = textOf(unzip(packSolution(input({ managed: true }))), "solution.xml");
    expect(unmanaged).toContain(`<Version>${solutionVersion(version)}</Version>`);
    expect(unmanaged).toContain("<Managed>0</Managed>");
    expect(managed).toContain("<Managed>1</Managed>");
    expect(managed.replace("<Managed>1</Managed>", "<Managed>0</Managed>")).toBe(unmanaged);
    expect(textOf(unzip(packSolution(input({ version: "2.3.4" }))), "solution.xml")).toContain(
      "<Version>2.3.4.0</Version>",
    );
  });

  test("customizations.xml holds every component of the source, in the schema's order", () => {
    const xml = textOf(unzip(packSolution(input())), "customizations.xml");
    const doc = parser.parse(xml).ImportExportXml[0];
    const order = Object.keys(doc).filter((k) => !k.startsWith("@_"));
    // The sequence of ImportExportXml in CustomizationsSolution.xsd (Microsoft Learn, "Customization solutions file schema").
    const schemaOrder = [
      "Entities",
      "Roles",
      "Workflows",
      "FieldSecurityProfiles",
      "Templates",
      "EntityMaps",
      "EntityRelationships",
      "OrganizationSettings",
      "optionsets",
      "Dashboards",
      "CustomControls",
      "SolutionPluginAssemblies",
      "SdkMessageProcessingSteps",
      "ServiceEndpoints",
      "AppModuleSiteMaps",
      "AppModules",
      "EntityDataProviders",
      "Languages",
    ];
    expect(order).toEqual(schemaOrder.filter((k) => order.includes(k)));
    const entities = doc.Entities[0].Entity;
    expect(entities.map((e: { Name: { "#text": string }[] }) => e.Name[0]["#text"])).toEqual([
      "Account",
      "ct_TierHistory",
      "ct_TierModel",
      "ct_TierPolicy",
    ]);
    const views = entities.flatMap(
      (e: { SavedQueries: { savedqueries?: { savedquery: unknown[] }[] }[] }) =>
        e.SavedQueries[0].savedqueries?.[0].savedquery ?? [],
    );
    expect(views.length).toBe(25);
    const forms = entities.flatMap((e: { FormXml: { forms?: { "@_type": string; systemform: unknown[] }[] }[] }) =>
      (e.FormXml[0].forms ?? []).map((f) => `${f["@_type"]}:${f.systemform.length}`),
    );
    expect(forms.sort()).toEqual(["main:1", "main:1", "main:1", "main:1", "quick:1"]);
    // No steps (issue 13): an imported step would queue a failing System Job per save until `tiering configure`
    // has set the endpoint's URL and key; configure registers them (solution/steps).
    expect(doc.SdkMessageProcessingSteps?.[0]?.SdkMessageProcessingStep).toBeUndefined();
    expect(doc.optionsets[0].optionset.map((o: { "@_Name": string }) => o["@_Name"])).toEqual([
      "ct_tier",
      "ct_tierchangesource",
      "ct_touchchannel",
      "ct_trend",
    ]);
    expect(doc.Roles[0].Role.length).toBe(4);
    expect(doc.FieldSecurityProfiles[0].FieldSecurityProfile.length).toBe(2);
    expect(doc.EntityRelationships[0].EntityRelationship.length).toBe(3);
    expect(doc.CustomControls[0].CustomControl[0].Name[0]).toBe(CONTROL);
    expect(doc.CustomControls[0].CustomControl[0].FileName[0]).toBe(`/Controls/${CONTROL}/ControlManifest.xml`);
    expect(doc.CustomControls[0].CustomControl[1].Name[0]).toBe(EDITOR);
    expect(doc.ServiceEndpoints[0].ServiceEndpoint.length).toBe(1);
    // Only the document root declares the xsi namespace, as in an export.
    expect(xml.match(/xmlns:xsi=/g)).toHaveLength(1);
    expect(xml).not.toContain('<?xml version="1.0" encoding="utf-8"?>\n<Entity');
  });

  test("the zip ships the service endpoint but no SdkMessageProcessingStep: an import alone queues nothing", () => {
    for (const managed of [false, true]) {
      const files = unzip(packSolution(input({ managed })));
      const custom = textOf(files, "customizations.xml");
      const solution = textOf(files, "solution.xml");
      expect(custom).not.toMatch(/<SdkMessageProcessingStep[\s>]/);
      expect(custom).not.toContain("SdkMessageProcessingStepImage");
      expect(solution).not.toMatch(/<RootComponent type="92"/);
      // The endpoint stays: `tiering configure` finds it by name, sets its URL and key, then registers the steps.
      expect(custom).toContain(`<ServiceEndpoint ServiceEndpointId="{6f3c0d2e-8a41-4c5b-9e0f-1d2a3b4c5d61}"`);
      expect(custom).toContain(PLACEHOLDER_ENDPOINT_URL);
      expect(solution).toMatch(/<RootComponent type="95" id="\{6f3c0d2e-8a41-4c5b-9e0f-1d2a3b4c5d61\}"/);
    }
  });

  test("the same input gives byte-identical zips, whatever the time zone", () => {
    const a = packSolution(input());
    expect(Buffer.from(packSolution(input())).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(packSolution(input({ managed: true }))).equals(Buffer.from(a))).toBe(false);
    // Other processes in other time zones (the zip's DOS timestamps are local time).
    const script = `const { packSolution } = require(${JSON.stringify(join(root, "solution", "scripts", "pack.ts"))});
process.stdout.write(require("node:crypto").createHash("sha256").update(packSolution(${JSON.stringify(input())})).digest("hex"));`;
    const digest = (tz: string) =>
      execFileSync(process.execPath, ["--require", require.resolve("tsx/cjs"), "-e", script], {
        cwd: root,
        env: { ...process.env, TZ: tz },
        encoding: "utf8",
      });
    const here = createHash("sha256").update(a).digest("hex");
    expect(digest("UTC")).toBe(here);
    expect(digest("Pacific/Kiritimati")).toBe(here);
    expect(digest("America/Los_Angeles")).toBe(here);
  }, 60_000);

  test("a change anywhere in the source changes the zip", () => {
    const copy = join(work, "src-copy");
    cpSync(srcDir, copy, { recursive: true });
    const before = packSolution(input({ srcDir: copy }));
    const view = join(copy, "Entities", "Account", "SavedQueries", "{00000000-0000-0000-00aa-000010001002}.xml");
    writeFileSync(view, readFileSync(view, "utf8").replace('width="300"', 'width="301"'));
    const after = packSolution(input({ srcDir: copy }));
    expect(Buffer.from(after).equals(Buffer.from(before))).toBe(false);
    expect(textOf(unzip(after), "customizations.xml")).toContain('width="301"');
  });

  test("refuses a control that is not built, not this control, or missing a resource", () => {
    expect(() => packSolution(input({ controlDir: join(work, "nowhere") }))).toThrow(
      /ControlManifest.xml is missing: build the control first/,
    );
    const other = join(work, "other-control");
    writeFixtureControl(other);
    const otherManifest = join(other, "control", "ControlManifest.xml");
    writeFileSync(
      otherManifest,
      readFileSync(otherManifest, "utf8").replace('constructor="TierBadge"', 'constructor="Other"'),
    );
    expect(() => packSolution(input({ controlDir: other }))).toThrow(
      /control ct_CustomerTiering.Other \(publisher prefix ct\) is not in solution\/src\/Controls/,
    );
    // One of the solution's controls not built: named, with how to build it.
    const half = join(work, "half-built");
    writeFixtureControl(half);
    rmSync(join(half, "model-editor"), { recursive: true });
    expect(() => packSolution(input({ controlDir: half }))).toThrow(
      /Controls\/ct_CustomerTiering.TierModelEditor: not built in .*half-built/,
    );
    const partial = join(work, "partial-control");
    writeFixtureControl(partial);
    rmSync(join(partial, "control", "strings"), { recursive: true });
    expect(() => packSolution(input({ controlDir: partial }))).toThrow(
      /names strings\/TierBadge.1033.resx, which is not in/,
    );
  });

  test("refuses a version Dataverse cannot take, and a source whose placeholder is gone", () => {
    expect(() => packSolution(input({ version: "1.0.0-beta.1" }))).toThrow(/not x.y.z/);
    const copy = join(work, "src-broken");
    cpSync(srcDir, copy, { recursive: true });
    const custom = join(copy, "Other", "Customizations.xml");
    writeFileSync(custom, readFileSync(custom, "utf8").replace("<Roles />", ""));
    expect(() => buildCustomizationsXml(copy)).toThrow(/Customizations.xml: expected exactly one <Roles \/> to fill/);
  });

  test("a component file with no entries packs as an empty section", () => {
    const copy = join(work, "src-empty-fsp");
    cpSync(srcDir, copy, { recursive: true });
    writeFileSync(
      join(copy, "Other", "FieldSecurityProfiles.xml"),
      '<?xml version="1.0" encoding="utf-8"?>\n<FieldSecurityProfiles xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" />\n',
    );
    expect(buildCustomizationsXml(copy)).toContain("<FieldSecurityProfiles></FieldSecurityProfiles>");
  });

  test("zip names follow CustomerTiering_<version>_<type>.zip", () => {
    expect(zipFileName("0.1.0", false)).toBe("CustomerTiering_0.1.0_unmanaged.zip");
    expect(zipFileName("0.1.0", true)).toBe("CustomerTiering_0.1.0_managed.zip");
  });
});

describe("packing the real build of both controls", () => {
  let built: string;
  beforeAll(() => {
    // Its own outDir, so the shared out/ of other builds is left alone. About 10-60 s.
    built = join(work, "built-control");
    execFileSync(
      process.execPath,
      [
        join(root, "node_modules", "pcf-scripts", "bin", "pcf-scripts.js"),
        "build",
        "--buildMode",
        "production",
        "--outDir",
        built,
      ],
      { cwd: root, stdio: "pipe" },
    );
  }, 240_000);

  test("the production build packs into a zip with the control's bundle, manifest and strings", () => {
    const files = unzip(packSolution(input({ controlDir: built })));
    const names = Object.keys(files);
    expect(names).toEqual(
      expect.arrayContaining([`Controls/${CONTROL}/ControlManifest.xml`, `Controls/${CONTROL}/bundle.js`]),
    );
    expect(
      names.some((n) => /^Controls\/ct_CustomerTiering\.TierBadge\/.*strings\/TierBadge\.1033\.resx$/.test(n)),
    ).toBe(true);
    const manifest = textOf(files, `Controls/${CONTROL}/ControlManifest.xml`);
    expect(manifest).toContain('namespace="CustomerTiering" constructor="TierBadge"');
    expect(files[`Controls/${CONTROL}/bundle.js`].length).toBeGreaterThan(1000);
    expect(existsSync(join(built, "control", "bundle.js"))).toBe(true);
    expect(textOf(files, `Controls/${EDITOR}/ControlManifest.xml`)).toContain('constructor="TierModelEditor"');
    expect(names).toEqual(expect.arrayContaining([`Controls/${EDITOR}/strings/TierModelEditor.1031.resx`]));
  });
});

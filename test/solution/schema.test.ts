import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../solution/scripts/source-dir";
import { buildCustomizationsXml, elementsOf } from "../../solution/scripts/pack";

/**
 * customizations.xml against Microsoft's CustomizationsSolution.xsd (solution/schema: the published types of every
 * component this solution ships, verbatim; stand-ins only for the unpublished include files). Needs xmllint
 * (Debian: libxml2-utils).
 */
const root = repoRoot();
const xsd = join(root, "solution", "schema", "CustomizationsSolution.xsd");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ct-xsd-"));
  mkdirSync(dir, { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function validate(xml: string): { ok: boolean; output: string } {
  const file = join(dir, "customizations.xml");
  writeFileSync(file, xml);
  try {
    const output = execFileSync("xmllint", ["--noout", "--schema", xsd, file], { encoding: "utf8", stdio: "pipe" });
    return { ok: true, output };
  } catch (e) {
    const err = e as { code?: string; stderr?: string };
    if (err.code === "ENOENT") throw new Error("xmllint is not installed (apt-get install -y libxml2-utils)");
    return { ok: false, output: err.stderr ?? "" };
  }
}

describe("customizations.xml and Microsoft's solution schema", () => {
  const xml = buildCustomizationsXml(join(root, "solution", "src"));

  test("the packed customizations.xml is valid", () => {
    expect(validate(xml)).toEqual({ ok: true, output: "" });
  });

  // The zip ships no steps (issue 13); the definitions `tiering configure` registers are still held to the schema's
  // SdkMessageProcessingStep type, placed where a solution carrying them would have them.
  const withSteps = xml.replace(
    "<SdkMessageProcessingSteps />",
    `<SdkMessageProcessingSteps>${elementsOf(join(root, "solution", "steps")).join("")}</SdkMessageProcessingSteps>`,
  );

  test("the step definitions of solution/steps are valid SdkMessageProcessingStep elements", () => {
    expect(withSteps).not.toBe(xml);
    expect(withSteps.match(/<SdkMessageProcessingStep /g)?.length).toBe(16);
    expect(validate(withSteps)).toEqual({ ok: true, output: "" });
  });

  test("the schema is really applied: misplaced, unknown or mistyped content fails", () => {
    const cases: [string, string][] = [
      ["<Mode>1</Mode>", "<Rank>1</Rank><Mode>1</Mode>"], // a step's children are a sequence
      ["<Contract>8</Contract>", "<Contract>Webhook</Contract>"],
      ['level="Global"', 'level="Organization"'],
      ["<IsSecured>1</IsSecured>", "<IsSecured>1</IsSecured><IsSecret>1</IsSecret>"],
      ["<CascadeDelete>Cascade</CascadeDelete>", "<CascadeDelete>Always</CascadeDelete>"],
    ];
    for (const [from, to] of cases) {
      expect(withSteps).toContain(from);
      const result = validate(withSteps.replace(from, to));
      expect([to, result.ok]).toEqual([to, false]);
      expect(result.output).toMatch(/fails to validate/);
    }
  });
});

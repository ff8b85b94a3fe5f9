import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../solution/scripts/source-dir";
import { readStepRegistrations, type StepImage, type StepRegistration } from "../../solution/scripts/steps";
import { WEBHOOK_ENDPOINT_NAME } from "../../solution/scripts/endpoint";

const srcDir = join(repoRoot(), "solution", "src");

// What the webhook must be told about (docs/data-model.md sources; issue 6), written out independently of the XML.
const INVOICE = ["customerid", "totalamount_base", "statecode", "createdon"];
const OPPORTUNITY = [
  "customerid",
  "statecode",
  "actualvalue_base",
  "estimatedvalue_base",
  "closeprobability",
  "actualclosedate",
];
const ACTIVITY = ["regardingobjectid", "statecode", "actualend"];
type Image = Omit<StepImage, "id">;
const pre = (attributes: string[]): Image => ({
  name: "PreImage",
  entityAlias: "PreImage",
  imageType: 0,
  attributes,
  messagePropertyName: "Target",
});
const post = (attributes: string[], messagePropertyName = "Id"): Image => ({
  name: "PostImage",
  entityAlias: "PostImage",
  imageType: 1,
  attributes,
  messagePropertyName,
});

type Expected = Pick<StepRegistration, "message" | "primaryEntity" | "filteringAttributes"> & { images: Image[] };

function expected(): Expected[] {
  const out: Expected[] = [];
  for (const [entity, cols, filter] of [
    ["invoice", INVOICE, ["customerid", "statecode", "totalamount", "totalamount_base"]],
    [
      "opportunity",
      OPPORTUNITY,
      [
        "customerid",
        "statecode",
        "actualvalue",
        "actualvalue_base",
        "estimatedvalue",
        "estimatedvalue_base",
        "closeprobability",
        "actualclosedate",
      ],
    ],
  ] as const) {
    out.push({ message: "Create", primaryEntity: entity, filteringAttributes: [], images: [post([...cols])] });
    out.push({
      message: "Update",
      primaryEntity: entity,
      filteringAttributes: [...filter],
      images: [pre([...cols]), post([...cols], "Target")],
    });
    out.push({ message: "Delete", primaryEntity: entity, filteringAttributes: [], images: [pre([...cols])] });
  }
  for (const entity of ["phonecall", "appointment", "email"]) {
    out.push({ message: "Create", primaryEntity: entity, filteringAttributes: [], images: [post(ACTIVITY)] });
    out.push({
      message: "Update",
      primaryEntity: entity,
      filteringAttributes: ["statecode", "actualend"],
      images: [post(ACTIVITY, "Target")],
    });
  }
  const override = ["ct_tieroverride", "ct_tieroverridereason", "ct_tieroverrideuntil"];
  out.push({
    message: "Update",
    primaryEntity: "account",
    filteringAttributes: override,
    // No image: routing needs only the Target, and an image would copy the tier into a failed System Job (issue 17).
    images: [],
  });
  // Sales ops' saves: a policy's touch pattern goes to its tier's accounts (a new policy like an edited one), a
  // model save brings the re-rank forward.
  out.push({
    message: "Create",
    primaryEntity: "ct_tierpolicy",
    filteringAttributes: [],
    images: [post(["ct_tier", "statecode"])],
  });
  out.push({
    message: "Update",
    primaryEntity: "ct_tierpolicy",
    filteringAttributes: ["ct_cadencedays", "ct_touchchannel", "ct_gracedays", "ct_touchdormant"],
    images: [post(["ct_tier", "statecode"], "Target")],
  });
  out.push({
    message: "Update",
    primaryEntity: "ct_tiermodel",
    filteringAttributes: ["ct_modeljson"],
    images: [post(["statecode"], "Target")],
  });
  return out;
}

const key = (s: { primaryEntity: string; message: string }) => `${s.primaryEntity}/${s.message}`;

describe("readStepRegistrations", () => {
  const steps = readStepRegistrations();

  test("reads the sixteen webhook steps with their messages, filters and images", () => {
    const got = steps.map(({ message, primaryEntity, filteringAttributes, images }) => ({
      message,
      primaryEntity,
      filteringAttributes,
      images: images.map(({ id: _id, ...image }) => image),
    }));
    const want = expected();
    expect([...got].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      [...want].sort((a, b) => key(a).localeCompare(key(b))),
    );
  });

  test("every step is asynchronous, post-operation, rank 1 and sends to the solution's webhook", () => {
    for (const s of steps) {
      expect([s.name, s.stage, s.mode, s.rank, s.serviceEndpoint]).toEqual([s.name, 40, 1, 1, WEBHOOK_ENDPOINT_NAME]);
      expect(s.name).toBe(`CustomerTiering: ${s.message} of ${s.primaryEntity}`);
    }
    expect(steps.map((s) => s.name)).toEqual([...steps.map((s) => s.name)].sort());
  });

  test("each step and image has its own fixed id (the file name for a step), which configure upserts by", () => {
    const files = readdirSync(join(repoRoot(), "solution", "steps")).map((f) => f.replace(/^\{|\}\.xml$/g, ""));
    expect(steps.map((s) => s.id).sort()).toEqual(files.sort());
    const ids = [...steps.map((s) => s.id), ...steps.flatMap((s) => s.images.map((i) => i.id))];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of steps) expect(s.asyncAutoDelete).toBe(true);
  });

  test("a Delete step has no post-image, a Create step no pre-image (the platform offers none)", () => {
    for (const s of steps) {
      if (s.message === "Delete") expect(s.images.map((i) => i.imageType)).toEqual([0]);
      if (s.message === "Create") expect(s.images.some((i) => i.imageType !== 1)).toBe(false);
    }
  });

  test("the default source folder is found from the compiled code in dist/ as well", () => {
    expect(readStepRegistrations(srcDir)).toEqual(steps);
    expect(repoRoot(join(repoRoot(), "dist", "solution", "scripts"))).toBe(repoRoot());
    expect(() => repoRoot(tmpdir())).toThrow(/No solution\/src\/Other\/Solution.xml above/);
  });

  describe("on a broken source", () => {
    let top: string;
    let dir: string;
    beforeEach(() => {
      top = mkdtempSync(join(tmpdir(), "ct-steps-"));
      dir = join(top, "src");
      cpSync(srcDir, dir, { recursive: true });
      cpSync(join(repoRoot(), "solution", "steps"), join(top, "steps"), { recursive: true });
    });
    afterEach(() => rmSync(top, { recursive: true, force: true }));

    const firstStep = () => join(top, "steps", readdirSync(join(top, "steps")).sort()[0]);

    test("a step at another stage is refused, naming its file", () => {
      const f = firstStep();
      writeFileSync(f, readFileSync(f, "utf8").replace("<Stage>40</Stage>", "<Stage>20</Stage>"));
      expect(() => readStepRegistrations(dir)).toThrow(new RegExp(`${f.replace(/[{}.]/g, "\\$&")}: <Stage> is 20`));
    });

    test("a step whose handler is not the solution's endpoint is refused", () => {
      const f = firstStep();
      writeFileSync(
        f,
        readFileSync(f, "utf8").replace(
          /<EventHandler>[^<]+<\/EventHandler>/,
          "<EventHandler>00000000-0000-0000-0000-000000000001</EventHandler>",
        ),
      );
      expect(() => readStepRegistrations(dir)).toThrow(/is not a service endpoint of Other\/Customizations.xml/);
    });

    test("XML that is not well-formed is refused with file and line", () => {
      const f = firstStep();
      writeFileSync(f, readFileSync(f, "utf8").replace("</Mode>", "</Mod>"));
      expect(() => readStepRegistrations(dir)).toThrow(/\.xml:\d+:\d+: /);
    });
  });
});

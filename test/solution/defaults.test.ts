import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_MODEL, DEFAULT_POLICIES, TIER_OPTIONS, parseModel } from "../../src/engine";
import { defaultsFile, readDefaults } from "../../solution/scripts/defaults";
import { readSolutionSource } from "../../solution/scripts/source-model";

describe("solution/data/defaults.json", () => {
  const defaults = readDefaults();

  test("the default model is exactly the one docs/tier-model.md gives, and the engine accepts it", () => {
    expect(parseModel(defaults.model.json)).toEqual(DEFAULT_MODEL);
  });

  test("four policies, one per tier, with the engine's default touch pattern", () => {
    expect(defaults.policies.map((p) => p.tier)).toEqual(Object.keys(TIER_OPTIONS));
    for (const p of defaults.policies) {
      const { tier, cadenceDays, channel, graceDays, touchDormant } = p;
      expect({ tier, cadenceDays, channel, graceDays, touchDormant }).toEqual(
        DEFAULT_POLICIES.find((d) => d.tier === p.tier),
      );
      expect(p.servicePrivileges.length).toBeGreaterThan(20);
    }
    // Better tiers are answered sooner.
    const hours = defaults.policies.map((p) => p.responseTimeHours);
    expect(hours).toEqual([...hours].sort((a, b) => a - b));
  });

  test("every value fits the ct_tierpolicy and ct_tiermodel columns it is written to", () => {
    const source = readSolutionSource();
    const policy = source.entities.get("ct_tierpolicy")!.columns;
    const model = source.entities.get("ct_tiermodel")!.columns;
    for (const c of [
      "ct_name",
      "ct_tier",
      "ct_cadencedays",
      "ct_touchchannel",
      "ct_gracedays",
      "ct_touchdormant",
      "ct_serviceprivileges",
      "ct_responsetimehours",
    ])
      expect(policy.has(c)).toBe(true);
    for (const c of ["ct_name", "ct_modeljson"]) expect(model.has(c)).toBe(true);
    const maxLength = (file: string, column: string) =>
      Number(
        new RegExp(`<LogicalName>${column}</LogicalName>[\\s\\S]*?<MaxLength>(\\d+)</MaxLength>`).exec(
          readFileSync(file, "utf8"),
        )![1],
      );
    for (const p of defaults.policies) {
      expect(p.servicePrivileges.length).toBeLessThanOrEqual(
        maxLength(policy.get("ct_serviceprivileges")!.file, "ct_serviceprivileges"),
      );
      expect(p.name.length).toBeLessThanOrEqual(maxLength(policy.get("ct_name")!.file, "ct_name"));
    }
    expect(JSON.stringify(defaults.model.json).length).toBeLessThanOrEqual(
      maxLength(model.get("ct_modeljson")!.file, "ct_modeljson"),
    );
  });

  test("a bad file is refused with the path of the bad value", () => {
    const dir = mkdtempSync(join(tmpdir(), "ct-defaults-"));
    try {
      const bad = JSON.parse(readFileSync(defaultsFile(), "utf8"));
      bad.policies[2].channel = "fax";
      writeFileSync(join(dir, "d.json"), JSON.stringify(bad));
      expect(() => readDefaults(join(dir, "d.json"))).toThrow(/d\.json: policies\.2\.channel: /);
      bad.policies[2].channel = "email";
      bad.policies[3].tier = "AAA";
      writeFileSync(join(dir, "d.json"), JSON.stringify(bad));
      expect(() => readDefaults(join(dir, "d.json"))).toThrow(/one policy per tier/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

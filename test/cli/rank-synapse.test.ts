import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, tiering } from "./run-cli";

/**
 * `tiering sample --layout synapse` writes a Synapse Link folder that `tiering rank`, `explain` and `report` read to
 * the same output as the CSV folder.
 */
describe("tiering sample --layout synapse, then tiering rank", () => {
  it("ranks the Synapse folder exactly like the CSV folder of the same seed", () => {
    const csv = join(tempDir(), "csv");
    const synapse = join(tempDir(), "synapse");
    const common = ["--accounts", "200", "--seed", "3", "--as-of", "2025-01-01"];
    expect(tiering(["sample", ...common, "--out", csv]).code).toBe(0);
    const s = tiering(["sample", ...common, "--out", synapse, "--layout", "synapse", "--partition", "month"]);
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/Synapse Link layout \(partitions by month\)/);
    expect(readdirSync(synapse).sort()).toEqual(
      ["account", "activitypointer", "invoice", "model.json", "opportunity"].sort(),
    );
    const rank = (dir: string): string => {
      const out = join(tempDir(), "tiers.csv");
      const r = tiering(["rank", "--data", dir, "--as-of", "2025-01-01", "--out", out]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      return readFileSync(out, "utf8");
    };
    const tiers = rank(csv);
    expect(tiers.split("\n").length).toBeGreaterThan(100);
    expect(rank(synapse)).toBe(tiers);

    // explain and report read the Synapse folder as well, to the same output.
    const account = tiers.split("\n")[1].split(",")[0];
    const explain = (dir: string): string => {
      const r = tiering(["explain", "--data", dir, "--as-of", "2025-01-01", "--account", account, "--json"]);
      expect(r.code).toBe(0);
      return r.stdout;
    };
    expect(explain(csv)).toContain(`"tier"`);
    expect(explain(synapse)).toBe(explain(csv));
    const report = (dir: string): string => {
      const out = join(tempDir(), "report.html");
      const r = tiering(["report", "--data", dir, "--as-of", "2025-01-01", "--out", out]);
      expect(r.code).toBe(0);
      return readFileSync(out, "utf8");
    };
    const html = report(csv);
    expect(html).toContain("<svg");
    expect(report(synapse)).toBe(html);
  });

  it("refuses an unknown layout", () => {
    const r = tiering(["sample", "--accounts", "5", "--seed", "1", "--out", tempDir(), "--layout", "parquet"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--layout must be csv or synapse/);
  });
});

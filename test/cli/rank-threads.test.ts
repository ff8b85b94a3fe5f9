import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, tiering } from "./run-cli";

/** `tiering rank` reads big row files on worker threads; the tiers it writes do not depend on how many. */
describe("tiering rank --threads", () => {
  let data: string;
  beforeAll(() => {
    data = join(tempDir(), "sample");
    // 2,500 accounts: invoices.csv and activities.csv are over the 1 MB a file needs to be read on threads.
    expect(tiering(["sample", "--accounts", "2500", "--seed", "11", "--out", data]).code).toBe(0);
  }, 60_000);

  const rank = (extra: string[]): string => {
    const out = join(tempDir(), "tiers.csv");
    const r = tiering(["rank", "--data", data, "--as-of", "2026-07-01", "--out", out, ...extra]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return readFileSync(out, "utf8");
  };

  it("writes the same tiers with one thread, two threads and the default", () => {
    const one = rank(["--threads", "1"]);
    expect(one.split("\n").length).toBeGreaterThan(2000);
    expect(rank(["--threads", "2"])).toBe(one);
    expect(rank([])).toBe(one);
  }, 60_000);

  it("refuses a thread count that is not a positive whole number", () => {
    const r = tiering(["rank", "--data", data, "--as-of", "2026-07-01", "--threads", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--threads "0" is not a positive whole number/);
  });
});

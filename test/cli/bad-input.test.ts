import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportFolder, tempDir, tiering } from "./run-cli";

/** Bad input gets a clear error naming file, line and column, exit code 2, and no partial output. */
function rankFails(dir: string, extra: string[] = []) {
  const out = join(tempDir(), "tiers.csv");
  const r = tiering(["rank", "--data", dir, "--as-of", "2024-01-01", "--out", out, ...extra]);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(existsSync(out)).toBe(false);
  return r.stderr;
}

describe("tiering rank: bad input", () => {
  it("ranks the valid folder (the baseline the failures below are variations of)", () => {
    const out = join(tempDir(), "tiers.csv");
    const r = tiering(["rank", "--data", exportFolder(), "--as-of", "2024-01-01", "--out", out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, "utf8").split("\n")[1]).toMatch(/^acc-1,"Contoso, Ltd\.",AAA,/);
  });

  it("names a missing file", () => {
    expect(rankFails(exportFolder({ "invoices.csv": null }))).toMatch(
      /invoices\.csv: file not found .*customerid, totalamount_base, statecode, createdon/,
    );
  });

  it("names a missing column", () => {
    const err = rankFails(
      exportFolder({ "invoices.csv": "invoiceid,customerid,statecode,createdon\ni1,acc-1,2,2023-03-01\n" }),
    );
    expect(err).toMatch(/invoices\.csv:1 column totalamount_base: missing column "totalamount_base"/);
  });

  it("names the line and column of an unparsable amount", () => {
    const err = rankFails(
      exportFolder({
        "invoices.csv":
          "invoiceid,customerid,totalamount_base,statecode,createdon\ni1,acc-1,100,2,2023-03-01\ni2,acc-1,12;50,2,2023-03-02\n",
      }),
    );
    expect(err).toMatch(/invoices\.csv:3 column 3 \(totalamount_base\): "12;50" is not a number/);
  });

  it("names the line and column of an unparsable date", () => {
    const err = rankFails(
      exportFolder({
        "opportunities.csv":
          "opportunityid,customerid,statecode,actualvalue_base,estimatedvalue_base,closeprobability,actualclosedate,estimatedclosedate\no1,acc-1,1,10,10,100,2023-02-30,\n",
      }),
    );
    expect(err).toMatch(/opportunities\.csv:2 column 7 \(actualclosedate\): "2023-02-30" is not an ISO 8601 date/);
  });

  it("names an unknown state and lists the known ones", () => {
    const err = rankFails(
      exportFolder({
        "invoices.csv": "invoiceid,customerid,totalamount_base,statecode,createdon\ni1,acc-1,100,7,2023-03-01\n",
      }),
    );
    expect(err).toMatch(
      /invoices\.csv:2 column 4 \(statecode\): unknown state "7" \(expected 0 active, 1 closed, 2 paid, 3 canceled\)/,
    );
  });

  it("names a row with the wrong number of cells", () => {
    expect(rankFails(exportFolder({ "accounts.csv": "accountid,name,statecode\nacc-1,Contoso,0,extra\n" }))).toMatch(
      /accounts\.csv:2: .*fields/i,
    );
  });

  it("names a duplicate account id", () => {
    expect(rankFails(exportFolder({ "accounts.csv": "accountid,name,statecode\nacc-1,A,0\nACC-1,B,0\n" }))).toMatch(
      /accounts\.csv:3 column accountid: duplicate accountid ACC-1, first on line 2/,
    );
  });

  it("keeps an existing output file when a run fails", () => {
    const out = join(tempDir(), "tiers.csv");
    writeFileSync(out, "previous run\n");
    const r = tiering([
      "rank",
      "--data",
      exportFolder({
        "invoices.csv": "invoiceid,customerid,totalamount_base,statecode,createdon\ni1,acc-1,x,2,2023-03-01\n",
      }),
      "--as-of",
      "2024-01-01",
      "--out",
      out,
    ]);
    expect(r.code).toBe(2);
    expect(readFileSync(out, "utf8")).toBe("previous run\n");
  });

  it("names the line and column of a model file syntax error, and the field of an invalid model", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "broken.json"), '{\n  "method": "pareto",\n  "weights": { "monetary": 1, }\n}\n');
    expect(rankFails(exportFolder(), ["--model", join(dir, "broken.json")])).toMatch(
      /broken\.json:3 column \d+: not valid JSON/,
    );
    writeFileSync(
      join(dir, "invalid.json"),
      JSON.stringify({ tiers: [{ code: "AAA", share: 0.7 }, { code: "A", share: 0.5 }, { code: "C" }] }),
    );
    expect(rankFails(exportFolder(), ["--model", join(dir, "invalid.json")])).toMatch(
      /invalid\.json: field tiers\[\]\.share: shares sum to 1\.2, above 1/,
    );
  });

  it("rejects bad usage with exit code 2", () => {
    for (const args of [
      ["rank"],
      ["rank", "--data", exportFolder()],
      ["rank", "--data", "x", "--as-of", "July"],
      ["rank", "--bogus"],
      ["frobnicate"],
    ]) {
      const r = tiering(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /--data is required|--as-of is required|not a date|Unknown option '--bogus'|unknown command/,
      );
    }
  });
});

describe("tiering --help", () => {
  it("lists the commands", () => {
    const r = tiering(["--help"]);
    expect(r.code).toBe(0);
    for (const c of ["rank", "explain", "sample"]) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\s`, "m"));
  });

  it.each(["rank", "explain", "sample"])("prints usage for %s", (command) => {
    const r = tiering([command, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: tiering ${command} `));
  });
});

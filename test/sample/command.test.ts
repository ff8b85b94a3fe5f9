import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sampleCommand } from "../../cli/commands/sample";
import { expectConsistent, memoryIo, readFolder, removeTempDirs, tempDir } from "./sample-fixture";

afterAll(removeTempDirs);

describe("tiering sample", () => {
  it("prints its usage for --help and exits 0", async () => {
    const io = memoryIo(tempDir());
    expect(await sampleCommand.run(["--help"], io)).toBe(0);
    expect(io.out()).toContain("Usage: tiering sample --accounts N --seed S --out DIR");
    expect(io.out()).toBe(sampleCommand.usage);
    expect(io.err()).toBe("");
  });

  it.each([
    [[], /--accounts is required/],
    [["--accounts", "10", "--out", "x"], /--seed is required/],
    [["--accounts", "10", "--seed", "1"], /--out is required/],
    [["--accounts", "0", "--seed", "1", "--out", "x"], /--accounts must be between 1 and/],
    [["--accounts", "1e3", "--seed", "1", "--out", "x"], /--accounts must be a whole number, got "1e3"/],
    [["--accounts", "10", "--seed", "4294967296", "--out", "x"], /--seed must be between 0 and 4294967295/],
    [["--accounts", "10", "--seed", "-1", "--out", "x"], /--seed/],
    [
      ["--accounts", "10", "--seed", "1", "--out", "x", "--as-of", "2026-02-30"],
      /--as-of must be a calendar date YYYY-MM-DD, got "2026-02-30"/,
    ],
    [["--accounts", "10", "--seed", "1", "--out", "x", "--as-of", "1 July 2026"], /--as-of must be a calendar date/],
    [["--accounts", "10", "--seed", "1", "--out", "x", "--months", "0"], /--months must be between 1 and/],
    [["--accounts", "10", "--seed", "1", "--out", "x", "--colour"], /Unknown option '--colour'/],
    [["--accounts", "10", "--seed", "1", "--out", "x", "extra"], /extra/],
  ])("exits 2 with a clear message for %j", async (args, message) => {
    const cwd = tempDir();
    const io = memoryIo(cwd);
    expect(await sampleCommand.run(args, io)).toBe(2);
    expect(io.err()).toMatch(message);
    expect(io.err()).toContain('Run "tiering sample --help" for usage.');
    expect(io.out()).toBe("");
    expect(readdirSync(cwd)).toEqual([]); // nothing written
  });

  it("exits 2 when --out is an existing file", async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, "taken"), "x");
    const io = memoryIo(cwd);
    expect(await sampleCommand.run(["--accounts", "5", "--seed", "1", "--out", "taken"], io)).toBe(2);
    expect(io.err()).toMatch(/--out .*taken exists and is not a folder/);
    expect(readdirSync(cwd)).toEqual(["taken"]);
  });

  it("writes the folder relative to cwd, reports the row counts, and defaults to a fixed as-of date", async () => {
    const cwd = tempDir();
    const io = memoryIo(cwd);
    expect(await sampleCommand.run(["--accounts", "200", "--seed", "9", "--out", "data"], io)).toBe(0);
    expect(io.err()).toBe("");
    const folder = readFolder(path.join(cwd, "data"));
    // Default period: 27 months before 2026-07-01.
    expectConsistent(folder, 200, Date.UTC(2026, 6, 1), Date.UTC(2024, 3, 1));
    const latest = Math.max(...folder.invoices.map((i) => Date.parse(i.createdon)));
    expect(latest).toBeGreaterThan(Date.UTC(2026, 5, 1));
    expect(io.out()).toBe(
      `Sample written to ${path.join(cwd, "data")} (seed 9, 27 months before 2026-07-01): 200 accounts, ` +
        `${folder.invoices.length.toLocaleString("en-US")} invoices, ${folder.opportunities.length.toLocaleString("en-US")} opportunities, ` +
        `${folder.activities.length.toLocaleString("en-US")} activities.\n`,
    );

    // Same arguments again: the same bytes.
    const again = memoryIo(cwd);
    expect(await sampleCommand.run(["--accounts", "200", "--seed", "9", "--out", "again"], again)).toBe(0);
    for (const file of ["accounts.csv", "invoices.csv", "opportunities.csv", "activities.csv"]) {
      expect(readFileSync(path.join(cwd, "again", file)).equals(readFileSync(path.join(cwd, "data", file)))).toBe(true);
    }
  });

  it("honours --as-of and --months", async () => {
    const cwd = tempDir();
    const io = memoryIo(cwd);
    const code = await sampleCommand.run(
      ["--accounts", "150", "--seed", "3", "--out", cwd, "--as-of", "2024-03-31", "--months", "8"],
      io,
    );
    expect(code).toBe(0);
    expectConsistent(readFolder(cwd), 150, Date.UTC(2024, 2, 31), Date.UTC(2023, 6, 31));
    expect(io.out()).toContain("8 months before 2024-03-31");
  });
});

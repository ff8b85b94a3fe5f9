import fc from "fast-check";
import { generateSample, periodStart } from "../../src/sample";
import { expectConsistent, readFolder, removeTempDirs, tempDir } from "./sample-fixture";

afterEach(removeTempDirs);

it("any account count 1..300, seed, as-of date and period gives consistent files", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.date({ min: new Date("2015-01-01T00:00:00Z"), max: new Date("2035-12-31T00:00:00Z"), noInvalidDate: true }),
      fc.integer({ min: 1, max: 40 }),
      async (accounts, seed, date, months) => {
        const asOf = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
        const out = tempDir();
        const result = await generateSample({ accounts, seed, asOf, months, out });
        const folder = readFolder(out);
        expectConsistent(folder, accounts, asOf, periodStart(asOf, months));
        expect(result.rows).toEqual({
          accounts: folder.accounts.length,
          invoices: folder.invoices.length,
          opportunities: folder.opportunities.length,
          activities: folder.activities.length,
        });
      },
    ),
    { numRuns: 40 },
  );
});

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseModel, windowFor, type FactsTable, type TierModel } from "../../src/engine";
import { loadFacts } from "../../src/export-reader/load";
import { isoDay, isoSecond } from "../../src/sample/iso-date";
import { readDefaults } from "../../solution/scripts/defaults";
import { segmentBounds } from "../../plugins/rerank/queries";
import type { Sandbox } from "../../local-dataverse";
import { AS_OF, readFactsViaAggregates, removeFolders, sampleFolder, sandboxFrom, tempFile } from "./env";

/**
 * The facts the re-rank reads with grouped aggregates are exactly the facts FactsBuilder computes from the rows of the
 * same export folder (docs/tier-model.md): per account, every column, compared with toEqual (no tolerance).
 */
let dir: string;
let sandbox: Sandbox;
const model: TierModel = parseModel(readDefaults().model.json);

beforeAll(async () => {
  dir = await sampleFolder(3000, 20261115);
  sandbox = await sandboxFrom(dir);
}, 60_000);
afterAll(async () => {
  await sandbox?.close();
  removeFolders();
});

const readViaAggregates = (aggregateLimit?: number, sb: Sandbox = sandbox) =>
  readFactsViaAggregates(sb, model, { aggregateLimit });

type Plain = Record<string, unknown>;
function byAccount(t: FactsTable): Map<string, Plain> {
  const q = t.window.quarterStarts.length;
  const m = new Map<string, Plain>();
  t.accounts.forEach((a, i) =>
    m.set(a.accountid.toLowerCase(), {
      monetary: t.monetary[i],
      frequency: t.frequency[i],
      lastEvent: t.lastEvent[i],
      won: t.won[i],
      pipeline: t.pipeline[i],
      firstInvoice: t.firstInvoice[i],
      lastTouch: t.lastTouch[i],
      quarters: Array.from(t.quarters.subarray(i * q, i * q + q)),
    }),
  );
  return m;
}

function expectSameFacts(actual: FactsTable, expected: FactsTable): void {
  const a = byAccount(actual);
  const e = byAccount(expected);
  expect([...a.keys()].sort()).toEqual([...e.keys()].sort());
  const differing: string[] = [];
  for (const [id, want] of e)
    if (JSON.stringify(a.get(id)) !== JSON.stringify(want))
      differing.push(`${id}: ${JSON.stringify(a.get(id))} != ${JSON.stringify(want)}`);
  expect(differing.slice(0, 5)).toEqual([]);
}

describe("facts from grouped FetchXML aggregates", () => {
  it("the date segments cover the quarters and the window, with an as-of in mid-quarter", () => {
    const w = windowFor(model, AS_OF);
    const b = segmentBounds(w);
    expect(b[0]).toBe(Math.min(w.start, w.quarterStarts[w.quarterStarts.length - 1]));
    expect(b[b.length - 1]).toBe(AS_OF);
    expect(b).toEqual(expect.arrayContaining([w.start, w.quartersEnd, ...w.quarterStarts]));
  });

  it("equal FactsBuilder's facts over the same export folder, every account and column", async () => {
    const expected = await loadFacts(dir, model, AS_OF);
    const { facts, requests } = await readViaAggregates();
    expect(facts.accounts.length).toBe(expected.accounts.length);
    // Sanity: the sample is not degenerate (most accounts have revenue, pipeline and touches).
    expect(expected.monetary.filter((x) => x !== 0).length).toBeGreaterThan(expected.accounts.length / 2);
    expectSameFacts(facts, expected);
    // Grouped: far fewer requests than accounts.
    expect(requests).toBeLessThan(expected.accounts.length / 20);
  }, 60_000);

  it("stay exact when a low aggregate limit forces id-range splits (0x8004E023 → split and retry)", async () => {
    const expected = await loadFacts(dir, model, AS_OF);
    const { facts, requests, cp } = await readViaAggregates(400);
    expectSameFacts(facts, expected);
    expect([...cp.splits.values()].filter((by) => by === "id").length).toBeGreaterThan(0);
    const unsplit = (await readViaAggregates()).requests;
    expect(requests).toBeGreaterThan(unsplit);
  }, 120_000);

  it("stay exact when one account alone holds more rows than the limit (then the range is cut by date)", async () => {
    // Three accounts with 40 invoices each (every 17 days, one credit note in five) and a limit of 10 rows.
    const folder = path.dirname(tempFile("x"));
    mkdirSync(folder, { recursive: true });
    const ids = [
      "1a2b3c4d-0000-4000-8000-000000000001",
      "9f000000-0000-4000-8000-000000000002",
      "c0ffee00-0000-4000-8000-000000000003",
    ];
    const inv: string[] = ["invoiceid,customerid,totalamount_base,statecode,createdon"];
    const opp: string[] = [
      "opportunityid,customerid,statecode,actualvalue_base,estimatedvalue_base,closeprobability,actualclosedate,estimatedclosedate",
    ];
    const act: string[] = ["activityid,regardingobjectid,activitytypecode,statecode,actualend"];
    const guid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
    let n = 1;
    ids.forEach((id, a) => {
      for (let k = 0; k < 40; k++) {
        const amount = k % 5 === 4 ? -(100 + k + a) : 1000 + 37.13 * k + a;
        inv.push(
          `${guid(n++)},${id},${amount.toFixed(2)},${k % 7 === 0 ? 3 : 2},${isoSecond(AS_OF - (k * 17 + a + 1) * 86_400_000 - 3_600_000)}`,
        );
      }
      for (let k = 0; k < 8; k++)
        opp.push(`${guid(n++)},${id},0,,${500 * (k + 1)},${10 * (k + 1)},,2027-01-01T00:00:00Z`);
      // Close dates are date-only (docs/cli.md): the date, no time of day, as an export holds them.
      for (let k = 0; k < 14; k++)
        opp.push(`${guid(n++)},${id},1,${(777.77 + k).toFixed(2)},800,,${isoDay(AS_OF - (k * 29 + 3) * 86_400_000)},`);
      for (let k = 0; k < 25; k++)
        act.push(`${guid(n++)},${id},phonecall,1,${isoSecond(AS_OF - (k * 11 + a) * 86_400_000 - 60_000)}`);
    });
    writeFileSync(
      path.join(folder, "accounts.csv"),
      "accountid,name,statecode\n" + ids.map((id, i) => `${id},Account ${i},0`).join("\n") + "\n",
    );
    writeFileSync(path.join(folder, "invoices.csv"), inv.join("\n") + "\n");
    writeFileSync(path.join(folder, "opportunities.csv"), opp.join("\n") + "\n");
    writeFileSync(path.join(folder, "activities.csv"), act.join("\n") + "\n");
    const small = await sandboxFrom(folder);
    try {
      const expected = await loadFacts(folder, model, AS_OF);
      const { facts, cp } = await readViaAggregates(10, small);
      expectSameFacts(facts, expected);
      expect([...cp.splits.values()].filter((by) => by === "time").length).toBeGreaterThan(0);
      // The open pipeline has no date: one id step over the limit is read row by row (a paged retrieve, no limit).
      expect([...cp.splits.entries()].filter(([key, by]) => key.startsWith("pipeline|") && by === "rows")).not.toEqual(
        [],
      );
    } finally {
      await small.close();
    }
  }, 60_000);

  it("stay exact when the credit notes, read row by row, take several pages", async () => {
    // 12,000 non-positive invoices over 15 months (some canceled, some before the window), three accounts: the
    // row-by-row read of the window's credit notes pages on with paging cookies (5,000 rows a page).
    const folder = path.join(path.dirname(tempFile("x")), "credit-notes");
    mkdirSync(folder, { recursive: true });
    const ids = [
      "1a2b3c4d-0000-4000-8000-000000000011",
      "9f000000-0000-4000-8000-000000000012",
      "c0ffee00-0000-4000-8000-000000000013",
    ];
    const guid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
    const inv: string[] = ["invoiceid,customerid,totalamount_base,statecode,createdon"];
    // Dates to the whole second, as an export of Dataverse holds them: Dataverse keeps no milliseconds (see
    // storedInstant in local-dataverse/codec.ts), so a fraction here would be a value no export can contain.
    for (let k = 0; k < 12_000; k++) {
      const amount = k % 11 === 0 ? 0 : -((k % 997) + 0.37);
      inv.push(
        `${guid(k + 1)},${ids[k % 3]},${amount.toFixed(2)},${k % 13 === 0 ? 3 : 2},${isoSecond(AS_OF - 1_000 - k * 3_333_333)}`,
      );
    }
    ids.forEach((id, a) =>
      inv.push(`${guid(20_000 + a)},${id},${(5000 + a).toFixed(2)},2,${isoSecond(AS_OF - (a + 5) * 86_400_000)}`),
    );
    writeFileSync(
      path.join(folder, "accounts.csv"),
      "accountid,name,statecode\n" + ids.map((id, i) => `${id},Account ${i},0`).join("\n") + "\n",
    );
    writeFileSync(path.join(folder, "invoices.csv"), inv.join("\n") + "\n");
    writeFileSync(
      path.join(folder, "opportunities.csv"),
      "opportunityid,customerid,statecode,actualvalue_base,estimatedvalue_base,closeprobability,actualclosedate,estimatedclosedate\n",
    );
    writeFileSync(
      path.join(folder, "activities.csv"),
      "activityid,regardingobjectid,activitytypecode,statecode,actualend\n",
    );
    const small = await sandboxFrom(folder);
    try {
      const expected = await loadFacts(folder, model, AS_OF);
      const { facts, cp } = await readViaAggregates(undefined, small);
      expectSameFacts(facts, expected);
      const raw = [...cp.units.entries()].filter(([key]) => key.startsWith("inv.nonpositive|"));
      expect(raw.length).toBe(1);
      expect(raw[0][1].length).toBeGreaterThan(5000); // more than one page
    } finally {
      await small.close();
    }
  }, 60_000);
});

import fc from "fast-check";
import {
  DAY_MS,
  DEFAULT_MODEL,
  FactsBuilder,
  PartialFacts,
  type AccountRow,
  type ActivityRow,
  type FactsTable,
  type InvoiceRow,
  type OpportunityRow,
} from "../../src/engine";

const AS_OF = Date.UTC(2025, 0, 1);
const T0 = Date.UTC(2021, 0, 1);

interface Rows {
  accounts: AccountRow[];
  invoices: InvoiceRow[];
  opportunities: OpportunityRow[];
  activities: ActivityRow[];
}

// Up to 60 accounts, so ids are found by the cursor, by the look-ahead from the start and by the hash lookup.
const rowsArb: fc.Arbitrary<Rows> = fc.integer({ min: 1, max: 60 }).chain((n) => {
  const ids = Array.from({ length: n }, (_, i) => `ACC-${String(i).padStart(3, "0")}-x`);
  // Rows spell an id in either case (GUIDs match case-insensitively) or name someone outside the population.
  const idArb = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...ids) },
    { weight: 2, arbitrary: fc.constantFrom(...ids).map((id) => id.toLowerCase()) },
    { weight: 1, arbitrary: fc.constantFrom("contact-1", "gone-2") },
  );
  const dateArb = fc.integer({ min: 0, max: 4 * 365 }).map((d) => T0 + d * DAY_MS);
  const cents = fc.integer({ min: -5_000_00, max: 50_000_00 }).map((c) => c / 100);
  return fc.record({
    accounts: fc.tuple(
      ...ids.map((accountid) =>
        fc.record({
          accountid: fc.constant(accountid),
          statecode: fc.constantFrom(0, 0, 0, 1),
          ct_lasttouchon: fc.option(dateArb, { nil: null }),
        }),
      ),
    ),
    invoices: fc.array(
      fc.record({
        customerid: idArb,
        totalamount_base: cents,
        statecode: fc.constantFrom(0, 2, 2, 3),
        createdon: dateArb,
      }),
      { maxLength: 300 },
    ),
    opportunities: fc.array(
      fc.record({
        customerid: idArb,
        statecode: fc.constantFrom(0, 1, 2),
        actualvalue_base: fc.option(cents, { nil: null }),
        estimatedvalue_base: fc.option(cents, { nil: null }),
        closeprobability: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
        actualclosedate: fc.option(dateArb, { nil: null }),
      }),
      { maxLength: 80 },
    ),
    activities: fc.array(
      fc.record({
        regardingobjectid: idArb,
        activitytypecode: fc.constantFrom("email", "phonecall", "task"),
        statecode: fc.constantFrom(0, 1),
        actualend: fc.option(dateArb, { nil: null }),
      }),
      { maxLength: 80 },
    ),
  });
});

function direct(r: Rows): FactsTable {
  const b = new FactsBuilder(r.accounts, DEFAULT_MODEL, AS_OF);
  r.invoices.forEach((x) => b.addInvoice(x));
  r.opportunities.forEach((x) => b.addOpportunity(x));
  r.activities.forEach((x) => b.addActivity(x));
  return b.build();
}

/** Sorted by the accounts' order, as an export written account by account lists them. */
function sortedLike(r: Rows): Rows {
  const pos = new Map(r.accounts.map((a, i) => [a.accountid.toLowerCase(), i] as const));
  const key = (id: string): number => pos.get(id.toLowerCase()) ?? -1;
  const by = <T>(rows: T[], id: (x: T) => string): T[] => [...rows].sort((a, b) => key(id(a)) - key(id(b)));
  return {
    ...r,
    invoices: by(r.invoices, (x) => x.customerid),
    opportunities: by(r.opportunities, (x) => x.customerid),
    activities: by(r.activities, (x) => x.regardingobjectid),
  };
}

/** Facts as plain numbers; money sums may differ in the last bit before rounding, never after. */
const plain = (t: FactsTable): unknown => ({
  ids: t.accounts.map((a) => a.accountid),
  columns: [t.monetary, t.frequency, t.lastEvent, t.won, t.pipeline, t.firstInvoice, t.lastTouch, t.quarters].map((c) =>
    Array.from(c),
  ),
  skipped: t.skipped,
});

describe("FactsBuilder", () => {
  it("gives the same facts whatever the row order (sorted, shuffled, reversed)", () => {
    fc.assert(
      fc.property(rowsArb, fc.integer(), (r, seed) => {
        const expected = plain(direct(r));
        const shuffled = {
          ...r,
          invoices: shuffle(r.invoices, seed),
          opportunities: shuffle(r.opportunities, seed + 1),
          activities: shuffle(r.activities, seed + 2),
        };
        const reversed = {
          ...r,
          invoices: [...r.invoices].reverse(),
          opportunities: [...r.opportunities].reverse(),
          activities: [...r.activities].reverse(),
        };
        expect(plain(direct(sortedLike(r)))).toEqual(expected);
        expect(plain(direct(shuffled))).toEqual(expected);
        expect(plain(direct(reversed))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("counts the rows of ids outside the population as skipped", () => {
    const b = new FactsBuilder(
      [
        { accountid: "A", statecode: 0 },
        { accountid: "B", statecode: 1 },
      ],
      DEFAULT_MODEL,
      AS_OF,
    );
    b.addInvoice({ customerid: "a", totalamount_base: 10, statecode: 2, createdon: AS_OF - DAY_MS });
    b.addInvoice({ customerid: "B", totalamount_base: 10, statecode: 2, createdon: AS_OF - DAY_MS });
    b.addOpportunity({
      customerid: "contact",
      statecode: 0,
      actualvalue_base: null,
      estimatedvalue_base: 5,
      closeprobability: 50,
      actualclosedate: null,
    });
    const t = b.build();
    expect(t.monetary[0]).toBe(10);
    expect(t.skipped).toEqual({ invoices: 1, opportunities: 1, activities: 0 });
  });
});

describe("PartialFacts merged into a FactsBuilder", () => {
  it("equal the rows added directly, however the rows are cut into chunks", () => {
    fc.assert(
      fc.property(rowsArb, fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 4 }), (r, cutsRaw) => {
        const b = new FactsBuilder(r.accounts, DEFAULT_MODEL, AS_OF);
        for (const [rows, add] of [
          [r.invoices, (p: PartialFacts, x: InvoiceRow) => p.addInvoice(x)],
          [r.opportunities, (p: PartialFacts, x: OpportunityRow) => p.addOpportunity(x)],
          [r.activities, (p: PartialFacts, x: ActivityRow) => p.addActivity(x)],
        ] as const) {
          const cuts = [...new Set([0, ...cutsRaw.map((c) => Math.min(c, rows.length)), rows.length])].sort(
            (x, y) => x - y,
          );
          for (let k = 0; k + 1 < cuts.length; k++) {
            const part = new PartialFacts(DEFAULT_MODEL, AS_OF);
            for (const x of rows.slice(cuts[k], cuts[k + 1])) (add as (p: PartialFacts, x: unknown) => void)(part, x);
            b.merge(part.data());
          }
        }
        expect(plain(b.build())).toEqual(plain(direct(r)));
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a chunk computed with another model's quarters", () => {
    const b = new FactsBuilder([{ accountid: "A", statecode: 0 }], DEFAULT_MODEL, AS_OF);
    const other = new PartialFacts(
      {
        ...DEFAULT_MODEL,
        trend: { ...DEFAULT_MODEL.trend, baselineQuarters: DEFAULT_MODEL.trend.baselineQuarters + 2 },
      },
      AS_OF,
    );
    expect(() => b.merge(other.data())).toThrow(/fields per account/);
  });
});

function shuffle<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

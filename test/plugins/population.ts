import fc from "fast-check";
import type { ActivityRow, EngineInput, InvoiceRow, OpportunityRow } from "../../src/engine";

const DAY = 86_400_000;
export const asOf = Date.UTC(2025, 4, 17, 9, 30);

/**
 * A random population: invoices (credit notes too) across 2.5 years, opportunities in every state, touches; some
 * invoices and opportunities belong to contacts, with or without a parent account (`contacts`).
 */
export interface Population extends EngineInput {
  contacts: { contactid: string; parentcustomerid: string | null }[];
}
export const population = fc
  .record({
    n: fc.integer({ min: 3, max: 12 }),
    invoices: fc.array(
      fc.record({
        a: fc.nat(11),
        contact: fc.option(fc.nat(3), { nil: null, freq: 3 }),
        cents: fc.integer({ min: -50_000, max: 900_000 }),
        state: fc.constantFrom(0, 1, 2, 3),
        daysAgo: fc.integer({ min: -20, max: 900 }),
      }),
      { maxLength: 80 },
    ),
    opps: fc.array(
      fc.record({
        a: fc.nat(11),
        contact: fc.option(fc.nat(3), { nil: null, freq: 3 }),
        state: fc.constantFrom(0, 1, 2),
        cents: fc.integer({ min: 0, max: 5_000_000 }),
        prob: fc.integer({ min: 0, max: 100 }),
        daysAgo: fc.integer({ min: -30, max: 500 }),
      }),
      { maxLength: 30 },
    ),
    acts: fc.array(
      fc.record({
        a: fc.nat(11),
        type: fc.constantFrom("phonecall", "appointment", "email", "task"),
        state: fc.constantFrom(0, 1, 2),
        daysAgo: fc.integer({ min: -10, max: 400 }),
      }),
      { maxLength: 30 },
    ),
    contacts: fc.array(fc.option(fc.nat(11), { nil: null }), { minLength: 4, maxLength: 4 }),
    storedTouch: fc.array(fc.option(fc.integer({ min: -5, max: 300 }), { nil: null }), {
      minLength: 12,
      maxLength: 12,
    }),
  })
  .map(({ n, invoices, opps, acts, contacts, storedTouch }) => {
    const id = (i: number): string => `00000000-0000-4000-8000-${String(i % n).padStart(12, "0")}`;
    const contactId = (k: number): string => `c0000000-0000-4000-8000-${String(k).padStart(12, "0")}`;
    const customer = (r: { a: number; contact: number | null }): string =>
      r.contact === null ? id(r.a) : contactId(r.contact);
    const input: Population = {
      contacts: contacts.map((parent, k) => ({
        contactid: contactId(k),
        parentcustomerid: parent === null ? null : id(parent),
      })),
      accounts: Array.from({ length: n }, (_, i) => ({
        accountid: id(i),
        statecode: 0,
        ct_lasttouchon: storedTouch[i] === null ? null : asOf - storedTouch[i]! * DAY,
      })),
      invoices: invoices.map((r, k): InvoiceRow => ({
        customerid: customer(r),
        totalamount_base: r.cents / 100,
        statecode: r.state,
        createdon: asOf - r.daysAgo * DAY - k * 1000,
      })),
      opportunities: opps.map((r): OpportunityRow => {
        const close = Math.floor((asOf - r.daysAgo * DAY) / DAY) * DAY; // actualclosedate is a date
        return {
          customerid: customer(r),
          statecode: r.state,
          actualvalue_base: r.state === 1 ? r.cents / 100 : null,
          estimatedvalue_base: r.cents / 100,
          closeprobability: r.prob,
          actualclosedate: r.state === 0 ? null : close,
        };
      }),
      activities: acts.map((r): ActivityRow => ({
        regardingobjectid: id(r.a),
        activitytypecode: r.type,
        statecode: r.state,
        actualend: asOf - r.daysAgo * DAY,
      })),
    };
    return input;
  });

import type { AccountRow, ActivityRow, InvoiceRow, OpportunityRow } from "../../src/engine/input-types";
import { readAccounts } from "../../src/export-reader/load";
import { readTable } from "../../src/export-reader/read-table";
import { ACTIVITIES, INVOICES, OPPORTUNITIES } from "../../src/export-reader/tables";

/**
 * An export folder parsed once (with the real reader, src/export) into typed columns, so the engine benchmark can
 * replay "parsed rows" many times without holding 20 million row objects. A row's customer id is the account's own
 * id string (interned), where a streaming parser would hand over a fresh copy: Map lookups here hash a cached string.
 */
export class ParsedExport {
  accounts: AccountRow[] = [];
  inv = {
    n: 0,
    cust: new Int32Array(0),
    amount: new Float64Array(0),
    state: new Uint8Array(0),
    on: new Float64Array(0),
  };
  opp = {
    n: 0,
    cust: new Int32Array(0),
    state: new Uint8Array(0),
    actual: new Float64Array(0),
    estimated: new Float64Array(0),
    prob: new Float64Array(0),
    close: new Float64Array(0),
  };
  act = { n: 0, cust: new Int32Array(0), type: new Uint8Array(0), state: new Uint8Array(0), end: new Float64Array(0) };
  types: string[] = [];
  get rows(): number {
    return this.accounts.length + this.inv.n + this.opp.n + this.act.n;
  }

  static async read(
    dir: string,
    counts: { invoices: number; opportunities: number; activities: number },
  ): Promise<ParsedExport> {
    const p = new ParsedExport();
    p.accounts = await readAccounts(dir);
    const index = new Map(p.accounts.map((a, i) => [a.accountid, i] as const));
    const at = (id: string, file: string): number => {
      const i = index.get(id);
      if (i === undefined)
        throw new Error(`${file}: customer ${id} is not in accounts.csv (the benchmark needs a consistent sample)`);
      return i;
    };
    const nul = (v: number | null): number => (v === null ? NaN : v);
    const inv = (p.inv = {
      n: 0,
      cust: new Int32Array(counts.invoices),
      amount: new Float64Array(counts.invoices),
      state: new Uint8Array(counts.invoices),
      on: new Float64Array(counts.invoices),
    });
    await readTable(dir, INVOICES, (r: InvoiceRow) => {
      const k = inv.n++;
      inv.cust[k] = at(r.customerid, "invoices.csv");
      inv.amount[k] = r.totalamount_base;
      inv.state[k] = r.statecode;
      inv.on[k] = r.createdon;
    });
    const m = counts.opportunities;
    const opp = (p.opp = {
      n: 0,
      cust: new Int32Array(m),
      state: new Uint8Array(m),
      actual: new Float64Array(m),
      estimated: new Float64Array(m),
      prob: new Float64Array(m),
      close: new Float64Array(m),
    });
    await readTable(dir, OPPORTUNITIES, (r: OpportunityRow) => {
      const k = opp.n++;
      opp.cust[k] = at(r.customerid, "opportunities.csv");
      opp.state[k] = r.statecode;
      opp.actual[k] = nul(r.actualvalue_base);
      opp.estimated[k] = nul(r.estimatedvalue_base);
      opp.prob[k] = nul(r.closeprobability);
      opp.close[k] = nul(r.actualclosedate);
    });
    const a = counts.activities;
    const act = (p.act = {
      n: 0,
      cust: new Int32Array(a),
      type: new Uint8Array(a),
      state: new Uint8Array(a),
      end: new Float64Array(a),
    });
    const typeIndex = new Map<string, number>();
    await readTable(dir, ACTIVITIES, (r: ActivityRow) => {
      const k = act.n++;
      act.cust[k] = at(r.regardingobjectid, "activities.csv");
      let t = typeIndex.get(r.activitytypecode);
      if (t === undefined) typeIndex.set(r.activitytypecode, (t = p.types.push(r.activitytypecode) - 1));
      act.type[k] = t;
      act.state[k] = r.statecode;
      act.end[k] = nul(r.actualend);
    });
    if (inv.n !== counts.invoices || opp.n !== counts.opportunities || act.n !== counts.activities)
      throw new Error("row counts differ from bench-data.json; delete the cached folder");
    return p;
  }

  /** Replays every row, as the reader would hand it over, into the three callbacks. */
  replay(
    onInvoice: (r: InvoiceRow) => void,
    onOpportunity: (r: OpportunityRow) => void,
    onActivity: (r: ActivityRow) => void,
  ): void {
    const ids = this.accounts.map((a) => a.accountid);
    const v = (x: number): number | null => (Number.isNaN(x) ? null : x);
    const { inv, opp, act, types } = this;
    for (let k = 0; k < inv.n; k++)
      onInvoice({
        customerid: ids[inv.cust[k]],
        totalamount_base: inv.amount[k],
        statecode: inv.state[k],
        createdon: inv.on[k],
      });
    for (let k = 0; k < opp.n; k++) {
      onOpportunity({
        customerid: ids[opp.cust[k]],
        statecode: opp.state[k],
        actualvalue_base: v(opp.actual[k]),
        estimatedvalue_base: v(opp.estimated[k]),
        closeprobability: v(opp.prob[k]),
        actualclosedate: v(opp.close[k]),
      });
    }
    for (let k = 0; k < act.n; k++)
      onActivity({
        regardingobjectid: ids[act.cust[k]],
        activitytypecode: types[act.type[k]],
        statecode: act.state[k],
        actualend: v(act.end[k]),
      });
  }
}

import {
  computeFacts,
  factsAt,
  scoreAccount,
  tierFromOption,
  type AccountOutcome,
  type ActivityRow,
  type EngineInput,
  type InvoiceRow,
  type OpportunityRow,
  type StoredState,
  type TierModel,
} from "../../src/engine";
import type { Row, Store } from "../../local-dataverse";

const lookupId = (v: unknown): string => (typeof v === "object" && v !== null ? (v as { id: string }).id : "");

/** The sandbox's rows as the engine's batch input (accounts by id; contact customers stay contacts, as in the batch). */
export function engineInput(store: Store): EngineInput {
  const rows = (t: string): Row[] => [...store.rows(t)];
  const activities: ActivityRow[] = [];
  for (const t of ["phonecall", "appointment", "email"]) {
    for (const r of rows(t))
      activities.push({
        regardingobjectid: lookupId(r.regardingobjectid),
        activitytypecode: t,
        statecode: r.statecode as number,
        actualend: (r.actualend as number) ?? null,
      });
  }
  return {
    accounts: rows("account").map((r) => ({
      accountid: r.accountid as string,
      statecode: r.statecode as number,
      ct_lasttouchon: (r.ct_lasttouchon as number | null) ?? null,
    })),
    invoices: rows("invoice").map((r): InvoiceRow => ({
      customerid: lookupId(r.customerid),
      totalamount_base: (r.totalamount_base as number) ?? 0,
      statecode: r.statecode as number,
      createdon: r.createdon as number,
    })),
    opportunities: rows("opportunity").map((r): OpportunityRow => ({
      customerid: lookupId(r.customerid),
      statecode: r.statecode as number,
      actualvalue_base: (r.actualvalue_base as number | null) ?? null,
      estimatedvalue_base: (r.estimatedvalue_base as number | null) ?? null,
      closeprobability: (r.closeprobability as number | null) ?? null,
      actualclosedate: (r.actualclosedate as number | null) ?? null,
    })),
    activities,
  };
}

/** What a from-scratch evaluation of the account says, given the state it held before the save. */
export function expectedOutcome(
  store: Store,
  model: TierModel,
  accountId: string,
  before: StoredState,
  asOf: number,
): AccountOutcome {
  const facts = computeFacts(engineInput(store), model, asOf);
  const i = facts.accounts.findIndex((a) => a.accountid === accountId);
  if (i < 0) throw new Error(`account ${accountId} is not in the population`);
  return scoreAccount(factsAt(facts, i), model, null, before, asOf);
}

export function storedBefore(store: Store, accountId: string): StoredState {
  const r = store.get("account", accountId)!;
  return {
    tier: tierFromOption(r.ct_tier as number | null) ?? null,
    changedOn: (r.ct_tierchangedon as number | null) ?? null,
    override: tierFromOption(r.ct_tieroverride as number | null) ?? null,
    overrideReason: (r.ct_tieroverridereason as string | null) ?? null,
    overrideUntil: (r.ct_tieroverrideuntil as number | null) ?? null,
  };
}

import { ConcurrencyConflict } from "../dataverse/errors";
import { accountPath, type DataverseGateway } from "../dataverse/gateway";
import type { Logger } from "../log";
import { readPolicies } from "./policies";
import { PROGRAMME_ACCOUNT_COLUMNS, accountRef, ownerOf } from "./programme";
import { pickRep, repLoads, teamMembers, type Rep } from "./reps";
import { newRepDigestTask, reviewTask, TASK_SET, type AccountRef, type LeftTier, type Owner } from "./tasks";
import { bind } from "../dataverse/schema";

/** One stored-tier change the re-rank has written (from → to), by account id. */
export interface BulkTierChange {
  accountId: string;
  from: string | null;
  to: string;
}

export interface BulkProgrammeSummary {
  /** Accounts that got a service rep, by rep id. */
  assigned: Record<string, string[]>;
  repTasks: number;
  reviewTasks: number;
  /** Accounts entering a rep tier that already had a rep (kept) or whose team had no member. */
  skipped: number;
}

/** Re-reading an account that changed between our read and our write, at most this often. */
const MAX_ATTEMPTS = 5;

/**
 * The programme after a re-rank (issue 9, bulk form): accounts that entered a tier with a rep team and have no rep get
 * one, balanced over the team (fewest accounts of the tier first, ties by name, counting this run's assignments),
 * each written with If-Match on the account so a concurrent save cannot give it a second rep; then ONE task per rep
 * lists their new accounts, and one review task per owner lists the accounts that left a rep tier (reps are kept).
 * Call it once with the tier changes the re-rank committed.
 */
export async function applyProgrammeBulk(
  gateway: DataverseGateway,
  changes: readonly BulkTierChange[],
  asOf: number,
  log?: Logger,
): Promise<BulkProgrammeSummary> {
  const summary: BulkProgrammeSummary = { assigned: {}, repTasks: 0, reviewTasks: 0, skipped: 0 };
  if (changes.length === 0) return summary;
  const policies = await readPolicies(gateway);
  const relevant = changes.filter((c) => policies.get(c.to)?.repTeamId || (c.from && policies.get(c.from)?.repTeamId));
  // In name order, so ties in the balance fall the same way on every run.
  const accounts = new Map<string, { ref: AccountRef; rep: string | null; owner: Owner | null }>();
  for (const c of relevant) {
    const a = await gateway.retrieveAccount(c.accountId, PROGRAMME_ACCOUNT_COLUMNS);
    if (!a) continue;
    accounts.set(c.accountId, {
      ref: accountRef(c.accountId, a.row),
      rep: lower(a.row._ct_servicerepid_value),
      owner: ownerOf(a.row),
    });
  }

  const byTeam = new Map<string, BulkTierChange[]>();
  const leftByOwner = new Map<string, { owner: Owner; left: LeftTier[] }>();
  for (const c of relevant) {
    const a = accounts.get(c.accountId);
    if (!a) continue;
    const to = policies.get(c.to);
    const from = c.from ? policies.get(c.from) : undefined;
    if (to?.repTeamId) {
      if (a.rep) summary.skipped++;
      else byTeam.set(to.repTeamId, [...(byTeam.get(to.repTeamId) ?? []), c]);
    } else if (a.rep && from?.repTeamId && c.from) {
      if (a.owner) {
        const key = `${a.owner.table}:${a.owner.id}`;
        const slot = leftByOwner.get(key) ?? { owner: a.owner, left: [] };
        slot.left.push({ account: a.ref, from: c.from, to: c.to, repId: a.rep });
        leftByOwner.set(key, slot);
      } else
        log?.warn({ accountId: c.accountId }, "account left a tier with a service rep but has no owner to review it");
    }
  }

  const newByRep = new Map<string, { tier: string; hours: number | null; accounts: AccountRef[] }>();
  for (const [teamId, entries] of byTeam) {
    const members = await teamMembers(gateway, teamId);
    const tiers = [...new Set(entries.map((e) => e.to))];
    const loads = new Map<string, number>();
    for (const tier of tiers)
      for (const [id, n] of await repLoads(gateway, tier, members)) loads.set(id, (loads.get(id) ?? 0) + n);
    entries.sort((x, y) => cmp(accounts.get(x.accountId)!.ref, accounts.get(y.accountId)!.ref));
    for (const e of entries) {
      const rep = pickRep(members, loads);
      if (!rep) {
        summary.skipped++;
        log?.warn(
          { accountId: e.accountId, teamId },
          "the tier's service rep team has no enabled member: no rep assigned",
        );
        continue;
      }
      if (!(await assign(gateway, e.accountId, rep))) {
        summary.skipped++;
        continue;
      }
      loads.set(rep.id, (loads.get(rep.id) ?? 0) + 1);
      (summary.assigned[rep.id] ??= []).push(e.accountId);
      const policy = policies.get(e.to)!;
      const slot = newByRep.get(rep.id) ?? { tier: e.to, hours: policy.responseTimeHours, accounts: [] };
      slot.accounts.push(accounts.get(e.accountId)!.ref);
      newByRep.set(rep.id, slot);
    }
  }
  for (const [repId, s] of newByRep) {
    await gateway.commit([
      { method: "POST", path: TASK_SET, body: newRepDigestTask(s.accounts, repId, s.hours, asOf) },
    ]);
    summary.repTasks++;
  }
  for (const { owner, left } of leftByOwner.values()) {
    await gateway.commit([{ method: "POST", path: TASK_SET, body: reviewTask(left, owner, asOf) }]);
    summary.reviewTasks++;
  }
  log?.info(
    {
      assigned: Object.values(summary.assigned).reduce((n, a) => n + a.length, 0),
      repTasks: summary.repTasks,
      reviewTasks: summary.reviewTasks,
      skipped: summary.skipped,
    },
    "tier programme applied after re-rank",
  );
  return summary;
}

/** Sets the rep only while the account has none, under If-Match; false when someone else gave it one first. */
async function assign(gateway: DataverseGateway, accountId: string, rep: Rep): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const a = await gateway.retrieveAccount(accountId, ["_ct_servicerepid_value"]);
    if (!a || lower(a.row._ct_servicerepid_value)) return false;
    try {
      await gateway.commit([
        {
          method: "PATCH",
          path: accountPath(accountId),
          body: Object.fromEntries([bind("account", "ct_ServiceRepId", "systemuser", rep.id)]),
          ifMatch: a.etag,
        },
      ]);
      return true;
    } catch (e) {
      if (!(e instanceof ConcurrencyConflict) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
}

const lower = (v: unknown): string | null => (typeof v === "string" && v ? v.toLowerCase() : null);
const cmp = (a: AccountRef, b: AccountRef): number =>
  a.name.localeCompare(b.name, "en", { sensitivity: "base" }) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

import type { ChangeOperation } from "../dataverse/batch";
import type { DataverseGateway, Row } from "../dataverse/gateway";
import type { Logger } from "../log";
import { KeyedLock } from "../keyed-lock";
import { PolicyError, readPolicies, type TierPolicy } from "./policies";
import { pickRep, repLoads, teamMembers } from "./reps";
import { newRepTask, reviewTask, TASK_SET, type AccountRef, type Owner } from "./tasks";
import { bind } from "../dataverse/schema";

/** Account columns the programme reads besides the recalculation's own (Web API names). */
export const PROGRAMME_ACCOUNT_COLUMNS = ["name", "_ownerid_value", "_ct_servicerepid_value"] as const;

export interface TierChange {
  accountId: string;
  /** The account as read with PROGRAMME_ACCOUNT_COLUMNS, in the same read whose ETag guards the write. */
  account: Row;
  from: string | null;
  to: string;
  asOf: number;
}

/** What the programme adds to the recalculation's change set: account columns and follow-up tasks. */
export interface ProgrammePlan {
  patch: Row;
  ops: ChangeOperation[];
}

export type ProgrammeAction =
  | { kind: "assigned"; repId: string; repName: string }
  | { kind: "review"; owner: Owner }
  | { kind: "none"; why: string };

const lower = (v: unknown): string | null => (typeof v === "string" && v ? v.toLowerCase() : null);

export function accountRef(id: string, row: Row): AccountRef {
  return { id, name: typeof row.name === "string" ? row.name : "" };
}

/**
 * The account's owner, user or team, from `_ownerid_value` and its lookuplogicalname annotation (the gateway asks for
 * all annotations). https://learn.microsoft.com/power-apps/developer/data-platform/webapi/retrieve-related-entities-query#lookup-property-annotations
 */
export function ownerOf(row: Row): Owner | null {
  const id = lower(row._ownerid_value);
  if (!id) return null;
  return {
    id,
    table: row["_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname"] === "team" ? "team" : "systemuser",
  };
}

/**
 * The tier programme on the save path (issue 9). A tier change is committed together with what the programme adds,
 * in one change set whose account PATCH carries If-Match: two concurrent entries of one account cannot both assign
 * a rep, since the second fails with 412, reads the account again and finds the tier and the rep already there.
 * Within this process, entries into one team queue, so each sees the previous one's rep in the loads it counts.
 */
export class TierProgramme {
  private readonly teams = new KeyedLock();

  constructor(private readonly gateway: DataverseGateway) {}

  async onTierChange(
    change: TierChange,
    commit: (plan: ProgrammePlan) => Promise<void>,
    log: Logger,
  ): Promise<ProgrammeAction> {
    let policies: Map<string, TierPolicy>;
    try {
      policies = await readPolicies(this.gateway);
    } catch (e) {
      // A policy sales ops mistyped must not stop tiers being kept; the tier change is written without the programme.
      if (!(e instanceof PolicyError)) throw e;
      log.error(
        { accountId: change.accountId, err: e.message },
        "tier policy unusable: tier change written without service rep follow-up",
      );
      await commit({ patch: {}, ops: [] });
      return { kind: "none", why: e.message };
    }
    const to = policies.get(change.to);
    const from = change.from ? policies.get(change.from) : undefined;
    const rep = lower(change.account._ct_servicerepid_value);
    const account = accountRef(change.accountId, change.account);

    if (!rep && to?.repTeamId) {
      const teamId = to.repTeamId;
      return this.teams.run(teamId, async () => {
        const members = await teamMembers(this.gateway, teamId);
        const chosen = pickRep(members, await repLoads(this.gateway, change.to, members));
        if (!chosen) {
          log.warn(
            { accountId: change.accountId, teamId },
            "the tier's service rep team has no enabled member: no rep assigned",
          );
          await commit({ patch: {}, ops: [] });
          return { kind: "none", why: `team ${teamId} has no enabled member` } as const;
        }
        await commit({
          patch: Object.fromEntries([bind("account", "ct_ServiceRepId", "systemuser", chosen.id)]),
          ops: [
            {
              method: "POST",
              path: TASK_SET,
              body: newRepTask(account, chosen.id, to.responseTimeHours, change.asOf),
            },
          ],
        });
        log.info({ accountId: change.accountId, repId: chosen.id }, "service rep assigned");
        return { kind: "assigned", repId: chosen.id, repName: chosen.name } as const;
      });
    }

    const owner = ownerOf(change.account);
    if (rep && from?.repTeamId && to?.repTeamId !== from.repTeamId && change.from) {
      if (!owner) {
        log.warn(
          { accountId: change.accountId },
          "account left a tier with a service rep but has no owner to review it",
        );
        await commit({ patch: {}, ops: [] });
        return { kind: "none", why: "no owner" };
      }
      await commit({
        patch: {},
        ops: [
          {
            method: "POST",
            path: TASK_SET,
            body: reviewTask([{ account, from: change.from, to: change.to, repId: rep }], owner, change.asOf),
          },
        ],
      });
      log.info({ accountId: change.accountId, owner }, "service rep kept: review task for the owner");
      return { kind: "review", owner };
    }
    await commit({ patch: {}, ops: [] });
    return { kind: "none", why: rep ? "has a rep" : "no rep team for the tier" };
  }
}

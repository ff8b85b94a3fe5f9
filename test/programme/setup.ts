import { TIER_OPTIONS } from "../../src/engine";
import type { Stack } from "../plugins/stack";

/** Writes that must not fire the plugin's steps (what an import or the re-rank would do). */
export const QUIET = { "MSCRM.BypassBusinessLogicExecution": "CustomSync,CustomAsync" };

export interface Programme {
  teamId: string;
  /** Enabled members by name. */
  reps: Record<string, string>;
  disabledRep: string;
  owner: string;
}

async function create(stack: Stack, set: string, body: Record<string, unknown>, idColumn: string): Promise<string> {
  const r = await stack.api("POST", set, body, QUIET);
  if (r.status !== 201) throw new Error(`POST ${set}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json[idColumn] as string;
}

/**
 * A team of three service reps (plus a disabled member who must never be picked), an AAA policy naming the team
 * with an 8-hour response time, and an A policy without a team.
 */
export async function seedProgramme(stack: Stack, names = ["Cy Young", "Alex Reed", "Bea Stone"]): Promise<Programme> {
  const owner = await create(stack, "systemusers", { fullname: "Olga Owner" }, "systemuserid");
  const teamId = await create(stack, "teams", { name: "Super customer service" }, "teamid");
  const reps: Record<string, string> = {};
  for (const name of names) {
    reps[name] = await create(stack, "systemusers", { fullname: name }, "systemuserid");
    await create(stack, "teammemberships", { teamid: teamId, systemuserid: reps[name] }, "teammembershipid");
  }
  const disabledRep = await create(stack, "systemusers", { fullname: "Aaron Away", isdisabled: true }, "systemuserid");
  await create(stack, "teammemberships", { teamid: teamId, systemuserid: disabledRep }, "teammembershipid");
  await create(
    stack,
    "ct_tierpolicies",
    {
      ct_name: "AAA",
      ct_tier: TIER_OPTIONS.AAA,
      ct_cadencedays: 14,
      ct_responsetimehours: 8,
      ct_serviceprivileges: "Free express shipping; 60-day payment terms",
      "ct_ServiceRepTeamId@odata.bind": `/teams(${teamId})`,
    },
    "ct_tierpolicyid",
  );
  await create(
    stack,
    "ct_tierpolicies",
    { ct_name: "A", ct_tier: TIER_OPTIONS.A, ct_cadencedays: 30, ct_responsetimehours: 24 },
    "ct_tierpolicyid",
  );
  return { teamId, reps, disabledRep, owner };
}

export async function newAccount(
  stack: Stack,
  name: string,
  owner: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  return create(stack, "accounts", { name, "ownerid@odata.bind": `/systemusers(${owner})`, ...extra }, "accountid");
}

const lookupId = (v: unknown): string | null => (v && typeof v === "object" ? (v as { id: string }).id : null);

export function repOf(stack: Stack, accountId: string): string | null {
  return lookupId(stack.sandbox.store.get("account", accountId)!.ct_servicerepid);
}

export interface TaskView {
  subject: string;
  description: string;
  owner: string | null;
  regarding: string | null;
  due: number | null;
}

export function tasks(stack: Stack): TaskView[] {
  return [...stack.sandbox.store.rows("task")].map((t) => ({
    subject: t.subject as string,
    description: t.description as string,
    owner: lookupId(t.ownerid),
    regarding: lookupId(t.regardingobjectid),
    due: (t.scheduledend as number | null) ?? null,
  }));
}

import { isoDate, isoInstant } from "../../src/engine";
import { bind, setOf } from "../dataverse/schema";

/** Task columns of the programme's follow-ups (https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/task). */
export const TASK_SET = setOf("task");
/** Dataverse's task subject is 200 characters. */
export const SUBJECT_MAX = 200;
/** A review of a rep after the account left the tier: due a week later, as no policy names a time for it. */
export const REVIEW_DUE_DAYS = 7;
const HOUR_MS = 3_600_000;

export interface AccountRef {
  id: string;
  name: string;
}

/** Who owns a task: a user, or a team (an account owned by a team gets the review task on the team). */
export interface Owner {
  id: string;
  table: "systemuser" | "team";
}

const clip = (s: string): string => (s.length <= SUBJECT_MAX ? s : `${s.slice(0, SUBJECT_MAX - 1)}…`);
const label = (a: AccountRef): string => a.name || a.id;

function task(
  subject: string,
  description: string,
  owner: Owner,
  due: number | null,
  regarding: string | null,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    subject: clip(subject),
    description,
  };
  const [ownerKey, ownerRef] = bind("task", "ownerid", owner.table, owner.id);
  body[ownerKey] = ownerRef;
  if (due !== null) body.scheduledend = isoInstant(due);
  if (regarding) {
    const [key, ref] = bind("task", "regardingobjectid_account_task", "account", regarding);
    body[key] = ref;
  }
  return body;
}

const dueIn = (asOf: number, hours: number | null): number | null => (hours === null ? null : asOf + hours * HOUR_MS);

/*
 * Task text never names a tier or what a tier brings ("super customer"): tasks are readable by anyone with task
 * access, outside the tier profile's field security (issue 17). The rep learns which account, not why.
 */

/** "Service rep assignment: …" for the rep just assigned, due within the policy's response time. */
export function newRepTask(
  account: AccountRef,
  repId: string,
  responseTimeHours: number | null,
  asOf: number,
): Record<string, unknown> {
  const within = responseTimeHours === null ? "" : ` Response-time target: ${responseTimeHours} hours.`;
  return task(
    `Service rep assignment: ${label(account)}`,
    `You are the service rep of ${label(account)} from ${isoDate(asOf)}. Introduce yourself and review its open requests.${within}`,
    { id: repId, table: "systemuser" },
    dueIn(asOf, responseTimeHours),
    account.id,
  );
}

/** The re-rank's form: one task per rep listing every account newly assigned to them. */
export function newRepDigestTask(
  accounts: readonly AccountRef[],
  repId: string,
  responseTimeHours: number | null,
  asOf: number,
): Record<string, unknown> {
  if (accounts.length === 1) return newRepTask(accounts[0], repId, responseTimeHours, asOf);
  const within = responseTimeHours === null ? "" : `\nResponse-time target: ${responseTimeHours} hours.`;
  return task(
    `Service rep assignments: ${accounts.length} accounts`,
    `You are the service rep of these accounts from ${isoDate(asOf)}:\n${accounts.map((a) => `- ${label(a)} (${a.id})`).join("\n")}${within}`,
    { id: repId, table: "systemuser" },
    dueIn(asOf, responseTimeHours),
    null,
  );
}

export interface LeftTier {
  account: AccountRef;
  from: string;
  to: string;
  repId: string;
}

/** For the account owner: the account's service rep is up for review; the rep stays until a person decides. */
export function reviewTask(left: readonly LeftTier[], owner: Owner, asOf: number): Record<string, unknown> {
  const due = asOf + REVIEW_DUE_DAYS * 24 * HOUR_MS;
  const lines = left.map((l) => `- ${label(l.account)} (${l.account.id}), service rep ${l.repId}`);
  const advice =
    "The service rep was kept. Decide whether the account keeps its rep; clear Service rep on the account if not. The tier history shows what changed (to holders of the tier profile).";
  if (left.length === 1) {
    const l = left[0];
    return task(
      `Review service rep: ${label(l.account)}`,
      `The tier of ${label(l.account)} changed on ${isoDate(asOf)} and its service rep is up for review.\n${advice}`,
      owner,
      due,
      l.account.id,
    );
  }
  return task(
    `Review service reps: ${left.length} accounts`,
    `The tier of these accounts changed on ${isoDate(asOf)} and their service reps are up for review:\n${lines.join("\n")}\n${advice}`,
    owner,
    due,
    null,
  );
}

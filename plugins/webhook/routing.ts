import { ACTIVITY_CHANNELS, STATE } from "../../src/engine";
import type { DataverseGateway } from "../dataverse/gateway";
import { OVERRIDE_COLUMNS } from "../dataverse/metadata";
import type { Trigger } from "../recalc/recalculate";
import { isRef, normalizeId, type AttrValue, type Ref, type Snapshot, type WebhookContext } from "./context";

/** What an event asks for: recalculate some accounts, or nothing (with the reason, for the log). */
export type Plan =
  | { kind: "noop"; reason: string }
  | { kind: "recalc"; trigger: Trigger; accounts: string[]; via: string }
  /** A tier policy saved: its tier's accounts take the new touch pattern. */
  | { kind: "policy"; policyId: string }
  /** The tier model saved: the re-rank is brought forward. */
  | { kind: "rerank"; modelId: string };

/** The route an event takes, decided from message and table alone (no I/O): what the step registrations are checked against. */
export type Route =
  | { kind: "noop"; reason: string }
  | { kind: "customer"; trigger: "invoice" | "opportunity" }
  | { kind: "touch" }
  | { kind: "override" }
  | { kind: "policy" }
  | { kind: "model" };

/**
 * The solution registers Create/Update/Delete. Registrations an admin may add by hand are understood too: state
 * changes (SetState, Win, Lose: an invoice paid or an opportunity closed through its own message) and Assign,
 * which recalculate the record's customer like an update does; recalculating is idempotent.
 */
const CRUD = new Set(["Create", "Update", "Delete"]);
const STATE_CHANGES = new Set(["SetState", "SetStateDynamicEntity", "Assign"]);
const OPPORTUNITY_CLOSE = new Set(["Win", "Lose"]);

export function routeFor(message: string, entity: string): Route {
  const crud = CRUD.has(message);
  const stateChange = STATE_CHANGES.has(message);
  if (entity === "invoice" || entity === "opportunity") {
    if (crud || stateChange || (entity === "opportunity" && OPPORTUNITY_CLOSE.has(message)))
      return { kind: "customer", trigger: entity };
  } else if (Object.prototype.hasOwnProperty.call(ACTIVITY_CHANNELS, entity)) {
    if (message === "Delete") return { kind: "noop", reason: `a deleted ${entity} is not a touch` };
    if (crud || stateChange) return { kind: "touch" };
  } else if (entity === "ct_tierpolicy" || entity === "ct_tiermodel") {
    if (message === "Create" || message === "Update") return { kind: entity === "ct_tierpolicy" ? "policy" : "model" };
    return { kind: "noop", reason: `${message} of ${entity} changes no account` };
  } else if (entity === "account") {
    return message === "Update"
      ? { kind: "override" }
      : { kind: "noop", reason: `${message} of account does not change a tier` };
  } else {
    return { kind: "noop", reason: `table ${entity} does not affect tiers` };
  }
  return { kind: "noop", reason: `message ${message} of ${entity} is not handled` };
}

/** A stripped Delete cannot be resolved: the row is gone and the payload lost its images. */
export class UnresolvableEvent extends Error {
  override name = "UnresolvableEvent";
}

/** Contacts stand for their parent account; a contact's parent may itself be a contact, so follow a few levels. */
const MAX_PARENT_HOPS = 3;

function snapshots(ctx: WebhookContext): Snapshot[] {
  const out: Snapshot[] = [];
  if (ctx.target && "attributes" in ctx.target) out.push(ctx.target);
  return out.concat(ctx.pre, ctx.post);
}

function refsIn(list: Snapshot[], column: string): Ref[] {
  return list.map((s) => s.attributes.get(column)).filter((v): v is Ref => isRef(v as AttrValue | undefined));
}

/** The value a column has after the event: the post-image, else the Target, else the pre-image. */
function latest(ctx: WebhookContext, column: string): AttrValue | undefined {
  const order = [...ctx.post, ...(ctx.target && "attributes" in ctx.target ? [ctx.target] : []), ...ctx.pre];
  for (const s of order) if (s.attributes.has(column)) return s.attributes.get(column);
  return undefined;
}

async function accountsOf(refs: Ref[], gateway: DataverseGateway): Promise<string[]> {
  const out = new Set<string>();
  for (const ref of refs) {
    let current: Ref | null = ref;
    for (let hop = 0; current && hop <= MAX_PARENT_HOPS; hop++) {
      if (current.logicalName === "account") {
        out.add(normalizeId(current.id));
        break;
      }
      if (current.logicalName !== "contact") break;
      const contact = await gateway.retrieve("contact", current.id, ["_parentcustomerid_value"]);
      const parent = contact?._parentcustomerid_value;
      const table = contact?.["_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname"];
      current = typeof parent === "string" && typeof table === "string" ? { logicalName: table, id: parent } : null;
    }
  }
  return [...out];
}

/** Reads a lookup of the saved row itself, for events whose payload does not carry it. */
async function readLookup(ctx: WebhookContext, column: string, gateway: DataverseGateway): Promise<Ref | null> {
  const id = ctx.closedOpportunity?.id ?? ctx.entityId;
  const row = await gateway.retrieve(ctx.entity, id, [`_${column}_value`]);
  const value = row?.[`_${column}_value`];
  const table = row?.[`_${column}_value@Microsoft.Dynamics.CRM.lookuplogicalname`];
  return typeof value === "string" && typeof table === "string" ? { logicalName: table, id: value } : null;
}

/**
 * Turns an event into the accounts to recalculate. Customers are collected from the Target and every image, whatever
 * the images are named, so a reassignment recalculates the old and the new account.
 */
export async function plan(ctx: WebhookContext, gateway: DataverseGateway): Promise<Plan> {
  const route = routeFor(ctx.message, ctx.entity);
  switch (route.kind) {
    case "noop":
      return route;
    case "customer": {
      let refs = ctx.stripped ? [] : refsIn(snapshots(ctx), "customerid");
      let via = "payload";
      if (refs.length === 0) {
        if (ctx.message === "Delete") {
          throw new UnresolvableEvent(
            `Delete of ${ctx.entity} ${ctx.entityId}: no customer in the payload and the row no longer exists`,
          );
        }
        const ref = await readLookup(ctx, "customerid", gateway);
        if (!ref)
          return { kind: "noop", reason: `${ctx.entity} ${ctx.entityId} has no customer (or no longer exists)` };
        refs = [ref];
        via = "read";
      }
      const accounts = await accountsOf(refs, gateway);
      if (accounts.length === 0)
        return {
          kind: "noop",
          reason: `the customer of ${ctx.entity} ${ctx.entityId} is not an account and has no parent account`,
        };
      return { kind: "recalc", trigger: route.trigger, accounts, via };
    }
    case "touch": {
      let regarding = ctx.stripped ? undefined : latest(ctx, "regardingobjectid");
      let state = ctx.stripped ? undefined : latest(ctx, "statecode");
      let via = "payload";
      if (regarding === undefined || state === undefined) {
        const row = await gateway.retrieve(ctx.entity, ctx.entityId, ["_regardingobjectid_value", "statecode"]);
        if (!row) return { kind: "noop", reason: `${ctx.entity} ${ctx.entityId} no longer exists` };
        const id = row._regardingobjectid_value;
        const table = row["_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"];
        regarding = typeof id === "string" && typeof table === "string" ? { logicalName: table, id } : null;
        state = row.statecode as AttrValue;
        via = "read";
      }
      if (state !== STATE.activity.completed) return { kind: "noop", reason: `${ctx.entity} is not completed` };
      if (!isRef(regarding) || regarding.logicalName !== "account")
        return { kind: "noop", reason: `${ctx.entity} is not regarding an account` };
      return { kind: "recalc", trigger: "touch", accounts: [normalizeId(regarding.id)], via };
    }
    case "policy":
      return { kind: "policy", policyId: normalizeId(ctx.entityId) };
    case "model":
      return { kind: "rerank", modelId: normalizeId(ctx.entityId) };
    case "override": {
      const target = ctx.target && "attributes" in ctx.target ? ctx.target : null;
      if (!ctx.stripped && target && !OVERRIDE_COLUMNS.some((c) => target.attributes.has(c))) {
        return { kind: "noop", reason: "account update did not touch the override columns" };
      }
      return { kind: "recalc", trigger: "override", accounts: [ctx.entityId], via: ctx.stripped ? "read" : "payload" };
    }
  }
}

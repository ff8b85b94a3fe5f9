import { readStepRegistrations } from "../../solution/scripts/steps";
import { buildContext, Metadata, Store, type ChangeEvent, type Row } from "../../local-dataverse";
import type { DataverseGateway } from "../../plugins/dataverse/gateway";
import { parseContext } from "../../plugins/webhook/context";
import { plan, routeFor } from "../../plugins/webhook/routing";

/** Every step the solution registers must reach a handler that does something, from its payload alone. */
const steps = readStepRegistrations();
const ACCOUNT = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const ctx = {
  userId: "5a9d3e42-0c7b-4f7a-9a55-000000000001",
  correlationId: "c0ffee00-0000-4000-8000-000000000003",
  bypassSync: false,
  bypassAsync: false,
};

const noReads: DataverseGateway = {
  retrieve: () => Promise.reject(new Error("the registered images should carry what routing needs")),
  retrieveAccount: () => Promise.reject(new Error("no account reads in routing")),
  fetch: () => Promise.reject(new Error("no queries in routing")),
  query: () => Promise.reject(new Error("no queries in routing")),
  commit: () => Promise.reject(new Error("no writes in routing")),
};

/** A row of the step's table that the step is about: a customer's invoice or opportunity, a completed touch, an override. */
const POLICY = "11111111-0000-4000-8000-000000000004";
const MODEL = "11111111-0000-4000-8000-000000000005";

function rowFor(table: string): Row {
  const account = { id: ACCOUNT, table: "account" };
  switch (table) {
    case "invoice":
      return {
        invoiceid: "11111111-0000-4000-8000-000000000001",
        customerid: account,
        totalamount: 10,
        totalamount_base: 10,
        statecode: 2,
        createdon: 1_700_000_000_000,
      };
    case "opportunity":
      return {
        opportunityid: "11111111-0000-4000-8000-000000000002",
        customerid: account,
        statecode: 1,
        actualvalue: 5,
        actualvalue_base: 5,
        actualclosedate: 1_700_000_000_000,
      };
    case "account":
      return { accountid: ACCOUNT, ct_tieroverride: 100000000, ct_tieroverridereason: "strategic" };
    case "ct_tierpolicy":
      return {
        ct_tierpolicyid: POLICY,
        ct_tier: 100000000,
        statecode: 0,
        ct_cadencedays: 7,
        ct_touchchannel: 100000001,
      };
    case "ct_tiermodel":
      return { ct_tiermodelid: MODEL, statecode: 0, ct_modeljson: "{}" };
    default:
      return {
        activityid: "11111111-0000-4000-8000-000000000003",
        regardingobjectid: account,
        statecode: 1,
        actualend: 1_700_000_000_000,
      };
  }
}

describe("solution step registrations route to handlers", () => {
  it("the solution registers steps", () => {
    expect(steps.length).toBeGreaterThan(0);
  });

  it.each(steps.map((s) => [s.name, s] as const))("%s", async (_name, step) => {
    expect(routeFor(step.message, step.primaryEntity).kind).not.toBe("noop");
    const store = new Store(new Metadata());
    const row = rowFor(step.primaryEntity);
    const id = String(Object.entries(row).find(([k]) => k.endsWith("id") && typeof row[k] === "string")![1]);
    const written: Row =
      step.message === "Delete"
        ? {}
        : Object.fromEntries(
            Object.entries(row).filter(
              ([k]) =>
                step.message === "Create" ||
                step.filteringAttributes.length === 0 ||
                step.filteringAttributes.includes(k),
            ),
          );
    const event: ChangeEvent = {
      message: step.message,
      table: step.primaryEntity,
      id,
      target: written,
      pre: step.message === "Create" ? undefined : row,
      post: step.message === "Delete" ? undefined : row,
      ctx,
      operationId: "22222222-0000-4000-8000-000000000001",
      at: 1_700_000_000_000,
    };
    const body = JSON.parse(
      JSON.stringify(
        buildContext(store, step, event, {
          organizationId: "33333333-0000-4000-8000-000000000001",
          organizationName: "org",
          businessUnitId: "44444444-0000-4000-8000-000000000001",
        }),
      ),
    );
    const p = await plan(parseContext(body, false), noReads);
    // Sales ops' saves: a policy goes to its tier's accounts, a model brings the re-rank forward.
    if (step.primaryEntity === "ct_tierpolicy") expect(p).toEqual({ kind: "policy", policyId: POLICY });
    else if (step.primaryEntity === "ct_tiermodel") expect(p).toEqual({ kind: "rerank", modelId: MODEL });
    else expect(p).toMatchObject({ kind: "recalc", accounts: [ACCOUNT] });
  });
});

import { HttpTransport } from "../../plugins/dataverse/transport";
import { startStack, type Stack } from "./stack";

/**
 * What one save costs against Dataverse's service protection limits (issue 7 target: ≤ 3 Web API requests, and no
 * write when nothing changed): the model check, one `$batch` of reads, and one change set when something changed.
 */
const sent: { method: string; uri: string; changeSet: boolean }[] = [];

let stack: Stack;
beforeAll(async () => {
  // Every request the plugin sends goes through its transport (the test's own Web API calls use fetch directly).
  const request = HttpTransport.prototype.request;
  jest.spyOn(HttpTransport.prototype, "request").mockImplementation(function (this: HttpTransport, ...args) {
    const [method, uri, , body] = args;
    sent.push({ method, uri, changeSet: typeof body === "string" && body.includes("boundary=changeset_") });
    return request.apply(this, args);
  });
  stack = await startStack();
});
afterAll(async () => {
  jest.restoreAllMocks();
  await stack.close();
});

const invoice = (account: string, name: string, amount: number) =>
  stack.api("POST", "invoices", {
    name,
    "customerid_account@odata.bind": `/accounts(${account})`,
    totalamount: amount,
    overriddencreatedon: new Date(Date.now() - 86_400_000).toISOString(),
  });

async function countSave(write: () => Promise<unknown>): Promise<{ requests: string[]; writes: number }> {
  sent.length = 0;
  await write();
  await stack.settle();
  return {
    requests: sent.map(
      (s) => `${s.method} ${s.uri.replace(/^https?:\/\/[^/]+\/api\/data\/v9\.2\//, "").replace(/\?.*$/, "")}`,
    ),
    writes: sent.filter((s) => s.changeSet).length,
  };
}

it("recalculates a save in 4 requests (5 when the tier changes, 6 the first time), and a save that changes nothing in 3 with no write", async () => {
  const account = (await stack.api("POST", "accounts", { name: "Counted Ltd" })).json.accountid as string;
  await stack.settle();

  // First invoice: the touch pattern's policies are read once (then cached for a minute), and the account gets its
  // first tier, so the tier programme reads the tier policies too.
  const first = await countSave(() => invoice(account, "INV-C1", 4200));
  // The account's contacts are read before its facts: their invoices and opportunities count for it.
  expect(first.requests).toEqual([
    "GET ct_tiermodels",
    "GET ct_tierpolicies",
    "GET contacts",
    "POST $batch",
    "GET ct_tierpolicies",
    "POST $batch",
  ]);
  expect(first.writes).toBe(1);
  expect(stack.sandbox.store.get("account", account)!.ct_revenue12m).toBe(4200);

  // Second invoice: revenue changes, the tier does not (cold start: thresholds over a population of one).
  const second = await countSave(() => invoice(account, "INV-C2", 800));
  expect(second.requests).toEqual(["GET ct_tiermodels", "GET contacts", "POST $batch", "POST $batch"]);
  expect(second.writes).toBe(1);
  expect(stack.sandbox.store.get("account", account)!.ct_revenue12m).toBe(5000);

  // The same invoice saved again with the same amount: reads only.
  const id = [...stack.sandbox.store.rows("invoice")].find((i) => i.name === "INV-C1")!.invoiceid as string;
  const third = await countSave(() => stack.api("PATCH", `invoices(${id})`, { totalamount: 4200 }));
  expect(third.requests).toEqual(["GET ct_tiermodels", "GET contacts", "POST $batch"]);
  expect(third.writes).toBe(0);
});

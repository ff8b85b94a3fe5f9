import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runRerank } from "../../plugins/rerank";
import { DAY_MS, TIER_OPTIONS } from "../../src/engine";
import { startStack, TOKEN, type Stack } from "../plugins/stack";
import { StrictObserver } from "./strict-observer";

/**
 * The product through a strict observer of Dataverse's documented Web API contract (strict-observer.ts): the
 * plugin service and `tiering rerank` send every request through it. A C account then gets a large paid invoice;
 * its tier must rise, with a history row, and the observer must have seen no violation.
 */
let observer: StrictObserver;
let observerUrl: string;
let stack: Stack;
let work: string;
const t = Date.UTC(2025, 4, 17, 9, 30);

beforeAll(async () => {
  observer = new StrictObserver("http://127.0.0.1:9");
  observerUrl = await observer.start();
  stack = await startStack({
    sandbox: { now: () => t },
    service: { now: () => t },
    env: { DATAVERSE_URL: observerUrl },
  });
  observer.retarget(stack.sandbox.origin);
  work = mkdtempSync(join(tmpdir(), "ct-observer-"));
});
afterAll(async () => {
  await stack.close();
  await observer.close();
  rmSync(work, { recursive: true, force: true });
});

const bind = (id: string) => ({ "customerid_account@odata.bind": `/accounts(${id})` });

async function seedAccount(name: string, amounts: number[]): Promise<string> {
  const a = await stack.api("POST", "accounts", { name });
  expect(a.status).toBe(201);
  const id = a.json.accountid as string;
  for (const [i, amount] of amounts.entries()) {
    const r = await stack.api("POST", "invoices", {
      name: `${name}-${i}`,
      ...bind(id),
      totalamount: amount,
      overriddencreatedon: new Date(t - (20 + i * 30) * DAY_MS).toISOString(),
    });
    expect(r.status).toBe(201);
  }
  return id;
}

test("saves and a re-rank through the observer: a C account's large paid invoice raises its tier, no violation", async () => {
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) ids.push(await seedAccount(`Account ${i}`, [1000 * (i + 1), 500 * (i + 1)]));
  await stack.settle();

  const summary = await runRerank({
    url: observerUrl,
    token: TOKEN,
    asOf: t,
    checkpointFile: join(work, "cp.jsonl"),
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
  expect(summary.accounts).toBe(12);
  // A new, small customer: the save scores it against the re-rank's cut-points, C.
  const cAccount = await seedAccount("Small customer", [10]);
  await stack.settle();
  expect(stack.sandbox.store.get("account", cAccount)!.ct_tier).toBe(TIER_OPTIONS.C);

  const before = observer.seen.length;
  const r = await stack.api("POST", "invoices", {
    name: "The big one",
    ...bind(cAccount),
    totalamount: 1_000_000,
    overriddencreatedon: new Date(t - 2 * DAY_MS).toISOString(),
  });
  expect(r.status).toBe(201);
  await stack.settle();
  // The plugin's requests went through the observer.
  expect(observer.seen.length).toBeGreaterThan(before);
  const after = stack.sandbox.store.get("account", cAccount)!;
  expect([TIER_OPTIONS.AAA, TIER_OPTIONS.A, TIER_OPTIONS.B]).toContain(after.ct_tier);
  const history = [...stack.sandbox.store.rows("ct_tierhistory")].filter(
    (h) => (h.ct_accountid as { id: string }).id === cAccount,
  );
  expect(history.at(-1)).toMatchObject({ ct_fromtier: TIER_OPTIONS.C, ct_totier: after.ct_tier });
  expect(observer.violations).toEqual([]);
});

test("the observer is not a rubber stamp: it names a wrongly cased navigation property and a batch part without its headers", async () => {
  const probe = new StrictObserver(stack.sandbox.origin);
  const via = await probe.start();
  try {
    const headers = {
      Authorization: `Bearer ${TOKEN}`,
      "OData-Version": "4.0",
      "OData-MaxVersion": "4.0",
      Accept: "application/json",
      "Content-Type": "application/json",
    };
    await fetch(`${via}/api/data/v9.2/ct_tierhistories`, {
      method: "POST",
      headers,
      body: JSON.stringify({ "ct_accountid@odata.bind": "/accounts(00000000-0000-4000-8000-000000000001)" }),
    });
    await fetch(`${via}/api/data/v9.2/$batch`, {
      method: "POST",
      headers: { ...headers, "Content-Type": "multipart/mixed; boundary=batch_x" },
      body: "--batch_x\r\n\r\nGET accounts HTTP/1.1\r\n\r\n--batch_x--\r\n",
    });
  } finally {
    await probe.close();
  }
  expect(probe.violations).toEqual([
    expect.stringMatching(/ct_accountid@odata\.bind: ct_accountid is not a navigation property of ct_tierhistory/),
    expect.stringMatching(/a part without Content-Type: application\/http/),
    expect.stringMatching(/a part without Content-Transfer-Encoding: binary/),
  ]);
});

import { TIER_OPTIONS } from "../../src/engine";
import { runRerank } from "../../plugins/rerank";
import { userTokens, type Sandbox } from "../../local-dataverse";
import { AS_OF, removeFolders, sampleFolder, sandboxFrom, tempFile } from "./env";

/** The re-rank runs the tier programme (issue 9) once for the tier changes it wrote: reps for new AAA accounts, one task per rep. */
let s: Sandbox;
const QUIET = { "MSCRM.BypassBusinessLogicExecution": "CustomSync,CustomAsync" };

async function create(set: string, body: Record<string, unknown>): Promise<string> {
  const r = await fetch(`${s.url}${set}`, {
    method: "POST",
    // Seeding teams and policies is an administrator's write, not the service's.
    headers: { "content-type": "application/json", Authorization: `Bearer ${userTokens(undefined).admin}`, ...QUIET },
    body: JSON.stringify(body),
  });
  if (r.status !== 204) throw new Error(`POST ${set}: ${r.status} ${await r.text()}`);
  return /\(([0-9a-f-]{36})\)$/.exec(r.headers.get("odata-entityid") ?? "")![1];
}
const lookupId = (v: unknown): string | null => (v && typeof v === "object" ? (v as { id: string }).id : null);

beforeAll(async () => {
  s = await sandboxFrom(await sampleFolder(300, 11));
  const team = await create("teams", { name: "Super customer service" });
  for (const name of ["Ann Ames", "Ben Barr", "Cat Cole"]) {
    const user = await create("systemusers", { fullname: name });
    await create("teammemberships", { teamid: team, systemuserid: user });
  }
  await create("ct_tierpolicies", {
    ct_name: "AAA",
    ct_tier: TIER_OPTIONS.AAA,
    ct_cadencedays: 14,
    ct_responsetimehours: 8,
    "ct_ServiceRepTeamId@odata.bind": `/teams(${team})`,
  });
}, 60_000);
afterAll(async () => {
  await s.close();
  removeFolders();
});

it("gives every new AAA account a rep, balanced over the team, one task per rep, and nothing more on the next run", async () => {
  const first = await runRerank({ url: s.origin, asOf: AS_OF, checkpointFile: tempFile("cp.jsonl") });
  const aaa = [...s.store.rows("account")].filter((a) => a.ct_tier === TIER_OPTIONS.AAA);
  expect(aaa.length).toBeGreaterThan(10);
  expect(first.matrix.none.AAA).toBe(aaa.length);
  const reps = aaa.map((a) => lookupId(a.ct_servicerepid));
  expect(reps.every((r) => r !== null)).toBe(true);
  const load = [...new Set(reps)].map((r) => reps.filter((x) => x === r).length);
  expect(load).toHaveLength(3);
  expect(Math.max(...load) - Math.min(...load)).toBeLessThanOrEqual(1);
  const tasks = [...s.store.rows("task")];
  expect(tasks).toHaveLength(3);
  expect(new Set(tasks.map((t) => lookupId(t.ownerid)))).toEqual(new Set(reps));

  const second = await runRerank({ url: s.origin, asOf: AS_OF, checkpointFile: tempFile("cp.jsonl") });
  expect(second.written).toBe(0);
  expect([...s.store.rows("task")]).toHaveLength(3);
  expect(
    [...s.store.rows("account")].filter((a) => a.ct_tier === TIER_OPTIONS.AAA).map((a) => lookupId(a.ct_servicerepid)),
  ).toEqual(reps);
}, 120_000);

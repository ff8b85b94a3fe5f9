import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { doctorCommand, solutionExpectations } from "../../cli/commands/doctor";
import type { CliIo } from "../../cli/command";
import { startStack, type Stack } from "../../demo/stack";
import { LOCAL_SERVICE_APP_ID, startSandbox, USERS, userTokens } from "../../local-dataverse";
import { nameGuid } from "../../local-dataverse/admin-seed";
import type { Row } from "../../local-dataverse/store";
import { StaticToken } from "../../plugins/dataverse/token";
import { runDoctor, type CheckResult } from "../../plugins/doctor";
import { SERVICE_FIELD_PROFILE, SERVICE_ROLE } from "../../solution/scripts/security";

/**
 * `tiering doctor` against the `npm start` stack (local Dataverse + plugin service + first re-rank): all clear as
 * started, then one misconfiguration at a time, each put back afterwards. Doctor signs in as the local System
 * Administrator and checks the service's application user by its application ID, as an admin would.
 */
const ADMIN_TOKEN = userTokens(undefined).admin;
const SERVICE_USER = USERS.find((u) => u.key === "service")!.id;
let stack: Stack;
const expect_ = solutionExpectations();

beforeAll(async () => {
  stack = await startStack({
    sandboxPort: 0,
    pluginPort: 0,
    sampleAccounts: 40,
    logLevel: "silent",
    sandboxLog: () => undefined,
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const doctor = (opts: { key?: string | null; appId?: string | null; now?: number } = {}): Promise<CheckResult[]> =>
  runDoctor({
    url: stack.sandbox.origin,
    tokens: new StaticToken(ADMIN_TOKEN),
    expect: expect_,
    key: opts.key === null ? undefined : (opts.key ?? stack.webhookKey),
    appId: opts.appId === null ? undefined : (opts.appId ?? LOCAL_SERVICE_APP_ID),
    now: opts.now,
  });

const result = (rs: CheckResult[], id: string): CheckResult => {
  const r = rs.find((x) => x.id === id);
  if (!r) throw new Error(`no check ${id}`);
  return r;
};

const store = () => stack.sandbox.store;
const ctx = { userId: "test", correlationId: "doctor-test", bypassSync: true, bypassAsync: true };

/** Applies a change to one row (or deletes it with `null`), runs `fn`, and puts the row back. */
async function changed<T>(table: string, id: string, change: Row | null, fn: () => Promise<T>): Promise<T> {
  const before = store().get(table, id);
  if (!before) throw new Error(`${table} ${id} is not there`);
  if (change === null) store().atomically((tx) => store().delete(tx, table, id, ctx));
  else store().load(table, { ...before, ...change });
  try {
    return await fn();
  } finally {
    store().load(table, before);
  }
}

function only(table: string, where: (r: Row) => boolean): Row {
  const rows = [...store().rows(table)].filter(where);
  if (rows.length !== 1) throw new Error(`${rows.length} ${table} rows match`);
  return rows[0];
}

async function expectFail(id: string, detail: RegExp, fix: RegExp, opts?: Parameters<typeof doctor>[0]) {
  const r = result(await doctor(opts), id);
  expect(r).toMatchObject({ status: "fail" });
  expect(r.detail).toMatch(detail);
  expect(r.fix).toMatch(fix);
}

describe("tiering doctor on the npm start stack", () => {
  it("reports all clear, every check ok", async () => {
    const rs = await doctor();
    expect(rs.map((r) => [r.id, r.status])).toEqual(
      [
        "connection",
        "solution",
        "endpoint",
        "steps",
        "user",
        "roles",
        "privileges",
        "field-security",
        "model",
        "policies",
        "rerank",
        "webhook",
        "api-limits",
      ].map((id) => [id, "ok"]),
    );
    expect(result(rs, "steps").detail).toContain(`${expect_.steps.length} steps enabled`);
    expect(result(rs, "api-limits").detail).toMatch(/^\d+ requests and \d+ s of execution time left/);
  });

  it("solution: not installed, or an older version", async () => {
    const id = nameGuid("solution", "CustomerTiering");
    await changed("solution", id, null, () => expectFail("solution", /is not installed/, /import the CustomerTiering/));
    await changed("solution", id, { version: "0.0.9.0" }, () =>
      expectFail("solution", /0\.0\.9\.0 is installed; this release is/, /as an upgrade/),
    );
  });

  it("endpoint: still on the placeholder URL, or an auth type without a key", async () => {
    const ep = only("serviceendpoint", () => true);
    const id = String(ep.serviceendpointid);
    await changed("serviceendpoint", id, { url: "https://customer-tiering.invalid/api/webhook" }, () =>
      expectFail("endpoint", /the placeholder/, /^tiering configure --url/),
    );
    await changed("serviceendpoint", id, { authtype: 1 }, () =>
      expectFail("endpoint", /auth type 1, which carries no key/, /tiering configure/),
    );
  });

  it("steps: one disabled, one on other columns, one image gone", async () => {
    // Registered by `tiering configure` (in the npm start stack) under the ids of solution/steps.
    const step = expect_.steps.find((s) => s.images.length > 0 && s.filteringAttributes.length > 0)!;
    await changed("sdkmessageprocessingstep", step.id, { statecode: 1, statuscode: 2 }, () =>
      expectFail("steps", new RegExp(`"${step.name}": disabled`), /^enable the disabled steps[^;]*$/),
    );
    // Configure upserts the steps by id, so it puts back what was changed (no re-import: the solution has no steps).
    await changed("sdkmessageprocessingstep", step.id, { filteringattributes: "name" }, () =>
      expectFail(
        "steps",
        /filtering attributes "name", expected/,
        /^for missing or changed ones, run tiering configure/,
      ),
    );
    await changed("sdkmessageprocessingstepimage", step.images[0].id, null, () =>
      expectFail("steps", new RegExp(`image "${step.images[0].name}" missing`), /run tiering configure --url/),
    );
  });

  it("steps: none registered (a bare import, configure not run yet) says to run tiering configure", async () => {
    const rows = [...store().rows("sdkmessageprocessingstep")];
    store().atomically((tx) => {
      for (const r of rows) store().delete(tx, "sdkmessageprocessingstep", String(r.sdkmessageprocessingstepid), ctx);
    });
    try {
      await expectFail(
        "steps",
        new RegExp(`^no webhook steps are registered on the service endpoint \\(${expect_.steps.length} expected\\)`),
        /^run tiering configure --url .* --endpoint-url .* --key <CT_WEBHOOK_KEY>: it registers the \d+ steps/,
      );
    } finally {
      for (const r of rows) store().load("sdkmessageprocessingstep", r);
    }
    expect(result(await doctor(), "steps").status).toBe("ok");
  });

  it("application user: no user for the given application ID", async () => {
    await expectFail("user", /no application user for application ID/, /New app user/, {
      appId: "0b1e5c52-9f4e-4d3b-8a61-7c2f0e9d4a10",
    });
  });

  it("without --app-id, the signed-in user is checked: here the admin, who lacks the service's role", async () => {
    const rs = await doctor({ appId: null });
    expect(result(rs, "user").detail).toContain("the signed-in user");
    expect(result(rs, "roles")).toMatchObject({ status: "fail" });
  });

  it("roles, privileges and field security of the application user", async () => {
    const role = only("role", (r) => r.name === SERVICE_ROLE);
    const link = only("systemuserroles", (r) => r.roleid === role.roleid && r.systemuserid === SERVICE_USER);
    await changed("systemuserroles", String(link.systemuserroleid), null, () =>
      expectFail("roles", /has no roles, not "Customer Tiering service"/, /assign the security role/),
    );
    const priv = only("privilege", (r) => r.name === "prvWriteAccount");
    const rp = only("roleprivileges", (r) => r.privilegeid === priv.privilegeid && r.roleid === role.roleid);
    await changed("roleprivileges", String(rp.roleprivilegeid), null, () =>
      expectFail("privileges", /lacks prvWriteAccount \(Global\)/, /re-import the solution/),
    );
    await changed("roleprivileges", String(rp.roleprivilegeid), { privilegedepthmask: 1 }, () =>
      expectFail("privileges", /lacks prvWriteAccount/, /role editor/),
    );
    const profile = only("fieldsecurityprofile", (r) => r.name === SERVICE_FIELD_PROFILE);
    const member = only(
      "systemuserprofiles",
      (r) => r.fieldsecurityprofileid === profile.fieldsecurityprofileid && r.systemuserid === SERVICE_USER,
    );
    await changed("systemuserprofiles", String(member.systemuserprofileid), null, () =>
      expectFail("field-security", /not in the field security profile "Customer tier writers"/, /Users > add/),
    );
  });

  it("tier model: none active, or not a valid model", async () => {
    const model = only("ct_tiermodel", (r) => r.statecode === 0);
    const id = String(model.ct_tiermodelid);
    await changed("ct_tiermodel", id, { statecode: 1, statuscode: 2 }, () =>
      expectFail("model", /no active tier model/, /tiering rerank --url/),
    );
    await changed("ct_tiermodel", id, { ct_modeljson: '{"tiers": 3}' }, () =>
      expectFail("model", /ct_modeljson is not a valid model/, /Tier model form/),
    );
  });

  it("policies: one tier without an active policy, one tier with two", async () => {
    const b = only("ct_tierpolicy", (r) => r.ct_tier === 100000002 && r.statecode === 0);
    await changed("ct_tierpolicy", String(b.ct_tierpolicyid), { statecode: 1, statuscode: 2 }, () =>
      expectFail("policies", /^no active policy for B$/, /exactly one active Tier policy per tier/),
    );
    await changed("ct_tierpolicy", String(b.ct_tierpolicyid), { ct_tier: 100000001 }, () =>
      expectFail(
        "policies",
        /no active policy for B; 2 active policies for A|2 active policies for A; no active policy for B/,
        /exactly one/,
      ),
    );
  });

  it("re-rank: never ran; or longer ago than two nights (a warning)", async () => {
    const model = only("ct_tiermodel", (r) => r.statecode === 0);
    await changed(
      "ct_tiermodel",
      String(model.ct_tiermodelid),
      { ct_lastrerankon: null, ct_cutpointsjson: null, ct_kpiquantilesjson: null },
      () => expectFail("rerank", /never/, /tiering rerank --url/),
    );
    const r = result(await doctor({ now: Date.now() + 3 * 24 * 3600_000 }), "rerank");
    expect(r).toMatchObject({ status: "warn" });
    expect(r.fix).toMatch(/ctTieringRerank/);
  });

  it("webhook: a wrong key fails, no key is a warning, a service that does not answer fails", async () => {
    await expectFail("webhook", /a probe with --key got HTTP 401/, /CT_WEBHOOK_KEY/, { key: "not-the-key-0123456789" });
    expect(result(await doctor({ key: null }), "webhook")).toMatchObject({ status: "warn" });
    const ep = only("serviceendpoint", () => true);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await changed(
      "serviceendpoint",
      String(ep.serviceendpointid),
      { url: `http://127.0.0.1:${port}/api/webhook` },
      () => expectFail("webhook", /does not answer: ECONNREFUSED/, /start the Function App/),
    );
  });

  it("the CLI prints a table, or JSON with --json, and exits 1 when a check fails", async () => {
    const run = async (args: string[]) => {
      const stdout = new PassThrough();
      let out = "";
      stdout.on("data", (c: Buffer) => (out += c.toString()));
      const io: CliIo = { stdout, stderr: new PassThrough(), cwd: process.cwd() };
      const code = await doctorCommand.run(args, io);
      return { code, out };
    };
    const base = ["--url", stack.sandbox.origin, "--token", ADMIN_TOKEN, "--key", stack.webhookKey];
    base.push("--app-id", LOCAL_SERVICE_APP_ID);
    const clear = await run(base);
    expect(clear.code).toBe(0);
    expect(clear.out).toMatch(/^Sign-in +ok +signed in to/m);
    expect(clear.out).toMatch(/All clear\.\n$/);
    expect(clear.out).not.toContain(stack.webhookKey);
    const model = only("ct_tiermodel", (r) => r.statecode === 0);
    await changed("ct_tiermodel", String(model.ct_tiermodelid), { statecode: 1, statuscode: 2 }, async () => {
      const json = await run([...base, "--json"]);
      expect(json.code).toBe(1);
      const doc = JSON.parse(json.out) as { ok: boolean; checks: CheckResult[] };
      expect(doc.ok).toBe(false);
      expect(doc.checks.find((c) => c.id === "model")).toMatchObject({ status: "fail" });
      expect(json.out).not.toContain(stack.webhookKey);
    });
  });
});

describe("tiering doctor on an environment near its service protection limits", () => {
  it("fails the API limits check when few requests are left, from the x-ms-ratelimit-* headers", async () => {
    // A bare import (no steps registered) makes doctor send fewer requests than a configured one: 305 leaves < 300.
    const sandbox = await startSandbox({ serviceProtection: { requests: 305 }, log: () => undefined });
    try {
      const rs = await runDoctor({ url: sandbox.origin, tokens: new StaticToken(ADMIN_TOKEN), expect: expect_ });
      const r = result(rs, "api-limits");
      expect(r.status).toBe("fail");
      expect(r.detail).toMatch(/^[12]?\d\d requests and/);
      expect(r.fix).toMatch(/service protection limits/);
      // The same bare environment also shows what an empty one lacks.
      expect(result(rs, "model")).toMatchObject({ status: "fail" });
    } finally {
      await sandbox.close();
    }
  });
});

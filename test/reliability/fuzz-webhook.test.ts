import fc from "fast-check";
import type { Server } from "node:http";
import { readConfig } from "../../plugins/config";
import type { DataverseGateway } from "../../plugins/dataverse/gateway";
import { createLogger } from "../../plugins/log";
import { ModelCache } from "../../plugins/recalc/model-cache";
import { Recalculator } from "../../plugins/recalc/recalculate";
import { createWebhookServer, listen, shutdown } from "../../plugins/server";
import { createService } from "../../plugins/service";
import { handleWebhook, MAX_BODY_BYTES, type WebhookRequest } from "../../plugins/webhook/handler";
import { MAX_JSON_DEPTH } from "../../plugins/webhook/context";
import { context, date, entity, money, option, ref } from "../plugins/payloads";
import { emptyGateway, mutate } from "./helpers";

/**
 * Fuzzing the webhook (issue 8): arbitrary bytes, arbitrary JSON and mutated RemoteExecutionContexts get 2xx, 400,
 * 401, 413 or 422, never a 500 or a crash. FUZZ_RUNS (default 10,000) sets the in-process cases;
 * `FUZZ_RUNS=1000000 npx jest test/reliability/fuzz-webhook` is the long mode.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const ALLOWED = [200, 201, 202, 204, 400, 401, 413, 422];
const KEY = "fuzz-webhook-key-0123456789abcdef";
const NEXT = "fuzz-webhook-next-key-9876543210";
const ACCOUNT = "1d6f7f0e-1111-4a5b-9c0d-000000000001";

/** An environment holding one active account with nothing else: the recalculation runs to the end and writes. */
const oneAccount: DataverseGateway = {
  retrieve: async (table, id) =>
    table === "account" || table === "contact"
      ? { [`${table}id`]: id, statecode: 0, _parentcustomerid_value: ACCOUNT }
      : null,
  retrieveAccount: async (id) => ({ id, etag: 'W/"1"', row: { accountid: id, statecode: 0 } }),
  fetch: async () => ({ rows: [], moreRecords: false }),
  query: async () => [],
  commit: async () => undefined,
};

const deps = (gateway: DataverseGateway) => ({
  webhookKeys: [KEY, NEXT],
  gateway,
  recalculator: new Recalculator(gateway, new ModelCache(gateway), () => Date.UTC(2025, 4, 17)),
  logger: createLogger("silent"),
  deadlineMs: 10_000,
});
const empty = deps(emptyGateway);
const full = deps(oneAccount);

function request(
  body: Buffer | "too-large",
  query: Record<string, string>,
  headers: Record<string, string> = {},
): WebhookRequest {
  return {
    method: "POST",
    query: new URLSearchParams(query),
    header: (n) => headers[n.toLowerCase()],
    readBody: async () => body,
  };
}

const guid = fc.uuid().map((u) => u);
const tables = fc.constantFrom(
  "invoice",
  "opportunity",
  "account",
  "contact",
  "phonecall",
  "appointment",
  "email",
  "task",
  "lead",
  "",
);
const messages = fc.constantFrom("Create", "Update", "Delete", "SetState", "Win", "Lose", "Assign", "Retrieve", "");
/** Values of the types the contract JSON carries, and some it should not. */
const attrValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.double().map(money),
  fc.integer().map(option),
  fc.tuple(tables, guid).map(([t, id]) => ref(t, id)),
  fc.tuple(tables, fc.string()).map(([t, id]) => ref(t, id)),
  fc.integer().map(date),
  fc.string().map((s) => `/Date(${s})/`),
  fc.jsonValue(),
);
const attributes = fc.dictionary(
  fc.constantFrom(
    "customerid",
    "statecode",
    "totalamount_base",
    "regardingobjectid",
    "actualend",
    "parentcustomerid",
    "ct_tieroverride",
    "ct_tieroverrideuntil",
    "name",
  ),
  attrValue,
  { maxKeys: 5 },
);
const plausible = fc
  .record({
    message: messages,
    table: tables,
    id: guid,
    target: attributes,
    pre: fc.option(attributes, { nil: undefined }),
    post: fc.option(attributes, { nil: undefined }),
  })
  .map((p) =>
    context({
      message: p.message,
      entity: p.table,
      id: p.id,
      target: p.message === "Delete" ? ref(p.table, p.id) : entity(p.table, p.id, p.target),
      pre: p.pre,
      post: p.post,
    }),
  );

const mutated = fc
  .tuple(
    plausible,
    fc.array(fc.nat(60), { minLength: 1, maxLength: 7 }),
    fc.oneof(attrValue, fc.jsonValue()),
    fc.boolean(),
  )
  .map(([ctx, path, value, remove]) => mutate(ctx, path, value, remove));

/** The key as Dataverse sends it (query or header), the rotation's next key, a wrong one, or none. */
const auth = fc.constantFrom<[Record<string, string>, Record<string, string>]>(
  [{ code: KEY }, {}],
  [{}, { "x-ct-webhook-key": KEY }],
  [{ code: NEXT }, {}],
  [{ code: KEY.slice(0, -1) }, {}],
  [{}, {}],
  [{ code: "" }, { "x-ct-webhook-key": "" }],
);
const strippedHeader = fc.constantFrom<Record<string, string>>({}, { "x-ms-dynamics-msg-size-exceeded": "true" });

const check = async (status: number, body: Record<string, unknown>): Promise<void> => {
  if (!ALLOWED.includes(status)) throw new Error(`status ${status}: ${JSON.stringify(body)}`);
};

describe(`webhook fuzzing (${RUNS} cases in process)`, () => {
  jest.setTimeout(Math.max(120_000, RUNS * 20));

  it("arbitrary bytes, arbitrary JSON and mutated contexts: only 2xx, 400, 401, 413 or 422", async () => {
    const body = fc.oneof(
      { weight: 5, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
      { weight: 5, arbitrary: fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? "")) },
      { weight: 5, arbitrary: plausible.map((v) => Buffer.from(JSON.stringify(v))) },
      { weight: 20, arbitrary: mutated.map((v) => Buffer.from(JSON.stringify(v) ?? "")) },
      { weight: 1, arbitrary: fc.constant<"too-large">("too-large") },
    );
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, auth, strippedHeader, fc.boolean(), async (b, [query, headers], extra, deep) => {
        const r = await handleWebhook(request(b, query, { ...headers, ...extra }), deep ? full : empty);
        seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
        await check(r.status, r.body);
        const keyed = query.code === KEY || query.code === NEXT || headers["x-ct-webhook-key"] === KEY;
        if (!keyed) expect(r.status).toBe(401);
        if (r.status === 400)
          expect(String(r.body.error)).toMatch(/^(body is not JSON|not a RemoteExecutionContext: \S)/);
        if (b === "too-large" && keyed) expect(r.status).toBe(413);
      }),
      { numRuns: RUNS },
    );
    // The fuzzing reached past validation: contexts were accepted and answered, not only refused.
    expect(seen.get(200) ?? 0).toBeGreaterThan(RUNS / 20);
    expect(seen.get(400) ?? 0).toBeGreaterThan(RUNS / 20);
  });

  it("deep nesting inside attribute values (issue 17): 400 beyond the bound, never a stack overflow", async () => {
    // Built as text: JSON.stringify (and jest's smaller stack) would recurse as deep as the value.
    const nested = (depth: number, leaf: string): string => {
      let open = "";
      let close = "";
      for (let i = 0; i < depth; i++) {
        open += i % 3 === 2 ? '{"v":' : "[";
        close = (i % 3 === 2 ? "}" : "]") + close;
      }
      return open + leaf + close;
    };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6000 }),
        fc.constantFrom("customerid", "name", "ct_tieroverride"),
        fc.boolean(),
        async (depth, column, asPost) => {
          const value = nested(depth, JSON.stringify(ref("account", ACCOUNT)));
          const ctx = context({
            message: "Update",
            entity: "invoice",
            id: ACCOUNT,
            target: entity("invoice", ACCOUNT, asPost ? {} : { [column]: "DEEP" }),
            post: asPost ? { customerid: ref("account", ACCOUNT), [column]: "DEEP" } : undefined,
          });
          const body = JSON.stringify(ctx).replace('"DEEP"', value);
          const r = await handleWebhook(request(Buffer.from(body), { code: KEY }), full);
          await check(r.status, r.body);
          // The context itself nests about ten levels: a value this deep puts the whole body past the bound.
          if (depth > MAX_JSON_DEPTH) {
            expect(r.status).toBe(400);
            expect(String(r.body.error)).toMatch(/nests deeper than/);
          }
        },
      ),
      { numRuns: Math.max(50, Math.min(1000, Math.floor(RUNS / 20))) },
    );
  });

  describe("over HTTP", () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      const service = createService(
        readConfig({
          CT_WEBHOOK_KEY: KEY,
          CT_WEBHOOK_KEY_NEXT: NEXT,
          DATAVERSE_URL: "http://127.0.0.1:9",
          DATAVERSE_TOKEN: "t",
          LOG_LEVEL: "silent",
        }),
        {
          gateway: oneAccount,
          logger: createLogger("silent"),
          now: () => Date.UTC(2025, 4, 17),
        },
      );
      server = createWebhookServer(service);
      url = `http://127.0.0.1:${await listen(server, 0, "127.0.0.1")}/api/webhook`;
    });
    afterAll(() => shutdown(server, 1000));

    it("the same payloads through node:http: the same answers, and the server keeps serving", async () => {
      const body = fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        mutated.map((v) => Buffer.from(JSON.stringify(v) ?? "")),
      );
      await fc.assert(
        fc.asyncProperty(body, auth, async (b, [query, headers]) => {
          const res = await fetch(`${url}?${new URLSearchParams(query).toString()}`, {
            method: "POST",
            body: b,
            headers,
          });
          await check(res.status, (await res.json()) as Record<string, unknown>);
        }),
        { numRuns: Math.max(50, Math.min(500, Math.floor(RUNS / 20))) },
      );
      const big = await fetch(`${url}?code=${KEY}`, {
        method: "POST",
        body: Buffer.alloc(MAX_BODY_BYTES + 1, 0x20),
      }).catch((e: Error) => e);
      // The server may hang up before the client finished sending; either way not a 5xx.
      if (!(big instanceof Error)) expect(big.status).toBe(413);
      expect((await fetch(`${url.replace("/api/webhook", "/healthz")}`)).status).toBe(200);
    });

    it("arrays 5,000 deep in an attribute value: answered 400 at once, the socket not left open (issue 17)", async () => {
      // Built as text: JSON.stringify itself would recurse 5,000 deep.
      const deep = "[".repeat(5000) + JSON.stringify(ref("account", ACCOUNT)) + "]".repeat(5000);
      const ctx = context({
        message: "Update",
        entity: "invoice",
        id: ACCOUNT,
        target: entity("invoice", ACCOUNT, { customerid: "DEEP" }),
      });
      const res = await fetch(`${url}?code=${KEY}`, {
        method: "POST",
        body: JSON.stringify(ctx).replace('"DEEP"', deep),
        signal: AbortSignal.timeout(5000),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/nests deeper than 64 levels/);
    });
  });
});

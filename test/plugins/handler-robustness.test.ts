import fc from "fast-check";
import type { DataverseGateway } from "../../plugins/dataverse/gateway";
import { createLogger } from "../../plugins/log";
import { ModelCache } from "../../plugins/recalc/model-cache";
import { Recalculator } from "../../plugins/recalc/recalculate";
import { handleWebhook, type WebhookRequest } from "../../plugins/webhook/handler";
import { context, entity, money, option, ref } from "./payloads";

const KEY = "robustness-key-0123456789";

/** An environment with no rows: every read finds nothing, nothing is written. */
const empty: DataverseGateway = {
  retrieve: async () => null,
  retrieveAccount: async () => null,
  fetch: async () => ({ rows: [], moreRecords: false }),
  query: async () => [],
  commit: () => Promise.reject(new Error("nothing to write in an empty environment")),
};

function deps(gateway: DataverseGateway, deadlineMs = 10_000) {
  return {
    webhookKeys: [KEY],
    gateway,
    recalculator: new Recalculator(gateway, new ModelCache(gateway)),
    logger: createLogger("silent"),
    deadlineMs,
  };
}

const req = (body: string, headers: Record<string, string> = {}): WebhookRequest => ({
  method: "POST",
  query: new URLSearchParams({ code: KEY }),
  header: (n) => headers[n.toLowerCase()],
  readBody: async () => Buffer.from(body),
});

const valid = () =>
  context({
    message: "Update",
    entity: "invoice",
    id: "5b0c1a2e-2222-4d3c-8e9f-000000000010",
    target: entity("invoice", "5b0c1a2e-2222-4d3c-8e9f-000000000010", {
      customerid: ref("account", "1d6f7f0e-1111-4a5b-9c0d-000000000001"),
      totalamount_base: money(5),
      statecode: option(2),
    }),
    pre: { customerid: ref("contact", "7e8f9a0b-3333-4c2d-9e1f-000000000030") },
  });

/** Replaces the value at a random path of a JSON tree. */
function mutate(tree: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || tree === null || typeof tree !== "object") return replacement;
  const keys = Object.keys(tree as object);
  if (keys.length === 0) return replacement;
  const key = keys[path[0] % keys.length];
  const copy = (Array.isArray(tree) ? [...tree] : { ...(tree as object) }) as Record<string, unknown>;
  copy[key] = mutate(copy[key], path.slice(1), replacement);
  return copy;
}

describe("the handler never fails on what a caller sends", () => {
  it("arbitrary JSON: 400 (or 200 for what happens to be a context), never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (v) => {
        const r = await handleWebhook(req(JSON.stringify(v)), deps(empty));
        expect([200, 400, 422]).toContain(r.status);
      }),
      { numRuns: 300 },
    );
  });

  it("mutated RemoteExecutionContexts: 200, 400 or 422, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(50), { minLength: 1, maxLength: 6 }),
        fc.jsonValue(),
        fc.boolean(),
        async (path, replacement, stripped) => {
          const body = JSON.stringify(mutate(valid(), path, replacement));
          const r = await handleWebhook(
            req(body, stripped ? { "x-ms-dynamics-msg-size-exceeded": "true" } : {}),
            deps(empty),
          );
          expect([200, 400, 422]).toContain(r.status);
          if (r.status === 400)
            expect(String(r.body.error)).toMatch(/^(body is not JSON|not a RemoteExecutionContext: \S)/);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("a Dataverse that does not answer: 504 before the deadline, not a hang", async () => {
    const hung: DataverseGateway = { ...empty, query: () => new Promise(() => undefined) };
    const r = await handleWebhook(req(JSON.stringify(valid())), deps(hung, 1000));
    expect(r.status).toBe(504);
    expect(r.body.error).toMatch(/gave up on Update of invoice/);
  });
});

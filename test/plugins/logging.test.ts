import { Writable } from "node:stream";
import { createLogger } from "../../plugins/log";
import { context, entity, money, ref } from "./payloads";
import { KEY, startStack, TOKEN } from "./stack";

const NAME = "Wide World Importers";

describe("logs", () => {
  it("carry CorrelationId, OperationId, message and entity, and never a key, a token or a customer name next to an amount", async () => {
    const stack = await startStack({ sandbox: { fault503: 0.2, faultSeed: 3 } });
    try {
      const ctx = {
        userId: "5a9d3e42-0c7b-4f7a-9a55-000000000001",
        correlationId: "c0ffee00-0000-4000-8000-000000000004",
        bypassSync: false,
        bypassAsync: false,
      };
      const a = stack.sandbox.store.atomically((tx) => stack.sandbox.store.create(tx, "account", { name: NAME }, ctx))
        .accountid as string;
      stack.sandbox.store.atomically((tx) =>
        stack.sandbox.store.create(
          tx,
          "invoice",
          {
            name: `${NAME} order`,
            customerid: { id: a, table: "account" },
            totalamount: 98765.43,
            statecode: 2,
            overriddencreatedon: Date.now() - 86_400_000,
          },
          ctx,
        ),
      );
      await stack.settle();
      // A caller with a wrong key, and a payload naming the customer with an amount.
      const body = JSON.stringify(
        context({
          message: "Create",
          entity: "invoice",
          id: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
          target: entity("invoice", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", {
            customerid: ref("account", a, NAME),
            totalamount_base: money(4242.42),
          }),
        }),
      );
      await fetch(`${stack.pluginUrl}?code=not-the-key-${KEY.slice(0, 6)}`, { method: "POST", body });
      await fetch(`${stack.pluginUrl}`, {
        method: "POST",
        body,
        headers: { "x-ct-webhook-key": KEY, authorization: `Bearer ${TOKEN}` },
      });

      const lines = stack.logs;
      expect(lines.length).toBeGreaterThan(5);
      const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const received = parsed.filter((l) => l.msg === "webhook received");
      expect(received.length).toBeGreaterThanOrEqual(2);
      for (const l of received)
        expect(l).toEqual(
          expect.objectContaining({
            CorrelationId: expect.any(String),
            OperationId: expect.any(String),
            message: "Create",
            entity: "invoice",
          }),
        );
      expect(parsed.some((l) => l.msg === "webhook call without a valid key")).toBe(true);
      for (const line of lines) {
        expect(line).not.toContain(KEY);
        expect(line).not.toContain(TOKEN);
        expect(line).not.toContain(NAME);
        expect(line).not.toMatch(/98765\.43|4242\.42/);
      }
    } finally {
      await stack.close();
    }
  });

  it("redacts secrets by key wherever a caller puts them", () => {
    const out: string[] = [];
    const logger = createLogger(
      "info",
      new Writable({ write: (c: Buffer, _e, done) => (out.push(c.toString()), done()) }),
    );
    logger.info(
      {
        headers: { authorization: "Bearer abc.def", "x-ct-webhook-key": "k-123" },
        token: "t-456",
        auth: { clientSecret: "s-789" },
      },
      "config",
    );
    expect(out.join("")).not.toMatch(/abc\.def|k-123|t-456|s-789/);
    expect(out.join("")).toContain("[redacted]");
  });
});

import { startCountingProxy } from "../../bench/lib/counting-proxy";
import { executeChangeSet } from "../../plugins/dataverse/batch";
import { StaticToken } from "../../plugins/dataverse/token";
import { HttpTransport } from "../../plugins/dataverse/transport";
import { startSandbox, userTokens, type Sandbox } from "../../local-dataverse";

/** The benchmark's request counter: HTTP requests, and the same with each `$batch` counted as the requests inside it. */
describe("counting proxy", () => {
  let sandbox: Sandbox;
  afterEach(async () => {
    await sandbox?.close();
  });

  test("a $batch change set is one HTTP request and as many parts as it holds", async () => {
    const token = "counting-proxy-token";
    sandbox = await startSandbox({ port: 0, token, steps: [], log: () => undefined });
    const proxy = await startCountingProxy(sandbox.origin);
    try {
      // Creating accounts is a person's (the administrator's) business, not the service user's.
      const transport = new HttpTransport({ server: proxy.origin, tokens: new StaticToken(userTokens(token).admin) });
      const ids = ["00000001-0000-4000-8000-000000000001", "00000001-0000-4000-8000-000000000002"];
      await executeChangeSet(transport, [
        { method: "POST", path: "accounts", body: { accountid: ids[0], name: "A" } },
        { method: "POST", path: "accounts", body: { accountid: ids[1], name: "B" } },
        {
          method: "POST",
          path: "accounts/Microsoft.Dynamics.CRM.UpdateMultiple",
          body: {
            Targets: ids.map((accountid) => ({
              "@odata.type": "Microsoft.Dynamics.CRM.account",
              accountid,
              name: "C",
            })),
          },
        },
      ]);
      await transport.request("GET", "accounts?$select=name", { Accept: "application/json" });
      expect(proxy.counts).toEqual({ BATCH: 1, GET: 1 });
      expect(proxy.total()).toBe(2);
      expect(proxy.batchPartsCounted()).toBe(4);
      expect(sandbox.store.get("account", ids[1])?.name).toBe("C");
      proxy.reset();
      expect([proxy.total(), proxy.batchPartsCounted()]).toEqual([0, 0]);
    } finally {
      await proxy.close();
    }
  });
});

import { Writable } from "node:stream";
import { startPlugin } from "../../plugins";
import { createLogger } from "../../plugins/log";
import { startSandbox } from "../../local-dataverse";
import { deliveryBody, LOAD_AS_OF, LOAD_KEY, LOAD_TOKEN, runLoad, seedLoadData, type LoadAccount } from "./load";

/** The short version of `npm run load`: a few seconds of deliveries at a fixed rate, every one answered 200. */
describe("load (short)", () => {
  jest.setTimeout(120_000);

  it("100 deliveries a second for 5 s: no errors, every delivery did its recalculation", async () => {
    const now = (): number => LOAD_AS_OF;
    let accounts: LoadAccount[] = [];
    const sb = await startSandbox({
      port: 0,
      token: LOAD_TOKEN,
      steps: [],
      now,
      log: () => undefined,
      seed: (store) => void (accounts = seedLoadData(store, 300)),
    });
    let lines = 0;
    const sink = new Writable({ write: (_c, _e, done) => (lines++, done()) });
    const plugin = await startPlugin({
      // This checks that the normal load completes; shedding is shedding.test.ts's. The local Dataverse shares this
      // process (and the machine runs the other suites), so the cap is raised above the default's 64.
      env: { CT_WEBHOOK_KEY: LOAD_KEY, DATAVERSE_URL: sb.origin, DATAVERSE_TOKEN: LOAD_TOKEN, CT_MAX_IN_FLIGHT: "256" },
      port: 0,
      now,
      logger: createLogger("info", sink),
    });
    try {
      const r = await runLoad({
        url: plugin.url,
        key: LOAD_KEY,
        rate: 100,
        seconds: 5,
        bodies: accounts.map(deliveryBody),
        watch: { jest: process.pid },
      });
      expect(r.firstError).toBeUndefined();
      expect(r.errors).toBe(0);
      expect(r.sent).toBe(500);
      expect(r.ok).toBe(500);
      expect(lines).toBeGreaterThan(500);
      // Each account delivered was recalculated and written (its first save sets the tier).
      for (const a of accounts.slice(0, 300))
        expect(sb.store.get("account", a.accountId)!.ct_tier).toEqual(expect.any(Number));
    } finally {
      await plugin.close();
      await sb.close();
    }
  });
});

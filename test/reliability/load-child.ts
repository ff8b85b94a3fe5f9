/**
 * One side of the load run in its own process, so the load generator, the plugin service and the sandbox do not
 * share an event loop: `load-child.ts sandbox ACCOUNTS` or `load-child.ts plugin DATAVERSE_URL`. Reports its port
 * (and the sandbox its seeded ids) over the IPC channel, then serves until the parent kills it.
 */
import { startPlugin } from "../../plugins";
import { startSandbox } from "../../local-dataverse";
import { LOAD_AS_OF, LOAD_KEY, LOAD_TOKEN, seedLoadData, type LoadAccount } from "./load";

async function main(): Promise<void> {
  const [role, arg] = process.argv.slice(2);
  const now = (): number => LOAD_AS_OF;
  if (role === "sandbox") {
    let accounts: LoadAccount[] = [];
    const sb = await startSandbox({
      port: 0,
      token: LOAD_TOKEN,
      steps: [],
      now,
      log: () => undefined,
      seed: (store) => void (accounts = seedLoadData(store, Number(arg))),
    });
    process.send!({ port: new URL(sb.origin).port, origin: sb.origin, accounts });
  } else if (role === "plugin") {
    const p = await startPlugin({
      env: {
        CT_WEBHOOK_KEY: LOAD_KEY,
        DATAVERSE_URL: arg,
        DATAVERSE_TOKEN: LOAD_TOKEN,
        LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
        // Load-shedding settings pass through, so `npm run load` can try other caps.
        ...Object.fromEntries(
          ["CT_MAX_IN_FLIGHT", "CT_MAX_QUEUE_PER_ACCOUNT", "CT_RETRY_AFTER_SECONDS"]
            .filter((k) => process.env[k])
            .map((k) => [k, process.env[k]]),
        ),
      },
      port: 0,
      now,
    });
    process.send!({ port: p.port, url: p.url });
  } else {
    throw new Error(`unknown role ${role}`);
  }
  process.on("disconnect", () => process.exit(0));
}

void main();

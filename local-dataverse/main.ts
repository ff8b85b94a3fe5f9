/**
 * `npm run sandbox [-- --state FILE] [--data DIR | --empty | --sample-accounts N] [--port N] [--webhook-url URL]`
 * Environment: SANDBOX_PORT, SANDBOX_TOKEN, SANDBOX_WEBHOOK_URL, SANDBOX_WEBHOOK_KEY,
 * SANDBOX_LATENCY_MS, SANDBOX_FAULT_429, SANDBOX_FAULT_503, SANDBOX_FAULT_SEED.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadExportFolder, loadState, saveState } from "./data-io";
import { faultsFromEnv } from "./faults";
import { sampleSeed } from "./seed";
import { startSandbox } from "./server";

const USAGE = `usage: npm run sandbox -- [--state FILE] [--data DIR | --empty | --sample-accounts N --sample-seed S] [--port N] [--webhook-url URL]
  --state FILE      load FILE at start (when it exists) and save the data to it on exit (Ctrl-C / SIGTERM)
  --data DIR        load a Dataverse export folder (accounts.csv, invoices.csv, opportunities.csv, activities.csv)
  --sample-accounts N, --sample-seed S
                    otherwise the data is a \`tiering sample\` of N accounts (default 300, seed 1) as of today
  --empty           start with no data
  --port N          listen on 127.0.0.1:N (default SANDBOX_PORT or 5555; 0 = any free port)
  --webhook-url URL URL of the solution's webhook service endpoint (its key: SANDBOX_WEBHOOK_KEY)
environment: SANDBOX_TOKEN (require this bearer token), SANDBOX_LATENCY_MS, SANDBOX_FAULT_429, SANDBOX_FAULT_503
  (rates 0..1; 429 carries Retry-After), SANDBOX_FAULT_SEED (reproducible faults)`;

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        state: { type: "string" },
        data: { type: "string" },
        port: { type: "string" },
        "webhook-url": { type: "string" },
        "sample-accounts": { type: "string" },
        "sample-seed": { type: "string" },
        empty: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const env = process.env;
  const portText = args.port ?? env.SANDBOX_PORT ?? "5555";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port / SANDBOX_PORT must be a port number, got '${portText}'.\n`);
    return 2;
  }
  let faults;
  try {
    faults = faultsFromEnv(env);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const sampleAccounts = Number(args["sample-accounts"] ?? "300");
  const sampleSeedValue = Number(args["sample-seed"] ?? "1");
  if (
    !Number.isInteger(sampleAccounts) ||
    sampleAccounts < 1 ||
    !Number.isInteger(sampleSeedValue) ||
    sampleSeedValue < 0
  ) {
    process.stderr.write("--sample-accounts must be a whole number ≥ 1 and --sample-seed a whole number ≥ 0.\n");
    return 2;
  }
  const stateFile = args.state;
  let seeded = "";
  const sandbox = await startSandbox({
    port,
    token: env.SANDBOX_TOKEN || undefined,
    latencyMs: faults.latencyMs,
    fault429: faults.rate429,
    fault503: faults.rate503,
    faultSeed: faults.seed,
    webhookUrl: args["webhook-url"] ?? env.SANDBOX_WEBHOOK_URL,
    webhookKey: env.SANDBOX_WEBHOOK_KEY,
    seed: async (store) => {
      if (stateFile && existsSync(stateFile)) {
        const n = await loadState(store, stateFile);
        seeded = `${n} rows from state file ${stateFile}`;
        if (args.data) seeded += ` (--data ${args.data} ignored: the state file already holds the data)`;
      } else if (args.data) {
        const summary = loadExportFolder(store, args.data);
        seeded = `export folder ${args.data}: ${Object.entries(summary)
          .map(([t, n]) => `${n} ${t}`)
          .join(", ")}`;
      } else if (args.empty) {
        seeded = "empty (--empty)";
      } else {
        seeded = (await sampleSeed(store, { accounts: sampleAccounts, seed: sampleSeedValue })).description;
      }
    },
  });
  const out = process.stdout;
  out.write(`Dataverse sandbox listening at ${sandbox.url}\n`);
  out.write(`  data: ${seeded}\n`);
  const steps = sandbox.webhooks.steps.length;
  out.write(
    `  webhook steps: ${steps} ${sandbox.stepsSource}${steps === 0 ? " (as after an import: run tiering configure to register them)" : ""}\n`,
  );
  out.write(`  auth: ${env.SANDBOX_TOKEN ? "bearer token required (SANDBOX_TOKEN)" : "none"}\n`);
  if (faults.latencyMs || faults.rate429 || faults.rate503) {
    out.write(
      `  faults: latency ${faults.latencyMs ?? 0} ms, 429 rate ${faults.rate429 ?? 0}, 503 rate ${faults.rate503 ?? 0}\n`,
    );
  }
  if (stateFile) out.write(`  state will be saved to ${stateFile} on exit\n`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      out.write(`\n${signal}: stopping the sandbox\n`);
      resolve();
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  await sandbox.close();
  if (stateFile) {
    const rows = await saveState(sandbox.store, stateFile);
    out.write(`saved ${rows} rows to ${stateFile}\n`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`sandbox: ${(e as Error).message}\n`);
    process.exit(1);
  },
);

/**
 * `npm start` (after the control and the Node parts are built): the sandbox with the demo page, the plugin service,
 * a first re-rank, the URLs; Ctrl-C stops it all and saves the state when --state was given.
 * Environment: SANDBOX_PORT (default 5555), PORT (plugin, default 7071), SANDBOX_TOKEN, LOG_LEVEL (plugin, default warn).
 */
import { parseArgs } from "node:util";
import { startStack } from "./stack";
import { LOCAL_SERVICE_APP_ID, userTokens } from "../local-dataverse";

const USAGE = `usage: npm start -- [--state FILE] [--data DIR | --sample-accounts N --sample-seed S] [--control-dir DIR]
  --state FILE       load FILE at start (when it exists) and save the data to it on Ctrl-C / SIGTERM
  --data DIR         load a Dataverse export folder instead of the generated sample
  --sample-accounts N, --sample-seed S
                     size and seed of the generated \`tiering sample\` (default 300 accounts, seed 1)
  --control-dir DIR  the built TierBadge (default out/controls/control)
environment: SANDBOX_PORT (default 5555), PORT (plugin service, default 7071), SANDBOX_TOKEN, LOG_LEVEL`;

function port(name: string, text: string | undefined, fallback: number): number {
  const value = Number(text ?? fallback);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new Error(`${name} must be a port number, got '${text}'`);
  return value;
}

function whole(name: string, text: string | undefined, fallback: number, min: number): number {
  const value = Number(text ?? fallback);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name} must be a whole number ≥ ${min}, got '${text}'`);
  return value;
}

async function main(argv: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  let args;
  let ports;
  let sample;
  try {
    args = parseArgs({
      args: argv,
      options: {
        state: { type: "string" },
        data: { type: "string" },
        "sample-accounts": { type: "string" },
        "sample-seed": { type: "string" },
        "control-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }).values;
    ports = {
      sandbox: port("SANDBOX_PORT", process.env.SANDBOX_PORT || undefined, 5555),
      plugin: port("PORT", process.env.PORT || undefined, 7071),
    };
    sample = {
      accounts: whole("--sample-accounts", args["sample-accounts"], 300, 1),
      seed: whole("--sample-seed", args["sample-seed"], 1, 0),
    };
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    out(USAGE);
    return 0;
  }

  // Ctrl-C during start-up waits for the start to finish, then stops: nothing is left half-running.
  let stopSignal: string | undefined;
  let wake: (() => void) | undefined;
  const onSignal = (signal: string) => {
    if (stopSignal && wake === undefined) {
      // A second Ctrl-C (while starting or stopping): give up waiting, e.g. for requests in flight.
      process.stderr.write(`${signal} again: exiting without waiting\n`);
      process.exit(130);
    }
    stopSignal ??= signal;
    const w = wake;
    wake = undefined;
    w?.();
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));

  out("Starting the Customer Tiering demo stack …");
  const stack = await startStack({
    sandboxPort: ports.sandbox,
    pluginPort: ports.plugin,
    state: args.state,
    data: args.data,
    sampleAccounts: sample.accounts,
    sampleSeed: sample.seed,
    controlDir: args["control-dir"],
    token: process.env.SANDBOX_TOKEN || undefined,
    logLevel: process.env.LOG_LEVEL || undefined,
    log: (line) => out(`  ${line}`),
  });
  const r = stack.rerank;
  out(
    `  re-rank (${stack.rerankMs} ms): ${r.accounts} accounts (${r.activeInWindow} active in the window), ${r.changed} tier changes written`,
  );
  out("");
  out(`Demo page:         ${stack.demoUrl}`);
  out(`Dataverse Web API: ${stack.webApiUrl}`);
  out(`Plugin webhook:    ${stack.webhookUrl}`);
  out(
    `Webhook key:       ${stack.webhookKey}   (generated for this run; the sandbox's service endpoint sends it as ?code=)`,
  );
  // A token the user chose (SANDBOX_TOKEN) is theirs to keep off screen: the line names the variable instead.
  const adminToken = process.env.SANDBOX_TOKEN ? '"$SANDBOX_TOKEN.admin"' : userTokens(undefined).admin;
  out(
    `Preflight:         npx tiering doctor --url ${stack.sandbox.origin} --token ${adminToken} ` +
      `--key ${stack.webhookKey} --app-id ${LOCAL_SERVICE_APP_ID}`,
  );
  if (args.state) out(`State file:        ${args.state} (saved on exit)`);
  out("Press Ctrl-C to stop.");

  if (!stopSignal) await new Promise<void>((resolve) => (wake = resolve));
  wake = undefined;
  out(`\n${stopSignal}: stopping …`);
  const { savedRows } = await stack.close();
  if (savedRows !== undefined) out(`saved ${savedRows} rows to ${args.state}`);
  out("stopped.");
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    const err = e as NodeJS.ErrnoException & { port?: number };
    const hint =
      err.code === "EADDRINUSE"
        ? ` (set SANDBOX_PORT for the sandbox or PORT for the plugin service to use another port)`
        : "";
    process.stderr.write(`npm start: ${err.message}${hint}\n`);
    process.exit(1);
  },
);

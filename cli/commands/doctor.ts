import { developerTokens, failed, runDoctor, type CheckResult, type Expectations } from "../../plugins";
import { PLACEHOLDER_ENDPOINT_URL, WEBHOOK_ENDPOINT_NAME } from "../../solution/scripts/endpoint";
import {
  readSolutionIdentity,
  readSolutionRoles,
  SERVICE_FIELD_PROFILE,
  SERVICE_ROLE,
} from "../../solution/scripts/security";
import { readStepRegistrations, SDK_MESSAGE_IDS } from "../../solution/scripts/steps";
import { parseOptions, requireOption } from "../args";
import { UsageError, type CliCommand } from "../command";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the environment should hold, from the solution this CLI ships with. */
export function solutionExpectations(): Expectations {
  const role = readSolutionRoles().find((r) => r.name === SERVICE_ROLE);
  if (!role) throw new Error(`solution/src/Roles: no role named "${SERVICE_ROLE}"`);
  return {
    solution: readSolutionIdentity(),
    endpointName: WEBHOOK_ENDPOINT_NAME,
    placeholderUrl: PLACEHOLDER_ENDPOINT_URL,
    steps: readStepRegistrations(),
    messages: Object.fromEntries(Object.entries(SDK_MESSAGE_IDS).map(([name, id]) => [id, name])),
    role: { name: role.name, privileges: role.privileges },
    fieldProfile: SERVICE_FIELD_PROFILE,
  };
}

const MARK: Record<CheckResult["status"], string> = { ok: "ok", warn: "WARN", fail: "FAIL", skip: "skip" };

export function formatTable(results: readonly CheckResult[]): string {
  const w = Math.max(...results.map((r) => r.title.length));
  const lines = results.map((r) => {
    const head = `${r.title.padEnd(w)}  ${MARK[r.status].padEnd(4)}  ${r.detail}`;
    return r.fix ? `${head}\n${" ".repeat(w + 8)}→ ${r.fix}` : head;
  });
  const count = (s: CheckResult["status"]): number => results.filter((r) => r.status === s).length;
  const summary = failed(results)
    ? `${count("fail")} check(s) failed, ${count("warn")} warning(s): fix the FAIL lines above, then run doctor again.`
    : count("warn") > 0
      ? `All clear, with ${count("warn")} warning(s).`
      : "All clear.";
  return `${lines.join("\n")}\n\n${summary}\n`;
}

export const doctorCommand: CliCommand = {
  name: "doctor",
  summary: "check an environment after import or upgrade: solution, endpoint, steps, security, model, webhook",
  usage: `Usage: tiering doctor --url URL [--token TOKEN] [--key KEY] [--app-id ID] [--json]

A read-only preflight: reads the environment through the Web API and probes the webhook without changing
anything. Prints one line per check with what to do for each failure; exits 1 when a check fails.

  --url URL       the environment, e.g. https://contoso.crm.dynamics.com
  --token TOKEN   an OAuth access token (default: $DATAVERSE_TOKEN, else your Azure CLI / VS Code sign-in)
  --key KEY       the service's webhook key (CT_WEBHOOK_KEY): also checks that the webhook accepts it
  --app-id ID     the application (client) ID of the service's identity (app registration or managed
                  identity): checks that application user's roles and field security (default: the signed-in user)
  --json          one JSON document instead of the table, for pipelines
`,
  async run(args, io) {
    const o = parseOptions(args, {
      url: { type: "string" },
      token: { type: "string" },
      key: { type: "string" },
      "app-id": { type: "string" },
      json: { type: "boolean" },
    });
    if (o.help) {
      io.stdout.write(this.usage);
      return 0;
    }
    const text = requireOption(o.url, "url");
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new UsageError(`--url "${text}" is not an absolute URL`);
    }
    const appId = o["app-id"];
    if (appId !== undefined && !GUID.test(appId)) throw new UsageError(`--app-id "${appId}" is not a GUID`);
    const results = await runDoctor({
      url: url.href,
      tokens: developerTokens(url.href, o.token ?? process.env.DATAVERSE_TOKEN),
      expect: solutionExpectations(),
      appId: appId?.toLowerCase(),
      key: o.key,
    });
    // The key is never echoed, not even inside a server's error text.
    const redact = (s: string): string => (o.key ? s.split(o.key).join("***") : s);
    io.stdout.write(
      redact(
        o.json
          ? `${JSON.stringify({ url: url.origin, ok: !failed(results), checks: results }, null, 2)}\n`
          : formatTable(results),
      ),
    );
    return failed(results) ? 1 : 0;
  },
};

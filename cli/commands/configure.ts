import { developerTokens, registerSteps } from "../../plugins";
import { WEBHOOK_CONTRACT, WEBHOOK_ENDPOINT_NAME, WEBHOOK_KEY_AUTH } from "../../solution/scripts/endpoint";
import { readStepRegistrations } from "../../solution/scripts/steps";
import { parseOptions, requireOption } from "../args";
import { type CliCommand } from "../command";
import { redact as redactText } from "../../plugins";
import { optionalTokenOption, secureUrlOption } from "../secret-options";

/**
 * `tiering configure`: after importing the solution, points its service endpoint at this environment's plugin
 * service, then registers the webhook steps on it. The URL and key differ per environment, so the solution ships a
 * placeholder and this sets them through the Web API: GET serviceendpoints by name, then PATCH url, authtype and
 * authvalue. The solution ships no steps (issue 13: an import alone must queue nothing); they are upserted here by
 * their fixed ids (plugins/register-steps.ts), so running configure again changes nothing.
 * https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/serviceendpoint
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/update-delete-entities-using-web-api
 */

const API = "api/data/v9.2";
const TIMEOUT_MS = 30_000;

class ConfigureError extends Error {}

interface Endpoint {
  serviceendpointid: string;
  name: string;
  contract: number;
}

export const configureCommand: CliCommand = {
  name: "configure",
  summary: "point the imported solution's webhook at this environment's plugin service and register its steps",
  usage: `Usage: tiering configure --url ORG_URL --endpoint-url URL --key KEY [--token TOKEN] [--name NAME]

After importing the CustomerTiering solution, sets the URL and key of its service endpoint
("${WEBHOOK_ENDPOINT_NAME}") through the Dataverse Web API (each environment has its own), then registers
the webhook steps (solution/steps) on it. Safe to run again: the steps are upserted by their fixed ids.

  --url URL            the environment, e.g. https://contoso.crm.dynamics.com
  --endpoint-url URL   the plugin service's webhook URL (https)
  --key KEY            the webhook key the service expects; sent to Dataverse, never printed
  --token TOKEN        an OAuth access token for the environment (default: $DATAVERSE_TOKEN; without one, your
                       existing sign-in: Azure CLI (az login), then VS Code's Azure account)
  --name NAME          the service endpoint's name (default: "${WEBHOOK_ENDPOINT_NAME}")
`,
  async run(args, io) {
    const o = parseOptions(args, {
      url: { type: "string" },
      "endpoint-url": { type: "string" },
      key: { type: "string" },
      token: { type: "string" },
      name: { type: "string" },
    });
    if (o.help) {
      io.stdout.write(this.usage);
      return 0;
    }
    const org = secureUrlOption(o.url, "url");
    const endpointUrl = secureUrlOption(o["endpoint-url"], "endpoint-url");
    const key = requireOption(o.key, "key");
    const given = optionalTokenOption(o.token);
    const name = o.name ?? WEBHOOK_ENDPOINT_NAME;
    // Whatever goes wrong, the key and token never reach the terminal, not even inside a server's error text.
    const redact = (text: string): string => redactText(text, [key, given ?? ""]);
    try {
      const steps = readStepRegistrations();
      const token = await signIn(org, given);
      const endpoint = await findEndpoint(org, token, name);
      await patchEndpoint(org, token, endpoint.serviceendpointid, endpointUrl.href, key);
      io.stdout.write(
        `Service endpoint "${endpoint.name}" (${endpoint.serviceendpointid}) now sends to ${endpointUrl.href} with its webhook key.\n`,
      );
      const registered = await register(org, token, endpoint.serviceendpointid, steps);
      io.stdout.write(
        `Registered ${registered.steps} webhook steps (${registered.images} images) on it; running configure again changes nothing.\n`,
      );
      return 0;
    } catch (e) {
      if (!(e instanceof ConfigureError)) throw e;
      io.stderr.write(`tiering configure: error: ${redact((e as Error).message)}\n`);
      return 1;
    }
  },
};

/** A token from --token / DATAVERSE_TOKEN or the developer's sign-in; a failed sign-in says how to sign in. */
async function signIn(org: URL, token: string | undefined): Promise<string> {
  try {
    return await developerTokens(org.href, token).get();
  } catch (e) {
    throw new ConfigureError(
      `no access token for ${org.origin}: run \`az login\` (or sign in to Azure in VS Code), or pass --token (${(e as Error).message.split("\n")[0]})`,
    );
  }
}

/** fetch, with a network failure or time-out turned into an error that says which environment did not answer. */
async function call(url: URL, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new ConfigureError(`cannot reach ${url.origin}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
  }
}

function headers(token: string): Record<string, string> {
  return {
    Authorization: `Bearer ${token}`,
    Accept: "application/json",
    "OData-MaxVersion": "4.0",
    "OData-Version": "4.0",
  };
}

async function failure(what: string, res: Response): Promise<ConfigureError> {
  let detail = "";
  try {
    const body = (await res.json()) as { error?: { message?: string } };
    detail = body.error?.message ? `: ${body.error.message}` : "";
  } catch {
    // not JSON: the status says enough
  }
  return new ConfigureError(`${what} failed with HTTP ${res.status}${detail}`);
}

async function findEndpoint(org: URL, token: string, name: string): Promise<Endpoint> {
  const filter = `name eq '${name.replace(/'/g, "''")}'`;
  const query = `$select=serviceendpointid,name,contract&$filter=${encodeURIComponent(filter)}`;
  const res = await call(new URL(`/${API}/serviceendpoints?${query}`, org.origin), { headers: headers(token) });
  if (!res.ok) throw await failure(`looking up service endpoint "${name}" at ${org.origin}`, res);
  const found = ((await res.json()) as { value?: Endpoint[] }).value ?? [];
  if (found.length === 0)
    throw new ConfigureError(
      `no service endpoint named "${name}" in ${org.origin}: import the CustomerTiering solution first`,
    );
  if (found.length > 1)
    throw new ConfigureError(
      `${found.length} service endpoints are named "${name}" in ${org.origin}; pass --name to pick one`,
    );
  if (found[0].contract !== WEBHOOK_CONTRACT) {
    throw new ConfigureError(
      `service endpoint "${name}" has contract ${found[0].contract}, not ${WEBHOOK_CONTRACT} (Webhook)`,
    );
  }
  return found[0];
}

/** The steps, after the endpoint has its URL and key: from then on each save is delivered. */
async function register(
  org: URL,
  token: string,
  endpointId: string,
  steps: ReturnType<typeof readStepRegistrations>,
): Promise<{ steps: number; images: number }> {
  try {
    return await registerSteps({ url: org.origin, tokens: developerTokens(org.href, token), endpointId, steps });
  } catch (e) {
    throw new ConfigureError(`registering the webhook steps on ${org.origin}: ${(e as Error).message}`);
  }
}

async function patchEndpoint(org: URL, token: string, id: string, url: string, key: string): Promise<void> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw new ConfigureError(`the Web API returned "${id}" as serviceendpointid, which is not a GUID`);
  }
  const res = await call(new URL(`/${API}/serviceendpoints(${id})`, org.origin), {
    method: "PATCH",
    // If-Match: * makes it an update only; without it a PATCH to a missing id would create a row.
    headers: { ...headers(token), "Content-Type": "application/json; charset=utf-8", "If-Match": "*" },
    body: JSON.stringify({ url, authtype: WEBHOOK_KEY_AUTH, authvalue: key }),
  });
  if (!res.ok) throw await failure(`updating service endpoint ${id}`, res);
}

import { userTokens, type Sandbox } from "../../local-dataverse";
import { registerSteps, type RegisterStepsSummary } from "../../plugins";
import { StaticToken } from "../../plugins/dataverse/token";
import { WEBHOOK_ENDPOINT_NAME } from "../../solution/scripts/endpoint";
import { readStepRegistrations } from "../../solution/scripts/steps";

/**
 * What `tiering configure` does after pointing the endpoint: registers the solution's webhook steps (solution/steps)
 * over HTTP as the administrator. A sandbox after a bare import has none, so a stack that needs deliveries calls this.
 */
export async function registerSolutionSteps(sandbox: Sandbox, token?: string): Promise<RegisterStepsSummary> {
  const endpoint = [...sandbox.store.rows("serviceendpoint")].find((r) => r.name === WEBHOOK_ENDPOINT_NAME);
  if (!endpoint) throw new Error(`the sandbox has no service endpoint named "${WEBHOOK_ENDPOINT_NAME}"`);
  return registerSteps({
    url: sandbox.origin,
    tokens: new StaticToken(userTokens(token).admin),
    endpointId: String(endpoint.serviceendpointid),
    steps: readStepRegistrations(),
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
  });
}

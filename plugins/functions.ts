import {
  app,
  type HttpFunctionOptions,
  type HttpHandler,
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
} from "@azure/functions";
import { readLimited } from "./body";
import { readConfig } from "./config";
import { createService, type Service } from "./service";
import { MAX_BODY_BYTES } from "./webhook/handler";

/**
 * The Azure Functions v4 host over the same handler. The route is `webhook` under the host's `api` prefix, so the URL
 * is the same as the standalone server's. authLevel is anonymous because the handler checks the webhook key itself
 * (the same `?code=` / header forms, and the key rotation the Functions keys would not give us).
 * https://learn.microsoft.com/azure/azure-functions/functions-reference-node?pivots=nodejs-model-v4#http-triggers
 */
export function webhookHandler(getService: () => Service): HttpHandler {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const service = getService();
    const declared = Number(request.headers.get("content-length"));
    const readBody = async (): Promise<Buffer | "too-large"> =>
      Number.isFinite(declared) && declared > MAX_BODY_BYTES
        ? "too-large"
        : readLimited(request.body as AsyncIterable<Uint8Array> | null, MAX_BODY_BYTES);
    const out = await service.handle({
      method: request.method,
      query: request.query,
      header: (n) => request.headers.get(n),
      readBody,
    });
    context.log(`webhook answered ${out.status}`);
    return { status: out.status, jsonBody: out.body, ...(out.headers ? { headers: out.headers } : {}) };
  };
}

let service: Service | undefined;
/** Built on first use, so a host that only lists functions does not need the Dataverse settings. */
const lazyService = (): Service => (service ??= createService(readConfig()));

export const webhookFunction: HttpFunctionOptions = {
  methods: ["POST"],
  authLevel: "anonymous",
  route: "webhook",
  handler: webhookHandler(lazyService),
};

app.http("ctTieringWebhook", webhookFunction);

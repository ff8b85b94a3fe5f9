import type { AccessToken, TokenCredential } from "@azure/identity";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSandbox, type Sandbox } from "../../local-dataverse";
import { AuthConfigError, authFromEnv, CredentialToken, serviceTokens } from "../../plugins/dataverse/credential";
import { HttpTransport } from "../../plugins/dataverse/transport";

describe("CredentialToken", () => {
  it("asks the credential once, shares one request among concurrent callers, refreshes ahead of expiry", async () => {
    let now = 1_000_000;
    const scopes: string[] = [];
    let issued = 0;
    const credential: TokenCredential = {
      getToken: async (scope) => {
        scopes.push(String(scope));
        await new Promise((r) => setTimeout(r, 5));
        return { token: `tok-${++issued}`, expiresOnTimestamp: now + 3600_000 } satisfies AccessToken;
      },
    };
    const tokens = new CredentialToken(credential, "https://contoso.crm.dynamics.com/.default", () => now);
    expect(await Promise.all([tokens.get(), tokens.get()])).toEqual(["tok-1", "tok-1"]);
    now += 50 * 60_000; // 10 minutes left: still good
    expect(await tokens.get()).toBe("tok-1");
    now += 6 * 60_000; // 4 minutes left: refreshed
    expect(await tokens.get()).toBe("tok-2");
    tokens.invalidate(); // a 401 from Dataverse
    expect(await tokens.get()).toBe("tok-3");
    expect(scopes).toEqual(Array(3).fill("https://contoso.crm.dynamics.com/.default"));
  });
});

describe("sign-in settings", () => {
  const url = "https://contoso.crm.dynamics.com";
  it("a token alone is a fixed token; nothing at all is the managed identity", () => {
    expect(authFromEnv({ DATAVERSE_TOKEN: "t" })).toEqual({ kind: "token", token: "t" });
    expect(authFromEnv({})).toMatchObject({ kind: "identity", method: "auto" });
  });

  it("auto prefers workload identity and a certificate, then the managed identity, a secret last", () => {
    const { autoMethods } = jest.requireActual<typeof import("../../plugins/dataverse/credential")>(
      "../../plugins/dataverse/credential",
    );
    const a = authFromEnv({
      DATAVERSE_TENANT_ID: "t",
      DATAVERSE_CLIENT_ID: "c",
      DATAVERSE_CLIENT_SECRET: "s",
      DATAVERSE_CLIENT_CERTIFICATE_PATH: "/x.pem",
      AZURE_FEDERATED_TOKEN_FILE: "/var/run/token",
      DATAVERSE_TOKEN: "ignored",
    });
    expect(a.kind === "identity" && autoMethods(a)).toEqual([
      "workload-identity",
      "certificate",
      "managed-identity",
      "client-secret",
    ]);
  });

  it.each([
    [{ DATAVERSE_AUTH: "password" }, /^DATAVERSE_AUTH: must be one of/],
    [{ DATAVERSE_AUTH: "client-secret", DATAVERSE_TENANT_ID: "t" }, /^DATAVERSE_CLIENT_ID: is required/],
    [{ DATAVERSE_AUTH: "certificate", DATAVERSE_TENANT_ID: "t", DATAVERSE_CLIENT_ID: "c" }, /CERTIFICATE_PATH/],
    [{ DATAVERSE_AUTH: "workload-identity", DATAVERSE_TENANT_ID: "t", DATAVERSE_CLIENT_ID: "c" }, /FEDERATED/],
    [{ DATAVERSE_AUTH: "token" }, /^DATAVERSE_TOKEN: is required/],
  ])("a missing setting is named (%#)", (env, message) => {
    expect(() => serviceTokens(authFromEnv(env), url)).toThrow(AuthConfigError);
    expect(() => authFromEnv(env)).toThrow(message);
  });
});

/**
 * App Service / Functions managed identity: the platform sets IDENTITY_ENDPOINT (a plain-http loopback endpoint) and
 * IDENTITY_HEADER, and @azure/identity asks it for a token with the resource and the header.
 * https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference
 */
describe("managed identity against a local App Service identity endpoint", () => {
  const HEADER = "a7f3c1e0-identity-header";
  const TOKEN = "eyJ.managed-identity-token";
  let endpoint: Server;
  let seen: { url: string; header: string | undefined }[];
  let sandbox: Sandbox;
  const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };

  beforeAll(async () => {
    seen = [];
    endpoint = createServer((req, res) => {
      seen.push({ url: req.url ?? "", header: req.headers["x-identity-header"] as string | undefined });
      if (req.headers["x-identity-header"] !== HEADER) {
        res.writeHead(401, { "content-type": "application/json" });
        return void res.end(JSON.stringify({ error: "wrong X-IDENTITY-HEADER" }));
      }
      const resource = new URL(req.url ?? "/", "http://x").searchParams.get("resource");
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          access_token: TOKEN,
          expires_on: String(Math.floor(Date.now() / 1000) + 3600),
          resource,
          token_type: "Bearer",
        }),
      );
    });
    await new Promise<void>((r) => endpoint.listen(0, "127.0.0.1", r));
    process.env.IDENTITY_ENDPOINT = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/msi/token`;
    process.env.IDENTITY_HEADER = HEADER;
    sandbox = await startSandbox({ token: TOKEN, log: () => undefined });
  });

  afterAll(async () => {
    for (const [k, v] of [
      ["IDENTITY_ENDPOINT", saved.endpoint],
      ["IDENTITY_HEADER", saved.header],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await sandbox.close();
    await new Promise<void>((r) => endpoint.close(() => r()));
  });

  it("signs the service in to the local Dataverse with the identity's token for <origin>/.default", async () => {
    const auth = authFromEnv({ DATAVERSE_AUTH: "managed-identity" });
    const transport = new HttpTransport({ server: sandbox.origin, tokens: serviceTokens(auth, sandbox.url) });
    const res = await transport.send("GET", "WhoAmI", {});
    expect(res.status).toBe(200);
    expect(seen.length).toBeGreaterThanOrEqual(1);
    const asked = new URL(seen[seen.length - 1].url, "http://x");
    expect(asked.pathname).toBe("/msi/token");
    expect(asked.searchParams.get("resource")).toBe(sandbox.origin);
    expect(seen[seen.length - 1].header).toBe(HEADER);
  });
});

/**
 * The CLI with --url alone: @azure/identity's AzureCliCredential runs `az account get-access-token --resource …`;
 * here a stand-in `az` on PATH answers as the real one does after `az login`.
 * https://learn.microsoft.com/cli/azure/account#az-account-get-access-token
 */
describe("developer sign-in through the Azure CLI", () => {
  const TOKEN = "eyJ.az-cli-token";
  let dir: string;
  let sandbox: Sandbox;
  const saved = { path: process.env.PATH };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "fake-az-"));
    writeFileSync(
      join(dir, "az"),
      `#!/bin/sh\necho "$@" >> "${join(dir, "calls")}"\n` +
        `echo '{"accessToken": "${TOKEN}", "expires_on": '$(( $(date +%s) + 3600 ))', "tokenType": "Bearer"}'\n`,
      { mode: 0o755 },
    );
    sandbox = await startSandbox({ token: TOKEN, log: () => undefined });
  });

  afterAll(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("`tiering doctor --url` alone signs in with the token `az` gives for <origin>", async () => {
    // A child process: the CLI as a developer runs it (built CLI, npm run build:node), with the stand-in first on PATH.
    const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(__dirname, "..", "..", "bin", "tiering.js"), "doctor", "--url", sandbox.origin, "--json"],
        { env: { ...process.env, PATH: `${dir}:${saved.path}`, DATAVERSE_TOKEN: "" }, cwd: dir },
        (error, stdout) => resolve({ code: error ? (error.code as number) : 0, out: stdout }),
      );
    });
    expect(readFileSync(join(dir, "calls"), "utf8")).toContain(
      `get-access-token --output json --resource ${sandbox.origin}`,
    );
    const doc = JSON.parse(run.out) as { checks: { id: string; status: string; detail: string }[] };
    expect(doc.checks.find((c) => c.id === "connection")).toMatchObject({ status: "ok" });
  });
});

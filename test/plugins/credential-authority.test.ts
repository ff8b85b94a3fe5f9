import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSandbox, type Sandbox } from "../../local-dataverse";
import { authFromEnv, CredentialToken, SignInError } from "../../plugins/dataverse/credential";
import { selfSigned, startAuthority, thumbprints, type LocalAuthority, type TokenRequest } from "./local-authority";

/**
 * The service's sign-in through Microsoft Entra ID (client secret, certificate, workload identity) against a local
 * authority (DATAVERSE_AUTHORITY_HOST) and the local Dataverse: no internet.
 * The sign-in runs in a child Node process, the built service (npm run build:node) as it starts: readConfig reads the
 * settings, its token provider signs in, HttpTransport calls WhoAmI. A child, because Node trusts the stand-in's
 * self-signed certificate only through NODE_EXTRA_CA_CERTS, read when Node starts.
 * Without DATAVERSE_DISABLE_INSTANCE_DISCOVERY, MSAL first GETs https://login.microsoftonline.com/common/discovery/
 * instance?…&authorization_endpoint=<local authority> (hard-coded host, not the authority host): that call cannot be
 * pointed locally, and Entra would answer invalid_instance for a host it does not know, so the setting is required.
 */

const TENANT = "11111111-2222-3333-4444-555555555555";
const CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const SECRET = "Qx8~local.Secret-Value_1234567890abcd";
const FEDERATED = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6dGllcmluZzpzZXJ2aWNlIn0.c2ln";
const TOKEN = "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJsb2NhbCJ9.local-entra-token";
const DIST = join(__dirname, "..", "..", "dist", "plugins");

const CHILD = `
const { readConfig } = require(${JSON.stringify(join(DIST, "config.js"))});
const { tokenProvider } = require(${JSON.stringify(join(DIST, "service.js"))});
const { HttpTransport } = require(${JSON.stringify(join(DIST, "dataverse", "transport.js"))});
(async () => {
  const config = readConfig(process.env);
  const transport = new HttpTransport({ server: config.dataverseUrl, tokens: tokenProvider(config), retry: { maxAttempts: 1 } });
  try {
    const res = await transport.send("GET", "WhoAmI", {});
    console.log(JSON.stringify({ status: res.status }));
  } catch (e) {
    console.log(JSON.stringify({ error: e.name, message: e.message }));
  }
})();
`;

const CERT_CLIENT = "cccccccc-0000-0000-0000-000000000001";
const WORKLOAD_CLIENT = "cccccccc-0000-0000-0000-000000000002";
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

let dir: string;
let tlsCert: string;
let appPem: string;
let appCertPem: string;
let otherPem: string;
let tokenFile: string;
let authority: LocalAuthority;
let sandbox: Sandbox;

/** One PEM with the private key and the certificate: what DATAVERSE_CLIENT_CERTIFICATE_PATH holds. */
function keyAndCert(name: string, subject: string): { pem: string; cert: string } {
  const made = selfSigned(dir, name, subject);
  const pem = join(dir, `${name}.pem`);
  writeFileSync(pem, readFileSync(made.key, "utf8") + readFileSync(made.cert, "utf8"));
  return { pem, cert: readFileSync(made.cert, "utf8") };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "local-entra-"));
  const tls = selfSigned(dir, "tls", "/CN=127.0.0.1", "IP:127.0.0.1");
  tlsCert = tls.cert;
  const app = keyAndCert("app", "/CN=customer-tiering-service");
  appPem = app.pem;
  appCertPem = app.cert;
  otherPem = keyAndCert("other", "/CN=customer-tiering-service").pem; // same name, a key Entra does not know
  tokenFile = join(dir, "azure-identity-token");
  writeFileSync(tokenFile, FEDERATED);
  authority = await startAuthority({
    tls,
    tenant: TENANT,
    clients: {
      [CLIENT]: { secret: SECRET },
      [CERT_CLIENT]: { certificate: appCertPem },
      [WORKLOAD_CLIENT]: { federatedToken: FEDERATED },
    },
    accessToken: TOKEN,
  });
  sandbox = await startSandbox({ token: TOKEN, log: () => undefined });
});

afterAll(async () => {
  await sandbox?.close();
  await authority?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  out: { status?: number; error?: string; message?: string };
  /** Everything the child wrote, to check that no secret is in it. */
  all: string;
}

/** The built service signs in, in a child Node process that trusts the stand-in's certificate. */
function signIn(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["-e", CHILD],
      {
        env: {
          PATH: process.env.PATH ?? "",
          NODE_EXTRA_CA_CERTS: tlsCert,
          CT_WEBHOOK_KEY: "local-webhook-key-0123456789",
          DATAVERSE_URL: sandbox.origin,
          DATAVERSE_AUTHORITY_HOST: authority.host,
          // MSAL would first ask login.microsoftonline.com to vouch for the authority host (instance discovery).
          DATAVERSE_DISABLE_INSTANCE_DISCOVERY: "true",
          DATAVERSE_TENANT_ID: TENANT,
          ...env,
        },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        const last = stdout.trim().split("\n").pop() ?? "";
        try {
          resolve({ out: JSON.parse(last) as Run["out"], all: stdout + stderr });
        } catch {
          reject(new Error(`the child wrote no result (${error?.message ?? "exit 0"}):\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

/** The token requests made during one sign-in. */
async function tokenRequestsOf(run: () => Promise<Run>): Promise<{ run: Run; requests: TokenRequest[] }> {
  const before = authority.tokenRequests.length;
  const result = await run();
  return { run: result, requests: authority.tokenRequests.slice(before) };
}

describe("the service signs in through a local Microsoft Entra authority (DATAVERSE_AUTHORITY_HOST)", () => {
  it("client secret: client_credentials with the secret, for <origin>/.default; WhoAmI answers", async () => {
    const { run, requests } = await tokenRequestsOf(() =>
      signIn({ DATAVERSE_AUTH: "client-secret", DATAVERSE_CLIENT_ID: CLIENT, DATAVERSE_CLIENT_SECRET: SECRET }),
    );
    expect(run.out).toEqual({ status: 200 });
    expect(requests).toHaveLength(1);
    expect(requests[0].tenant).toBe(TENANT);
    expect(requests[0].form).toMatchObject({
      grant_type: "client_credentials",
      client_id: CLIENT,
      scope: `${sandbox.origin}/.default`,
      client_secret: SECRET,
    });
    expect(requests[0].form.client_assertion).toBeUndefined();
    // MSAL reads the authority's OpenID configuration, then asks its token endpoint: nothing else, nowhere else.
    expect(new Set(authority.requests)).toEqual(
      new Set([`GET /${TENANT}/v2.0/.well-known/openid-configuration`, `POST /${TENANT}/oauth2/v2.0/token`]),
    );
  });

  it("certificate: a client assertion signed with the certificate's key, for the token endpoint", async () => {
    const { run, requests } = await tokenRequestsOf(() =>
      signIn({
        DATAVERSE_AUTH: "certificate",
        DATAVERSE_CLIENT_ID: CERT_CLIENT,
        DATAVERSE_CLIENT_CERTIFICATE_PATH: appPem,
      }),
    );
    expect(run.out).toEqual({ status: 200 });
    expect(requests).toHaveLength(1);
    const { form, assertion } = requests[0];
    expect(form).toMatchObject({
      grant_type: "client_credentials",
      client_id: CERT_CLIENT,
      scope: `${sandbox.origin}/.default`,
      client_assertion_type: JWT_BEARER,
    });
    expect(form.client_secret).toBeUndefined();
    expect(assertion?.signatureValid).toBe(true);
    expect(assertion?.claims).toMatchObject({
      aud: `${authority.host}/${TENANT}/oauth2/v2.0/token`,
      iss: CERT_CLIENT,
      sub: CERT_CLIENT,
    });
    // The header names the certificate by its SHA-256 thumbprint (x5t#S256), signed with PS256, as Learn describes.
    expect(assertion?.header).toMatchObject({ alg: "PS256", "x5t#S256": thumbprints(appCertPem)["x5t#S256"] });
  });

  it("workload identity: the federated token file is the client assertion", async () => {
    const { run, requests } = await tokenRequestsOf(() =>
      signIn({
        DATAVERSE_AUTH: "workload-identity",
        DATAVERSE_CLIENT_ID: WORKLOAD_CLIENT,
        AZURE_FEDERATED_TOKEN_FILE: tokenFile,
      }),
    );
    expect(run.out).toEqual({ status: 200 });
    expect(requests).toHaveLength(1);
    expect(requests[0].form).toMatchObject({
      grant_type: "client_credentials",
      client_id: WORKLOAD_CLIENT,
      scope: `${sandbox.origin}/.default`,
      client_assertion_type: JWT_BEARER,
      client_assertion: FEDERATED,
    });
  });

  it("auto with the AZURE_* variables AKS sets picks workload identity", async () => {
    const { run, requests } = await tokenRequestsOf(() =>
      signIn({ AZURE_CLIENT_ID: WORKLOAD_CLIENT, AZURE_FEDERATED_TOKEN_FILE: tokenFile }),
    );
    expect(run.out).toEqual({ status: 200 });
    expect(requests.map((r) => r.form.client_assertion)).toEqual([FEDERATED]);
  });
});

describe("a refused sign-in (Entra answers 401 invalid_client)", () => {
  /** Per method: settings Entra refuses, and the secret they hold (a secret, a private key line, a token). */
  const refused: Record<string, () => { env: Record<string, string>; secret: string }> = {
    "client-secret": () => {
      const secret = "Wrong~Secret-Value_0987654321zyxw";
      return { env: { DATAVERSE_CLIENT_ID: CLIENT, DATAVERSE_CLIENT_SECRET: secret }, secret };
    },
    // Same subject name, a key the app registration does not hold: the assertion's signature fails.
    certificate: () => ({
      env: { DATAVERSE_CLIENT_ID: CERT_CLIENT, DATAVERSE_CLIENT_CERTIFICATE_PATH: otherPem },
      secret: readFileSync(join(dir, "other.key.pem"), "utf8").split("\n")[3],
    }),
    // A token whose subject no federated credential of the app names.
    "workload-identity": () => {
      const file = join(dir, "wrong-token");
      const secret = "eyJ.a-token-for-another-subject.c2ln";
      writeFileSync(file, secret);
      return { env: { DATAVERSE_CLIENT_ID: WORKLOAD_CLIENT, AZURE_FEDERATED_TOKEN_FILE: file }, secret };
    },
  };

  it.each(Object.keys(refused))(
    "%s: the error names the method and Entra's reason, never the secret",
    async (method) => {
      const { env, secret } = refused[method]();
      const { run, requests } = await tokenRequestsOf(() => signIn({ DATAVERSE_AUTH: method, ...env }));
      expect(requests.length).toBeGreaterThanOrEqual(1);
      expect(run.out.status).toBeUndefined();
      expect(run.out.error).toBe("SignInError");
      expect(run.out.message).toMatch(
        new RegExp(`^sign-in with DATAVERSE_AUTH=${method} failed: invalid_client\\b.*AADSTS7\\d+`),
      );
      expect(secret.length).toBeGreaterThan(20);
      expect(run.all).not.toContain(secret);
    },
  );
});

describe("a failed sign-in's message", () => {
  it("blots out the client secret should a library ever echo it", async () => {
    const secret = "Echoed~Secret_0123456789";
    const credential = { getToken: () => Promise.reject(new Error(`invalid_client: bad secret ${secret}`)) };
    const tokens = new CredentialToken(credential, "https://x/.default", Date.now, {
      method: "client-secret",
      secrets: [secret],
    });
    const err = (await tokens.get().catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(SignInError);
    expect(err.message).toBe("sign-in with DATAVERSE_AUTH=client-secret failed: invalid_client: bad secret ***");
    expect(err.cause).toBeUndefined(); // the original error, secret and all, goes no further
  });
});

describe("DATAVERSE_DISABLE_INSTANCE_DISCOVERY", () => {
  it("is true or false", () => {
    const base = { DATAVERSE_AUTH: "client-secret", DATAVERSE_TENANT_ID: "t", DATAVERSE_CLIENT_ID: "c" };
    const env = { ...base, DATAVERSE_CLIENT_SECRET: "s" };
    expect(authFromEnv({ ...env, DATAVERSE_DISABLE_INSTANCE_DISCOVERY: "true" })).toMatchObject({
      disableInstanceDiscovery: true,
    });
    expect(authFromEnv(env)).not.toHaveProperty("disableInstanceDiscovery");
    expect(() => authFromEnv({ ...env, DATAVERSE_DISABLE_INSTANCE_DISCOVERY: "yes" })).toThrow(
      "DATAVERSE_DISABLE_INSTANCE_DISCOVERY: must be true or false",
    );
  });
});

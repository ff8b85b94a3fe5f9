import { execFileSync } from "node:child_process";
import { createHash, verify, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/**
 * A local Microsoft Entra ID stand-in for the service's sign-in: the OpenID configuration MSAL reads, and the v2.0
 * token endpoint's client credentials grant, with the three kinds of client credential the service can hold.
 * Client credentials flow: https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 * Certificate credentials: https://learn.microsoft.com/entra/identity-platform/certificate-credentials
 * Workload identity federation: https://learn.microsoft.com/entra/workload-id/workload-identity-federation
 * MSAL accepts only an https authority, so it serves TLS with a self-signed certificate for 127.0.0.1; the process
 * that signs in must trust it (NODE_EXTRA_CA_CERTS, read once when Node starts).
 */

/** A self-signed certificate and its key (PEM files in `dir`), made with openssl at test time. */
export function selfSigned(dir: string, name: string, subject: string, san?: string): { key: string; cert: string } {
  const key = join(dir, `${name}.key.pem`);
  const cert = join(dir, `${name}.cert.pem`);
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", subject],
      ...(san ? ["-addext", `subjectAltName=${san}`] : []),
      ...["-keyout", key, "-out", cert],
    ],
    { stdio: "ignore" },
  );
  return { key, cert };
}

/** What an app registration may present, one client ID each. */
export interface RegisteredClient {
  secret?: string;
  /** PEM of the certificate uploaded to the app registration: its key signs the client assertion. */
  certificate?: string;
  /** The federated credential: the one external token the app trusts (in Entra: issuer + subject + audience). */
  federatedToken?: string;
}

/** One request to the token endpoint, as the stand-in read it. */
export interface TokenRequest {
  tenant: string;
  form: Record<string, string>;
  /** The client assertion's header and claims, when one was sent as a JWT. */
  assertion?: { header: Record<string, unknown>; claims: Record<string, unknown>; signatureValid: boolean };
}

export interface LocalAuthority {
  /** The authority host: DATAVERSE_AUTHORITY_HOST. */
  host: string;
  /** Every request, method and path, in order. */
  requests: string[];
  tokenRequests: TokenRequest[];
  close(): Promise<void>;
}

export interface AuthorityOptions {
  tls: { key: string; cert: string };
  tenant: string;
  clients: Record<string, RegisteredClient>;
  /** The access token it issues to any client that proves itself. */
  accessToken: string;
}

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

function decodeJwt(jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown> } | null {
  const parts = jwt.split(".");
  if (parts.length !== 3) return null;
  try {
    const json = (p: string) => JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Record<string, unknown>;
    return { header: json(parts[0]), claims: json(parts[1]) };
  } catch {
    return null;
  }
}

/** RS256 or PS256 (what MSAL signs with when it has the SHA-256 thumbprint) over `header.claims`. */
function signatureValid(jwt: string, alg: unknown, certPem: string): boolean {
  const [h, c, s] = jwt.split(".");
  const key = new X509Certificate(certPem).publicKey;
  const data = Buffer.from(`${h}.${c}`);
  const sig = Buffer.from(s, "base64url");
  if (alg === "RS256") return verify("sha256", data, key, sig);
  if (alg === "PS256")
    return verify("sha256", data, { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 }, sig);
  return false;
}

/** The certificate's thumbprints as Entra reads them from the assertion header (x5t: SHA-1, x5t#S256: SHA-256). */
export function thumbprints(certPem: string): { x5t: string; "x5t#S256": string } {
  const der = new X509Certificate(certPem).raw;
  return {
    x5t: createHash("sha1").update(der).digest("base64url"),
    "x5t#S256": createHash("sha256").update(der).digest("base64url"),
  };
}

export async function startAuthority(opts: AuthorityOptions): Promise<LocalAuthority> {
  const requests: string[] = [];
  const tokenRequests: TokenRequest[] = [];
  let base = "";

  // Entra's error body: https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#error-response
  const entraError = (code: string, aadsts: string, description: string) => ({
    error: code,
    error_description: `${aadsts}: ${description} Trace ID: 00000000-0000-0000-0000-000000000000`,
    error_codes: [Number(aadsts.replace("AADSTS", ""))],
    timestamp: new Date().toISOString().replace("T", " ").replace(/\..*/, "Z"),
    trace_id: "00000000-0000-0000-0000-000000000000",
    correlation_id: "00000000-0000-0000-0000-000000000000",
  });

  const server: Server = createServer({ key: readFileSync(opts.tls.key), cert: readFileSync(opts.tls.cert) });
  server.on("request", (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", base).pathname;
      requests.push(`${req.method} ${path}`);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify(body));
      };
      const t = opts.tenant;
      if (req.method === "GET" && path === `/${t}/v2.0/.well-known/openid-configuration`) {
        return send(200, {
          issuer: `${base}/${t}/v2.0`,
          token_endpoint: `${base}/${t}/oauth2/v2.0/token`,
          authorization_endpoint: `${base}/${t}/oauth2/v2.0/authorize`,
          device_authorization_endpoint: `${base}/${t}/oauth2/v2.0/devicecode`,
          end_session_endpoint: `${base}/${t}/oauth2/v2.0/logout`,
          jwks_uri: `${base}/${t}/discovery/v2.0/keys`,
          token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
          response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
          scopes_supported: ["openid", "profile", "email", "offline_access"],
          subject_types_supported: ["pairwise"],
          id_token_signing_alg_values_supported: ["RS256"],
          tenant_region_scope: null,
          cloud_instance_name: "localhost",
        });
      }
      const m = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
      if (req.method !== "POST" || !m) return send(404, entraError("invalid_request", "AADSTS90002", "Not found."));
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
      const record: TokenRequest = { tenant: m[1], form };
      tokenRequests.push(record);
      if (m[1] !== t) return send(400, entraError("invalid_request", "AADSTS90002", `Tenant '${m[1]}' not found.`));
      if (form.grant_type !== "client_credentials") {
        return send(400, entraError("unsupported_grant_type", "AADSTS70003", "The grant type is not supported."));
      }
      const client = opts.clients[form.client_id ?? ""];
      if (!client) {
        return send(400, entraError("unauthorized_client", "AADSTS700016", "Application not found in the directory."));
      }
      let proven = false;
      let refusal = ["AADSTS7000215", "Invalid client secret provided."];
      if (form.client_secret !== undefined) {
        proven = client.secret !== undefined && form.client_secret === client.secret;
      } else if (form.client_assertion_type === JWT_BEARER && form.client_assertion) {
        const jwt = decodeJwt(form.client_assertion);
        if (client.federatedToken !== undefined) {
          // Workload identity: the assertion is the external (Kubernetes) token itself, matched to the federation.
          proven = form.client_assertion === client.federatedToken;
          refusal = ["AADSTS700213", "No matching federated identity record found for presented assertion subject."];
        } else if (jwt && client.certificate) {
          const ok = signatureValid(form.client_assertion, jwt.header.alg, client.certificate);
          record.assertion = { ...jwt, signatureValid: ok };
          const tp = thumbprints(client.certificate);
          const now = Date.now() / 1000;
          proven =
            ok &&
            (jwt.header.x5t === tp.x5t || jwt.header["x5t#S256"] === tp["x5t#S256"]) &&
            jwt.claims.aud === `${base}/${t}/oauth2/v2.0/token` &&
            jwt.claims.iss === form.client_id &&
            jwt.claims.sub === form.client_id &&
            typeof jwt.claims.exp === "number" &&
            jwt.claims.exp > now;
          refusal = ["AADSTS700027", "Client assertion failed signature validation."];
        }
      }
      if (!proven) {
        return send(401, entraError("invalid_client", refusal[0], refusal[1]));
      }
      send(200, { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: opts.accessToken });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host: base,
    requests,
    tokenRequests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

import {
  AzureCliCredential,
  ChainedTokenCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  VisualStudioCodeCredential,
  WorkloadIdentityCredential,
  type TokenCredential,
} from "@azure/identity";
import { StaticToken, type TokenProvider } from "./token";

/**
 * Sign-in through @azure/identity, the library Azure's own SDKs use. The scope of a Dataverse environment is its
 * origin + `/.default`, whatever path the URL was given with.
 * https://learn.microsoft.com/power-apps/developer/data-platform/authenticate-oauth
 */
export function dataverseScope(url: string): string {
  return `${new URL(url).origin}/.default`;
}

/** Refresh this long before expiry, so a token never runs out mid-request. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** A refused or failed sign-in: names the method (DATAVERSE_AUTH) and Entra's reason, never a secret. */
export class SignInError extends Error {
  override name = "SignInError";
}

/** How a failed sign-in is told: the method, and the values its message must never carry. */
export interface SignInLabel {
  method: string;
  secrets?: string[];
}

/** A TokenProvider over any TokenCredential: one fetch for concurrent callers, kept until shortly before expiry. */
export class CredentialToken implements TokenProvider {
  private token: { value: string; refreshAt: number } | null = null;
  private pending: Promise<string> | null = null;

  constructor(
    private readonly credential: TokenCredential,
    private readonly scope: string,
    private readonly now: () => number = Date.now,
    private readonly label?: SignInLabel,
  ) {}

  get(): Promise<string> {
    if (this.token && this.token.refreshAt > this.now()) return Promise.resolve(this.token.value);
    this.pending ??= this.fetch().finally(() => (this.pending = null));
    return this.pending;
  }

  invalidate(): void {
    this.token = null;
  }

  private async fetch(): Promise<string> {
    let t: Awaited<ReturnType<TokenCredential["getToken"]>>;
    try {
      t = await this.credential.getToken(this.scope);
    } catch (e) {
      if (!this.label) throw e;
      // Entra's answer (e.g. `invalid_client: … AADSTS7000215: Invalid client secret provided.`) says why; a secret
      // is never echoed there, and is blotted out should a library ever put it in (so no `cause`: it would carry it).
      let message = (e as Error).message;
      for (const s of this.label.secrets ?? []) if (s) message = message.split(s).join("***");
      throw new SignInError(`sign-in with DATAVERSE_AUTH=${this.label.method} failed: ${message}`);
    }
    if (!t) throw new Error(`no access token for ${this.scope}`);
    const refreshAt = Math.min(t.expiresOnTimestamp - REFRESH_MARGIN_MS, t.refreshAfterTimestamp ?? Infinity);
    this.token = { value: t.token, refreshAt };
    return t.token;
  }
}

/** How the service signs in (config.ts reads it from DATAVERSE_AUTH and the settings each kind needs). */
export type ServiceAuth =
  | { kind: "token"; token: string }
  | {
      kind: "identity";
      /** `auto` tries, in order: workload identity, certificate, managed identity, client secret (each when set up). */
      method: "auto" | "managed-identity" | "workload-identity" | "certificate" | "client-secret";
      tenantId?: string;
      clientId?: string;
      /** A user-assigned managed identity's client ID (none: the system-assigned identity). */
      managedIdentityClientId?: string;
      clientSecret?: string;
      /** PEM file with the private key and the certificate. */
      certificatePath?: string;
      /** The projected service-account token of workload identity (AZURE_FEDERATED_TOKEN_FILE). */
      federatedTokenFile?: string;
      authorityHost?: string;
      /**
       * Skip MSAL's instance discovery (a call to login.microsoftonline.com that vouches for the authority host): for
       * an authority Microsoft's list does not know (a private cloud, Azure Stack, the tests' local authority).
       */
      disableInstanceDiscovery?: boolean;
    };

export class AuthConfigError extends Error {
  override name = "AuthConfigError";
}

type IdentityAuth = Extract<ServiceAuth, { kind: "identity" }>;

function need(value: string | undefined, setting: string, method: string): string {
  if (!value) throw new AuthConfigError(`${setting}: is required for DATAVERSE_AUTH=${method}`);
  return value;
}

/** The credential for one explicit method; throws naming the missing setting. */
function credentialFor(a: IdentityAuth, method: Exclude<IdentityAuth["method"], "auto">): TokenCredential {
  const common = {
    ...(a.authorityHost ? { authorityHost: a.authorityHost } : {}),
    ...(a.disableInstanceDiscovery ? { disableInstanceDiscovery: true } : {}),
  };
  switch (method) {
    case "managed-identity":
      // https://learn.microsoft.com/azure/app-service/overview-managed-identity
      return a.managedIdentityClientId
        ? new ManagedIdentityCredential({ clientId: a.managedIdentityClientId })
        : new ManagedIdentityCredential();
    case "workload-identity":
      return new WorkloadIdentityCredential({
        ...common,
        tenantId: need(a.tenantId, "DATAVERSE_TENANT_ID", method),
        clientId: need(a.clientId, "DATAVERSE_CLIENT_ID", method),
        tokenFilePath: need(a.federatedTokenFile, "AZURE_FEDERATED_TOKEN_FILE", method),
      });
    case "certificate":
      return new ClientCertificateCredential(
        need(a.tenantId, "DATAVERSE_TENANT_ID", method),
        need(a.clientId, "DATAVERSE_CLIENT_ID", method),
        { certificatePath: need(a.certificatePath, "DATAVERSE_CLIENT_CERTIFICATE_PATH", method) },
        common,
      );
    case "client-secret":
      return new ClientSecretCredential(
        need(a.tenantId, "DATAVERSE_TENANT_ID", method),
        need(a.clientId, "DATAVERSE_CLIENT_ID", method),
        need(a.clientSecret, "DATAVERSE_CLIENT_SECRET", method),
        common,
      );
  }
}

/** The methods `auto` chains, in order of preference; a client secret is the last resort. */
export function autoMethods(a: IdentityAuth): Exclude<IdentityAuth["method"], "auto">[] {
  const app = Boolean(a.tenantId && a.clientId);
  return [
    ...(app && a.federatedTokenFile ? ["workload-identity" as const] : []),
    ...(app && a.certificatePath ? ["certificate" as const] : []),
    "managed-identity" as const,
    ...(app && a.clientSecret ? ["client-secret" as const] : []),
  ];
}

/** The service's credential: the configured method, or the `auto` chain. */
export function serviceCredential(a: IdentityAuth): TokenCredential {
  if (a.method !== "auto") return credentialFor(a, a.method);
  const methods = autoMethods(a);
  return methods.length === 1
    ? credentialFor(a, methods[0])
    : new ChainedTokenCredential(...methods.map((m) => credentialFor(a, m)));
}

/** The service's TokenProvider for an environment URL. */
export function serviceTokens(auth: ServiceAuth, dataverseUrl: string): TokenProvider {
  if (auth.kind === "token") return new StaticToken(auth.token);
  const method = auth.method === "auto" ? `auto (${autoMethods(auth).join(", ")})` : auth.method;
  return new CredentialToken(serviceCredential(auth), dataverseScope(dataverseUrl), Date.now, {
    method,
    secrets: [auth.clientSecret ?? ""],
  });
}

/**
 * The CLI on a developer's machine: a fixed token when given (--token / DATAVERSE_TOKEN), otherwise the developer's
 * existing sign-in, Azure CLI (`az login`) first, then the VS Code Azure account.
 */
export function developerTokens(url: string, token: string | undefined): TokenProvider {
  if (token) return new StaticToken(token);
  return new CredentialToken(
    new ChainedTokenCredential(new AzureCliCredential(), new VisualStudioCodeCredential()),
    dataverseScope(url),
  );
}

function flag(value: string | undefined, setting: string): boolean {
  if (value === undefined || value === "false") return false;
  if (value === "true") return true;
  throw new AuthConfigError(`${setting}: must be true or false`);
}

const METHODS = ["auto", "managed-identity", "workload-identity", "certificate", "client-secret", "token"] as const;

/**
 * The sign-in settings of the service and the timer (one reading for both). DATAVERSE_AUTH picks a method; unset, a
 * DATAVERSE_TOKEN alone means that fixed token (local Dataverse, tests), anything else the `auto` chain. The standard
 * AZURE_* variables that Azure sets for workload identity are read when the DATAVERSE_* ones are not set.
 */
export function authFromEnv(env: NodeJS.ProcessEnv): ServiceAuth {
  const v = (name: string): string | undefined => env[name]?.trim() || undefined;
  const method = v("DATAVERSE_AUTH");
  if (method !== undefined && !(METHODS as readonly string[]).includes(method)) {
    throw new AuthConfigError(`DATAVERSE_AUTH: must be one of ${METHODS.join(", ")}`);
  }
  const identity: IdentityAuth = {
    kind: "identity",
    method: "auto",
    tenantId: v("DATAVERSE_TENANT_ID") ?? v("AZURE_TENANT_ID"),
    clientId: v("DATAVERSE_CLIENT_ID") ?? v("AZURE_CLIENT_ID"),
    managedIdentityClientId: v("DATAVERSE_MANAGED_IDENTITY_CLIENT_ID"),
    clientSecret: v("DATAVERSE_CLIENT_SECRET"),
    certificatePath: v("DATAVERSE_CLIENT_CERTIFICATE_PATH"),
    federatedTokenFile: v("AZURE_FEDERATED_TOKEN_FILE"),
    authorityHost: (v("DATAVERSE_AUTHORITY_HOST") ?? v("AZURE_AUTHORITY_HOST"))?.replace(/\/+$/, ""),
    ...(flag(v("DATAVERSE_DISABLE_INSTANCE_DISCOVERY"), "DATAVERSE_DISABLE_INSTANCE_DISCOVERY")
      ? { disableInstanceDiscovery: true }
      : {}),
  };
  const token = v("DATAVERSE_TOKEN");
  if (method === "token" || (method === undefined && token && !identity.clientSecret && !identity.certificatePath)) {
    if (!token) throw new AuthConfigError("DATAVERSE_TOKEN: is required for DATAVERSE_AUTH=token");
    return { kind: "token", token };
  }
  const chosen = { ...identity, method: (method ?? "auto") as IdentityAuth["method"] };
  serviceCredential(chosen); // fails now, naming the missing setting, rather than at the first save
  return chosen;
}

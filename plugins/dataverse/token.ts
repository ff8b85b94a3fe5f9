/**
 * Bearer tokens for the Web API: a fixed one (the sandbox) or client credentials against Microsoft Entra ID,
 * refreshed ahead of expiry and fetched once for concurrent callers.
 * https://learn.microsoft.com/power-apps/developer/data-platform/authenticate-oauth#use-client-credentials
 */
export interface TokenProvider {
  get(): Promise<string>;
  /** The service rejected the token (401): drop it so the next get() fetches a new one. */
  invalidate(): void;
}

export class StaticToken implements TokenProvider {
  constructor(private readonly token: string) {}
  get(): Promise<string> {
    return Promise.resolve(this.token);
  }
  invalidate(): void {
    // nothing to refresh: a fixed token is what it is
  }
}

export interface ClientCredentials {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The environment URL; the scope is `<url>/.default`. */
  resource: string;
}

/** Refresh this long before expiry, so a token never runs out mid-request. */
const REFRESH_MARGIN_MS = 5 * 60_000;

export class ClientCredentialsToken implements TokenProvider {
  private token: { value: string; expiresAt: number } | null = null;
  private pending: Promise<string> | null = null;

  constructor(
    private readonly cred: ClientCredentials,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<string> {
    if (this.token && this.token.expiresAt - REFRESH_MARGIN_MS > this.now()) return Promise.resolve(this.token.value);
    this.pending ??= this.fetchToken().finally(() => (this.pending = null));
    return this.pending;
  }

  invalidate(): void {
    this.token = null;
  }

  private async fetchToken(): Promise<string> {
    const { authorityHost, tenantId, clientId, clientSecret, resource } = this.cred;
    const url = `${authorityHost}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
      scope: `${resource.replace(/\/+$/, "")}/.default`,
    });
    const res = await fetch(url, {
      method: "POST",
      body,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    const text = await res.text();
    let json: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {};
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      // reported below without echoing the body, which could hold anything
    }
    if (!res.ok || typeof json.access_token !== "string") {
      const why = typeof json.error === "string" ? json.error : `HTTP ${res.status}`;
      throw new Error(`token request for client ${clientId} in tenant ${tenantId} failed: ${why}`);
    }
    const seconds = Number(json.expires_in);
    this.token = {
      value: json.access_token,
      expiresAt: this.now() + (Number.isFinite(seconds) ? seconds : 3600) * 1000,
    };
    return this.token.value;
  }
}

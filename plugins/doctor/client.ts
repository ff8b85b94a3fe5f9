import type { TokenProvider } from "../dataverse/token";

/** Read-only Web API calls for `tiering doctor`: GET only, with the last response's service protection headers kept. */
export class DoctorClient {
  /** The x-ms-ratelimit-* headers of the latest Web API answer. */
  lastLimits: Record<string, string> = {};
  requests = 0;

  constructor(
    /** The environment's origin, e.g. https://contoso.crm.dynamics.com */
    readonly origin: string,
    private readonly tokens: TokenProvider,
    private readonly timeoutMs = 30_000,
  ) {}

  /** GET `api/data/v9.2/<path>`; a non-2xx answer throws DoctorHttpError with Dataverse's message. */
  async get<T = Record<string, unknown>>(path: string): Promise<T> {
    const url = `${this.origin}/api/data/v9.2/${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        headers: {
          Authorization: `Bearer ${await this.tokens.get()}`,
          Accept: "application/json",
          "OData-MaxVersion": "4.0",
          "OData-Version": "4.0",
          // Choice labels, for messages.
          Prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"',
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause;
      throw new DoctorHttpError(0, `cannot reach ${this.origin}: ${cause?.code ?? (e as Error).message}`);
    }
    this.requests++;
    const limits: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      if (k.startsWith("x-ms-ratelimit-")) limits[k] = v;
    });
    if (Object.keys(limits).length > 0) this.lastLimits = limits;
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // reported below by status
    }
    if (!res.ok) {
      const message = (body as { error?: { message?: string } } | null)?.error?.message;
      throw new DoctorHttpError(
        res.status,
        `GET ${path.split("?")[0]}: HTTP ${res.status}${message ? `: ${message}` : ""}`,
      );
    }
    return body as T;
  }

  async list<T = Record<string, unknown>>(path: string): Promise<T[]> {
    return (await this.get<{ value?: T[] }>(path)).value ?? [];
  }
}

export class DoctorHttpError extends Error {
  override name = "DoctorHttpError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const q = (s: string): string => encodeURIComponent(s);
/** An OData string literal. */
export const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * Bearer tokens for the Web API: a fixed one (the local Dataverse, --token) or one from @azure/identity
 * (credential.ts), refreshed ahead of expiry and fetched once for concurrent callers.
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

/**
 * The service protection headers Dataverse puts on every Web API response: requests and combined execution time left
 * in the 5-minute sliding window (6,000 requests, 1,200,000 ms by default). The local Dataverse counts and reports them;
 * it does not throttle on them (its faults option produces 429s).
 * https://learn.microsoft.com/power-apps/developer/data-platform/api-limits
 */
export const BURST_REMAINING = "x-ms-ratelimit-burst-remaining-xrm-requests";
export const TIME_REMAINING = "x-ms-ratelimit-time-remaining-xrm-requests";

export interface ServiceProtectionOptions {
  requests?: number;
  executionMs?: number;
  windowMs?: number;
}

export class ServiceProtection {
  private readonly seen: { at: number; ms: number }[] = [];
  private readonly requests: number;
  private readonly executionMs: number;
  private readonly windowMs: number;

  constructor(
    opts: ServiceProtectionOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.requests = opts.requests ?? 6000;
    this.executionMs = opts.executionMs ?? 1_200_000;
    this.windowMs = opts.windowMs ?? 300_000;
  }

  /** Records one request that took `ms` and returns the headers for its response. */
  record(ms: number): Record<string, string> {
    const t = this.now();
    this.seen.push({ at: t, ms });
    while (this.seen.length > 0 && this.seen[0].at <= t - this.windowMs) this.seen.shift();
    const spent = this.seen.reduce((sum, s) => sum + s.ms, 0);
    return {
      [BURST_REMAINING]: String(Math.max(0, this.requests - this.seen.length)),
      [TIME_REMAINING]: Math.max(0, this.executionMs - spent).toFixed(2),
    };
  }
}

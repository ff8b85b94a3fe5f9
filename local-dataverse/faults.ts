/**
 * Fault knobs for reliability tests: added latency, and a share of requests answered with Dataverse's
 * service-protection 429 (with Retry-After) or a 503. Seeded, the sequence of faults is reproducible.
 * https://learn.microsoft.com/power-apps/developer/data-platform/api-limits#retry-operations
 */
import { DataverseError, CODES } from "./errors";

export interface FaultOptions {
  latencyMs: number;
  rate429: number;
  rate503: number;
  /** Seed of the fault sequence; without one, Math.random decides. */
  seed?: number;
  retryAfterSeconds: number;
}

/** mulberry32: a tiny seeded PRNG, enough to make fault injection repeatable. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  private readonly random: () => number;
  constructor(readonly opts: FaultOptions) {
    this.random = opts.seed === undefined ? Math.random : mulberry32(opts.seed);
  }

  /** The injected failure for the next request, if any. */
  next(): DataverseError | undefined {
    const r = this.random();
    if (r < this.opts.rate429) {
      return new DataverseError(
        429,
        CODES.throttled,
        "Number of requests exceeded the limit of 6000 over time window of 300 seconds.",
        {
          "Retry-After": String(this.opts.retryAfterSeconds),
        },
      );
    }
    if (r < this.opts.rate429 + this.opts.rate503) {
      return new DataverseError(
        503,
        CODES.unavailable,
        "The service is temporarily unavailable (sandbox fault injection).",
      );
    }
    return undefined;
  }
}

function rate(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`${name} must be a rate between 0 and 1, got '${text}'.`);
  return n;
}

function nonNegativeInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number ≥ 0, got '${text}'.`);
  return n;
}

/** SANDBOX_LATENCY_MS, SANDBOX_FAULT_429, SANDBOX_FAULT_503, SANDBOX_FAULT_SEED. */
export function faultsFromEnv(env: NodeJS.ProcessEnv): Partial<FaultOptions> {
  return {
    latencyMs: nonNegativeInt("SANDBOX_LATENCY_MS", env.SANDBOX_LATENCY_MS),
    rate429: rate("SANDBOX_FAULT_429", env.SANDBOX_FAULT_429),
    rate503: rate("SANDBOX_FAULT_503", env.SANDBOX_FAULT_503),
    seed: nonNegativeInt("SANDBOX_FAULT_SEED", env.SANDBOX_FAULT_SEED),
  };
}

import { DEFAULT_POLICY_SET, type PolicySet } from "../../src/engine";
import type { DataverseGateway } from "../dataverse/gateway";
import type { Logger } from "../log";
import { PolicyError, readPolicies, touchPolicies } from "../programme/policies";

/** How long a save reuses the policies it read; a policy save through the webhook drops them at once. */
export const POLICY_TTL_MS = 60_000;

/**
 * The touch pattern per tier for the on-save path, read from the active `ct_tierpolicy` rows at most once a minute
 * (a save must not cost a policy read each time). The policy step's event invalidates it, and the policy save itself
 * rewrites the tier's accounts, so an edit reaches every account at once.
 */
export class PolicyCache {
  private cached: { at: number; set: PolicySet } | null = null;
  private pending: Promise<PolicySet> | null = null;

  constructor(
    private readonly gateway: DataverseGateway,
    private readonly clock: () => number = Date.now,
  ) {}

  get(log: Logger): Promise<PolicySet> {
    if (this.cached && this.clock() - this.cached.at < POLICY_TTL_MS) return Promise.resolve(this.cached.set);
    this.pending ??= this.load(log).finally(() => (this.pending = null));
    return this.pending;
  }

  invalidate(): void {
    this.cached = null;
  }

  private async load(log: Logger): Promise<PolicySet> {
    let set: PolicySet;
    try {
      set = touchPolicies(await readPolicies(this.gateway));
    } catch (e) {
      // A policy sales ops mistyped must not stop tiers being kept: the defaults apply until it is fixed.
      if (!(e instanceof PolicyError)) throw e;
      log.error({ err: e.message }, "tier policy unusable: the default touch pattern applies");
      set = DEFAULT_POLICY_SET;
    }
    this.cached = { at: this.clock(), set };
    return set;
  }
}

/**
 * `tiering doctor`: a read-only preflight of an environment after import and after every upgrade (docs/deploy.md).
 * The checks run in order; one whose prerequisite failed is skipped, and a check that cannot read what it needs
 * fails with Dataverse's message.
 */
import type { TokenProvider } from "../dataverse/token";
import {
  checkApiLimits,
  checkConnection,
  checkEndpoint,
  checkFieldSecurity,
  checkModel,
  checkPolicies,
  checkPrivileges,
  checkRerank,
  checkRoles,
  checkSolution,
  checkSteps,
  checkUser,
  checkWebhook,
  skipped,
  type CheckResult,
  type DoctorContext,
  type Expectations,
} from "./checks";
import { DoctorClient } from "./client";

export type { CheckResult, Expectations, Status } from "./checks";

export interface DoctorOptions {
  /** The environment URL (its origin is used). */
  url: string;
  tokens: TokenProvider;
  expect: Expectations;
  appId?: string;
  key?: string;
  now?: number;
}

const STEPS: [string, string, (c: DoctorContext) => Promise<CheckResult> | CheckResult][] = [
  ["solution", "Solution version", checkSolution],
  ["endpoint", "Service endpoint", checkEndpoint],
  ["steps", "Webhook steps", checkSteps],
  ["user", "Application user", checkUser],
  ["roles", "Security role", checkRoles],
  ["privileges", "Privileges", checkPrivileges],
  ["field-security", "Field security", checkFieldSecurity],
  ["model", "Tier model", checkModel],
  ["policies", "Tier policies", checkPolicies],
  ["rerank", "Last re-rank", checkRerank],
  ["webhook", "Webhook", checkWebhook],
  ["api-limits", "API limits left", checkApiLimits],
];

export async function runDoctor(o: DoctorOptions): Promise<CheckResult[]> {
  const client = new DoctorClient(new URL(o.url).origin, o.tokens);
  const c: DoctorContext = {
    client,
    expect: o.expect,
    appId: o.appId,
    key: o.key,
    now: o.now ?? Date.now(),
    state: {},
  };
  const connection = await checkConnection(c);
  if (connection.status === "fail")
    return [connection, ...STEPS.map(([id, title]) => skipped(id, title, "not signed in"))];
  const results = [connection];
  for (const [id, title, check] of STEPS) {
    try {
      results.push(await check(c));
    } catch (e) {
      results.push({
        id,
        title,
        status: "fail",
        detail: (e as Error).message,
        fix: "the signed-in user needs read access to this table (System Administrator or System Customizer)",
      });
    }
  }
  return results;
}

export const failed = (results: readonly CheckResult[]): boolean => results.some((r) => r.status === "fail");

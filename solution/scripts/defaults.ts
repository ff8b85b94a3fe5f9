import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { CHANNEL_OPTIONS, TIER_OPTIONS, type Channel, type TierCode } from "../../src/engine/choices";
import { repoRoot } from "./source-dir";

/** The default ct_tiermodel row and the four ct_tierpolicy rows the service creates on first run (docs/tier-model.md). */
export interface DefaultPolicy {
  name: string;
  tier: TierCode;
  cadenceDays: number;
  channel: Channel;
  graceDays: number;
  touchDormant: boolean;
  servicePrivileges: string;
  responseTimeHours: number;
}
export interface Defaults {
  model: { name: string; json: unknown };
  policies: DefaultPolicy[];
}

const tierCode = z.enum(Object.keys(TIER_OPTIONS) as [TierCode, ...TierCode[]]);
const channel = z.enum(Object.keys(CHANNEL_OPTIONS) as [Channel, ...Channel[]]);
const schema = z.strictObject({
  model: z.strictObject({ name: z.string().min(1).max(200), json: z.record(z.string(), z.unknown()) }),
  policies: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(200),
        tier: tierCode,
        cadenceDays: z.number().int().min(1).max(3650),
        channel,
        graceDays: z.number().int().min(0).max(3650),
        touchDormant: z.boolean(),
        servicePrivileges: z.string().max(4000),
        responseTimeHours: z.number().int().min(1).max(8760),
      }),
    )
    .refine((list) => new Set(list.map((p) => p.tier)).size === list.length, "one policy per tier"),
});

export function defaultsFile(): string {
  return join(repoRoot(), "solution", "data", "defaults.json");
}

/**
 * Reads solution/data/defaults.json, failing with the file and the JSON path of the first bad value.
 * The model JSON is only shape-checked here; the engine's parseModel validates its content.
 */
export function readDefaults(file: string = defaultsFile()): Defaults {
  const parsed = schema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return parsed.data;
}

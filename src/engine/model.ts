import { z } from "zod";
import { KPI_NAMES, type KpiName } from "./explanation-types";

/** A tier of the resolved model: scoring and cut-offs only (the touch pattern lives in the tier policy). */
export interface TierSpec {
  code: string;
  share?: number;
  revenueShare?: number;
  minScore?: number;
}

export type RankMethod = "percentile" | "pareto" | "thresholds";

/** Tier model v1 of docs/tier-model.md with defaults applied. */
export interface TierModel {
  windowMonths: number;
  method: RankMethod;
  weights: Record<KpiName, number>;
  tiers: TierSpec[];
  hysteresis: { demotionMargin: number; minDaysInTier: number };
  trend: { dropRatio: number; riseRatio: number; minAbsoluteChange: number; baselineQuarters: number };
  invoiceStates: number[];
}

const DEFAULT_TIERS: readonly TierSpec[] = [
  { code: "AAA", share: 0.1, revenueShare: 0.5, minScore: 85 },
  { code: "A", share: 0.2, revenueShare: 0.3, minScore: 60 },
  { code: "B", share: 0.3, revenueShare: 0.15, minScore: 30 },
  { code: "C" },
];

export const DEFAULT_MODEL: TierModel = {
  windowMonths: 12,
  method: "percentile",
  weights: { monetary: 0.45, frequency: 0.2, recency: 0.15, pipeline: 0.1, won: 0.1 },
  tiers: DEFAULT_TIERS.map((t) => ({ ...t })),
  hysteresis: { demotionMargin: 5, minDaysInTier: 90 },
  trend: { dropRatio: 0.3, riseRatio: 0.3, minAbsoluteChange: 1000, baselineQuarters: 4 },
  invoiceStates: [0, 2],
};

/** A model that cannot be used: `field` is the JSON path of the offending value, e.g. `tiers[1].share`. */
export class ModelError extends Error {
  override name = "ModelError";
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`invalid tier model: ${field}: ${reason}`);
  }
}

const share = z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1");
const tierInput = z.strictObject({
  code: z.string().trim().min(1, "must be a non-empty text"),
  share: share.optional(),
  revenueShare: share.optional(),
  minScore: z.number().min(0, "must be between 0 and 100").max(100, "must be between 0 and 100").optional(),
  // Accepted by the schema only to say where they went (see MOVED_TO_POLICY).
  cadenceDays: z.unknown().optional(),
  channel: z.unknown().optional(),
});

/** Fields that moved from the model's tiers to the tier policy rows (docs/touch-pattern.md). */
const MOVED_TO_POLICY = { cadenceDays: "ct_cadencedays", channel: "ct_touchchannel" } as const;
const weight = z.number().min(0, "must not be negative");
const modelInput = z.strictObject({
  $schema: z.string().optional(),
  windowMonths: z
    .number()
    .int("must be a whole number of months")
    .min(1, "must be at least 1")
    .max(120, "must be at most 120")
    .optional(),
  method: z.enum(["percentile", "pareto", "thresholds"]).optional(),
  weights: z
    .strictObject(
      Object.fromEntries(KPI_NAMES.map((k) => [k, weight.optional()])) as Record<KpiName, z.ZodOptional<typeof weight>>,
    )
    .optional(),
  tiers: z.array(tierInput).optional(),
  hysteresis: z
    .strictObject({
      demotionMargin: z.number().min(0, "must not be negative").optional(),
      minDaysInTier: z.number().min(0, "must not be negative").optional(),
    })
    .optional(),
  trend: z
    .strictObject({
      dropRatio: z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1").optional(),
      riseRatio: z.number().min(0, "must not be negative").optional(),
      minAbsoluteChange: z.number().min(0, "must not be negative").optional(),
      baselineQuarters: z
        .number()
        .int("must be a whole number")
        .min(1, "must be at least 1")
        .max(40, "must be at most 40")
        .optional(),
    })
    .optional(),
  invoiceStates: z
    .array(z.number().int("must be whole numbers").min(0, "must not be negative"))
    .min(1, "must name at least one state")
    .optional(),
});

function pathOf(path: readonly PropertyKey[]): string {
  return (
    path.reduce<string>(
      (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
      "",
    ) || "(model)"
  );
}

/** Cumulative shares may sum to 1 but not above it; allow for binary rounding (0.1 + 0.2 + 0.3 + 0.4). */
const SHARE_EPSILON = 1e-9;

/**
 * Parses and validates model JSON (docs/tier-model.md). Objects merge over the defaults field by field; arrays
 * (`tiers`, `invoiceStates`) replace them, and a tier whose code is a default one takes that tier's missing fields.
 */
export function parseModel(json: unknown): TierModel {
  const parsed = modelInput.safeParse(json ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const reason =
      issue.code === "unrecognized_keys"
        ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`
        : issue.message;
    throw new ModelError(pathOf(issue.path), reason);
  }
  const input = parsed.data;
  input.tiers?.forEach((t, i) => {
    for (const [field, column] of Object.entries(MOVED_TO_POLICY)) {
      if (t[field as keyof typeof MOVED_TO_POLICY] !== undefined)
        throw new ModelError(
          `tiers[${i}].${field}`,
          `the touch pattern moved to the tier policy: set ${column} on the ct_tierpolicy row of tier ${t.code} and remove ${field} from the model`,
        );
    }
  });
  const method = input.method ?? DEFAULT_MODEL.method;
  const weights = { ...DEFAULT_MODEL.weights, ...stripUndefined(input.weights ?? {}) } as Record<KpiName, number>;
  if (KPI_NAMES.every((k) => weights[k] === 0)) throw new ModelError("weights", "at least one weight must be above 0");

  const tiers: TierSpec[] = (input.tiers ?? DEFAULT_TIERS).map((t) => {
    const base = DEFAULT_TIERS.find((d) => d.code === t.code);
    const { code, share, revenueShare, minScore } = t;
    return { ...base, ...stripUndefined({ code, share, revenueShare, minScore }) } as TierSpec;
  });
  if (tiers.length < 2) throw new ModelError("tiers", "a model needs at least two tiers");
  const seen = new Set<string>();
  tiers.forEach((t, i) => {
    if (seen.has(t.code)) throw new ModelError(`tiers[${i}].code`, `duplicate tier code "${t.code}"`);
    seen.add(t.code);
  });
  for (const key of ["share", "revenueShare"] as const) {
    const total = tiers.reduce((sum, t) => sum + (t[key] ?? 0), 0);
    if (total > 1 + SHARE_EPSILON) throw new ModelError(`tiers[].${key}`, `shares sum to ${round(total, 9)}, above 1`);
  }
  const needed = method === "percentile" ? "share" : method === "pareto" ? "revenueShare" : "minScore";
  tiers.slice(0, -1).forEach((t, i) => {
    if (t[needed] === undefined)
      throw new ModelError(`tiers[${i}].${needed}`, `required by method "${method}" for every tier but the last`);
  });

  return {
    windowMonths: input.windowMonths ?? DEFAULT_MODEL.windowMonths,
    method,
    weights,
    tiers,
    hysteresis: { ...DEFAULT_MODEL.hysteresis, ...stripUndefined(input.hysteresis ?? {}) },
    trend: { ...DEFAULT_MODEL.trend, ...stripUndefined(input.trend ?? {}) },
    invoiceStates: input.invoiceStates ?? [...DEFAULT_MODEL.invoiceStates],
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Index of a tier code in the model (0 = best), or -1. */
export function tierRank(model: TierModel, code: string | null | undefined): number {
  return code == null ? -1 : model.tiers.findIndex((t) => t.code === code);
}

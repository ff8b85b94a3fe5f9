/** The tier engine (docs/tier-model.md): pure TypeScript, no I/O. The plugin, the CLI and the control import from here. */
export * from "./choices";
export * from "./explanation-types";
export {
  DEFAULT_MODEL,
  ModelError,
  parseModel,
  tierRank,
  type RankMethod,
  type TierModel,
  type TierSpec,
} from "./model";
export { DAY_MS, addMonths, isoDate, isoInstant, parseInstant, quarterStart } from "./dates";
export type { AccountRow, ActivityRow, EngineInput, InvoiceRow, OpportunityRow } from "./input-types";
export { FactsBuilder, computeFacts, factsAt, type AccountFacts, type FactsTable } from "./facts";
export { PartialFacts, type PartialFactsData } from "./partial-facts";
export { windowFor, type Window } from "./window";
export { recencyDays } from "./kpis";
export { rankFacts, type RankResult, type RankTable } from "./rank";
export { outcomeAt, rankPopulation } from "./population";
export { scoreAccount } from "./score-one";
export { settle, type AccountOutcome } from "./outcome";
export { activeOverride, decideStoredTier, type StoredDecision, type StoredState } from "./stored-tier";
export { overTouchSince, touchCadence, type Cadence, type TouchState } from "./cadence";
export {
  DEFAULT_GRACE_DAYS,
  DEFAULT_POLICIES,
  DEFAULT_POLICY_SET,
  PolicyValueError,
  policyFor,
  policySet,
  touchPolicy,
  type PolicySet,
  type TouchPolicy,
} from "./policy";
export { computeTrend, type TrendResult } from "./trend";
export type { CutPoint } from "./tiering";
export type { QuantileTable } from "./quantiles";
export { RankTableError, rankTableFromColumns, rankTableToColumns, type RankTableColumns } from "./rank-table-columns";
export { round2, round6 } from "./numbers";
export { tierDistribution, type TierShareRow } from "./distribution";
export {
  PREVIEW_SAMPLE_ROWS,
  buildPreviewSample,
  parsePreviewSample,
  previewModel,
  type ModelPreview,
  type PreviewSample,
  type PreviewTierRow,
} from "./preview";
export { INVALID_MODEL_MEANWHILE, invalidModelCause, invalidModelStatus, validModelStatus } from "./model-status";

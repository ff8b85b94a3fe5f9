/** The quarterly review report (issue 9): numbers from the engine's batch, rendered as one self-contained HTML file. */
import { rankPopulation } from "../engine/population";
import type { EngineInput } from "../engine/input-types";
import type { TierModel } from "../engine/model";
import type { RankResult } from "../engine/rank";
import { buildReport, type BuildOptions } from "./build";
import { renderReportHtml } from "./html";

export { buildReport, movementMatrix, paretoCurve, type BuildOptions } from "./build";
export { renderReportHtml } from "./html";
export { readPreviousTiers } from "./previous";
export { GONE_LABEL, NEW_LABEL, type ReportData } from "./model";

/** One call for callers holding a ranked population (the CLI): the report's HTML. */
export function reportHtml(ranked: RankResult, options: BuildOptions = {}): string {
  return renderReportHtml(buildReport(ranked, options));
}

/**
 * The report for rows already in memory (the sandbox's store behind the demo page): AccountRow.name, ct_tier,
 * ct_tierchangedon and ct_lasttouchon feed the account lists and the overdue-touch section.
 */
export function reportHtmlFromRows(
  input: EngineInput,
  model: TierModel,
  asOf: number,
  options: BuildOptions = {},
): string {
  return reportHtml(rankPopulation(input, model, asOf), options);
}

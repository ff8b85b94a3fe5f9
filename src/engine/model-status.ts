/**
 * The status line of the tier model row (ct_modelstatus, 2,000 characters): written by the service, read by sales
 * ops on the model form and by the badge, which shows the cause of an invalid model. One format for both sides.
 */
const INVALID = "Invalid: ";
const MAX = 2000;

/** What happens while the model JSON is invalid, by who noticed it. */
export const INVALID_MODEL_MEANWHILE = {
  save: "Saves score with the model of the last re-rank until it is fixed.",
  rerank: "The re-rank did not run; every tier stays as it is.",
} as const;

export function invalidModelStatus(cause: string, by: keyof typeof INVALID_MODEL_MEANWHILE): string {
  const meanwhile = ` ${INVALID_MODEL_MEANWHILE[by]}`;
  const room = MAX - INVALID.length - meanwhile.length - 1;
  const shown = cause.length <= room ? cause : `${cause.slice(0, room - 1)}…`;
  return `${INVALID}${shown}.${meanwhile}`;
}

export function validModelStatus(accounts: number, on: string): string {
  return `Valid. Re-ranked ${accounts} accounts with this model on ${on}.`;
}

/**
 * The cause of an invalid model, without the row id and the "invalid tier model" preamble (the reader knows which
 * row), e.g. "(model): unknown field weigths"; null for any other status.
 */
export function invalidModelCause(status: unknown): string | null {
  if (typeof status !== "string" || !status.startsWith(INVALID)) return null;
  let cause = status.slice(INVALID.length);
  for (const meanwhile of Object.values(INVALID_MODEL_MEANWHILE))
    if (cause.endsWith(`. ${meanwhile}`)) cause = cause.slice(0, -(meanwhile.length + 2));
  return cause.replace(/^ct_tiermodel \S+: /, "").replace(/^invalid tier model: /, "");
}

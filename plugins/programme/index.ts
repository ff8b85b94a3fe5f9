/** The tier programme (issue 9): service reps for tiers whose policy names a rep team, and their follow-up tasks. */
export { applyProgrammeBulk, type BulkProgrammeSummary, type BulkTierChange } from "./bulk";
export { PROGRAMME_ACCOUNT_COLUMNS, TierProgramme, type ProgrammeAction, type TierChange } from "./programme";
export { readPolicies, PolicyError, type TierPolicy } from "./policies";
export { pickRep, repLoads, teamMembers, type Rep } from "./reps";

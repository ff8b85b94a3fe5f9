/**
 * The solution's SDK message processing step registrations, read from solution/ (never restated
 * here) so the sandbox emits exactly what a real environment with the solution imported would.
 */
import {
  readServiceEndpointNames,
  readStepRegistrations,
  type StepImage,
  type StepRegistration,
} from "../solution/scripts/steps";
import { defaultSolutionSrcDir } from "../solution/scripts/source-dir";

export type { StepImage, StepRegistration };

/** The solution's steps, or the reason they could not be read (the sandbox still starts, without webhooks). */
export function loadSolutionSteps(): { steps?: StepRegistration[]; error?: string } {
  try {
    return { steps: readStepRegistrations() };
  } catch (e) {
    return { error: `solution step registrations could not be read: ${(e as Error).message.split("\n")[0]}` };
  }
}

/** Service endpoints the solution defines: id → name. */
export function loadSolutionEndpoints(): Map<string, string> {
  try {
    return readServiceEndpointNames(defaultSolutionSrcDir());
  } catch {
    return new Map();
  }
}

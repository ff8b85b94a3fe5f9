import type { IInputs as Generated, IOutputs as GeneratedOutputs } from "./generated/ManifestTypes";

/**
 * The editor's properties from the types pcf-scripts generates. Its generator carries properties over from one control
 * to the next in a build (pcf-scripts 1.51), so this folder's file also lists TierBadge's: pick ours. (A separate
 * module: pcf-scripts refuses a control index.ts with more than one export.)
 */
export type IInputs = Pick<Generated, "model" | "previewSample">;
export type IOutputs = Pick<GeneratedOutputs, "model">;

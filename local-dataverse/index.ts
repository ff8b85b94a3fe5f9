/** Public surface of the sandbox for tests, `npm start` and the CLI. */
export { startSandbox, SANDBOX_IDENTITY, userTokens, type Sandbox, type SandboxOptions } from "./server";
export { USERS, type User } from "./security";
export { LOCAL_SERVICE_APP_ID } from "./admin-seed";
export { Store, type Row, type Value, type LookupValue, type ChangeEvent } from "./store";
export { Metadata } from "./metadata";
export { loadExportFolder, loadState, saveState } from "./data-io";
export { buildContext, type Delivery } from "./webhooks";
export { registeredSteps } from "./steps";
export type { StepRegistration, StepImage } from "./steps";
export { DataverseError } from "./errors";

export { SAMPLE_FILES, type SampleFile } from "./columns";
export { DEFAULT_SAMPLE_MONTHS, generateSample, periodStart, type SampleOptions, type SampleResult } from "./generate";

export { SAMPLE_FILES, type SampleFile } from "./columns";
export { generateSample, periodStart, type SampleOptions, type SampleResult } from "./generate";

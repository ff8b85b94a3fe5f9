/**
 * `npm run test:fast`: the engine, CLI, control, plugin, solution and local Dataverse suites, without the slow
 * ones (browsers, pcf-start, end-to-end stacks, fuzzing, fault and load runs, kill-and-resume, big samples).
 * CI runs the full `npm test`.
 */
const base = require("./jest.config");

const SLOW = [
  "<rootDir>/test/browser/",
  "<rootDir>/test/e2e/",
  "<rootDir>/test/reliability/",
  "<rootDir>/test/bench/",
  "<rootDir>/test/cli/rank-cdnow.test.ts",
  "<rootDir>/test/engine/on-save.test.ts",
  "<rootDir>/test/rerank/facts.test.ts",
  "<rootDir>/test/rerank/rerank.test.ts",
  "<rootDir>/test/solution/pack.test.ts",
  "<rootDir>/test/sample/generate.test.ts",
  "<rootDir>/test/report/report-browser.test.ts",
  "<rootDir>/test/export-reader/parallel-facts.test.ts",
];

module.exports = {
  ...base,
  projects: base.projects.map((p) => ({
    ...p,
    testPathIgnorePatterns: [...(p.testPathIgnorePatterns ?? []), ...SLOW],
  })),
};

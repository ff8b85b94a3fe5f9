/** Two projects: Node (engine, CLI, plugin, sandbox, solution) and jsdom (the control's components). */
const tsJest = ["ts-jest", { tsconfig: "tsconfig.test.json" }];
module.exports = {
  testTimeout: 60000,
  projects: [
    {
      displayName: "node",
      testEnvironment: "node",
      testMatch: ["<rootDir>/test/**/*.test.ts"],
      testPathIgnorePatterns: ["<rootDir>/test/control/"],
      transform: { "^.+\\.tsx?$": tsJest },
    },
    {
      displayName: "control",
      testEnvironment: "jsdom",
      testMatch: ["<rootDir>/test/control/**/*.test.ts?(x)"],
      transform: { "^.+\\.tsx?$": tsJest },
    },
  ],
};

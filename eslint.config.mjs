// Flat config as `pac pcf init` generates it, extended to the Node parts of the repository, plus the fences between
// the parts (docs/architecture.md): imports point down only. Each fence has a fixture in test/lint that it rejects.
import eslintjs from "@eslint/js";
import microsoftPowerApps from "@microsoft/eslint-plugin-power-apps";
import globals from "globals";
import tseslint from "typescript-eslint";

/** One `no-restricted-imports` rule from [globs, message] pairs. */
const fence = (...groups) => ({
  "no-restricted-imports": ["error", { patterns: groups.map(([group, message]) => ({ group, message })) }],
});

const HOSTS = ["**/cli/**", "**/cli", "**/demo/**", "**/demo"];
const DEV_ONLY = ["**/local-dataverse/**", "**/local-dataverse", "**/test/**", "**/bench/**"];

export default [
  {
    ignores: ["**/generated", "node_modules/", "dist/", "out/", "obj/", "solution/bin/", "test-output/", "bench/out/"],
  },
  eslintjs.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["src/control/**/*.{ts,tsx}", "src/model-editor/**/*.{ts,tsx}", "src/engine/**/*.ts"],
    plugins: { "@microsoft/power-apps": microsoftPowerApps },
    languageOptions: { globals: { ...globals.browser, ComponentFramework: true } },
    rules: { ...microsoftPowerApps.configs.paCheckerHosted.rules },
  },
  {
    // The controls' view code reads as plain steps (issue 14): no ternary inside a ternary.
    files: ["src/control/**/*.{ts,tsx}", "src/model-editor/**/*.{ts,tsx}"],
    rules: { "no-nested-ternary": "error" },
  },
  {
    // The engine runs in the browser (controls) and in Node: it imports nothing of ours and nothing platform-specific.
    files: ["src/engine/**/*.ts"],
    rules: {
      ...fence(
        [["node:*", "fs", "path", "react", "react-dom"], "The engine is pure: no I/O, no DOM."],
        [["../*", "../**"], "The engine imports nothing of ours outside src/engine."],
      ),
      "no-restricted-globals": ["error", "process", "window", "document", "Buffer", "require"],
    },
  },
  {
    // Production code never reaches into the development double, the tests, the benchmarks or the hosts above it.
    files: ["src/**/*.{ts,tsx}", "plugins/**/*.ts", "solution/scripts/**/*.ts"],
    ignores: ["src/engine/**", "src/control/**", "src/model-editor/**"],
    rules: fence([
      [...DEV_ONLY, ...HOSTS],
      "Production code does not import the local Dataverse, tests, benchmarks or the hosts (cli/, demo/).",
    ]),
  },
  {
    // The controls run in the browser inside a model-driven form: they import only the engine.
    files: ["src/control/**/*.{ts,tsx}", "src/model-editor/**/*.{ts,tsx}"],
    rules: fence(
      [["node:*"], "A PCF control runs in the browser."],
      [
        [
          "**/plugins/**",
          "**/plugins",
          "**/export-reader/**",
          "**/report/**",
          "**/sample/**",
          "**/solution/**",
          ...DEV_ONLY,
          ...HOSTS,
        ],
        "A control imports only the engine (src/engine).",
      ],
    ),
  },
  {
    // The local Dataverse stands in for Dataverse: it knows the solution, not the product that talks to it.
    files: ["local-dataverse/**/*.ts"],
    rules: fence([
      ["**/plugins/**", "**/plugins", "**/test/**", "**/bench/**", ...HOSTS],
      "The local Dataverse does not import the service, the hosts, tests or benchmarks.",
    ]),
  },
  {
    // The CLI is a host: it uses the service through its exported functions (plugins/index.ts) only, or the light
    // subset every command needs (plugins/text-safety.ts), so that `tiering rank` does not load the service.
    files: ["cli/**/*.ts"],
    rules: fence(
      [
        ["**/plugins/*/**", "**/plugins/*", "!**/plugins/index", "!**/plugins/text-safety"],
        "The CLI uses the service's exports (plugins/index.ts or plugins/text-safety.ts) only.",
      ],
      [
        [...DEV_ONLY, "**/demo/**", "**/demo"],
        "The CLI does not import the local Dataverse, the demo, tests or benchmarks.",
      ],
    ),
  },
  {
    files: ["bin/**/*.js", "bench/**/*.{js,mjs}", "*.js", "*.mjs", "scripts/**/*.{js,mjs}"],
    languageOptions: { globals: { ...globals.node } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: [
      "cli/**/*.ts",
      "demo/**/*.ts",
      "src/export-reader/**/*.ts",
      "src/report/**/*.ts",
      "src/sample/**/*.ts",
      "plugins/**/*.ts",
      "local-dataverse/**/*.ts",
      "solution/**/*.ts",
      "test/**/*.{ts,tsx}",
    ],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
];

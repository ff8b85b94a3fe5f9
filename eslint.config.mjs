// Flat config as `pac pcf init` generates it, extended to the Node parts of the repository.
import eslintjs from "@eslint/js";
import microsoftPowerApps from "@microsoft/eslint-plugin-power-apps";
import globals from "globals";
import tseslint from "typescript-eslint";

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
    // The engine runs in the browser (control) and in Node: nothing platform-specific may creep in.
    files: ["src/engine/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: ["node:*", "fs", "path", "react", "react-dom", "../*/**", "../cli/*", "../control/*"] },
      ],
      "no-restricted-globals": ["error", "process", "window", "document", "Buffer", "require"],
    },
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

import { spawnSync } from "node:child_process";
import path from "node:path";

/**
 * The fences between the parts (docs/architecture.md) are lint rules in eslint.config.mjs. Each fixture is a line of
 * code placed, by its file path, in the part it would break; the real config must reject it with its fence's message.
 */
const ROOT = path.join(__dirname, "..", "..");

/**
 * ESLint loads its flat config with a dynamic import, which jest's VM cannot run, so the fixtures are linted in one
 * plain Node child process with the real config; it answers each fixture's no-restricted-imports messages.
 */
function lintAll(fixtures: [file: string, code: string][]): string[][] {
  const script = `
    const { ESLint } = require("eslint");
    const path = require("node:path");
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = [];
      for (const [file, code] of JSON.parse(process.argv[1])) {
        const [r] = await eslint.lintText(code + "\\nexport const used = x;\\n", { filePath: path.join(process.cwd(), file) });
        out.push(r.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  const r = spawnSync(process.execPath, ["-e", script, JSON.stringify(fixtures)], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`eslint child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[][];
}

const REJECTED: [fence: string, file: string, code: string, message: RegExp][] = [
  [
    "engine imports nothing of ours",
    "src/engine/fixture.ts",
    `import { x } from "../export-reader/load";`,
    /engine imports nothing/,
  ],
  ["engine has no I/O", "src/engine/fixture.ts", `import { x } from "node:fs";`, /engine is pure/],
  [
    "control imports only the engine",
    "src/control/fixture.ts",
    `import { x } from "../../plugins";`,
    /only the engine/,
  ],
  [
    "control imports only the engine",
    "src/control/components/fixture.tsx",
    `import { x } from "../../report/svg";`,
    /only the engine/,
  ],
  [
    "model editor imports only the engine",
    "src/model-editor/components/fixture.tsx",
    `import { x } from "../../sample/generate";`,
    /only the engine/,
  ],
  [
    "service never imports the local Dataverse",
    "plugins/recalc/fixture.ts",
    `import { x } from "../../local-dataverse";`,
    /Production code/,
  ],
  ["service never imports tests", "plugins/fixture.ts", `import { x } from "../test/cli/run-cli";`, /Production code/],
  [
    "service never imports the hosts",
    "plugins/rerank/fixture.ts",
    `import { x } from "../../cli/args";`,
    /Production code/,
  ],
  [
    "reader never imports the bench",
    "src/export-reader/fixture.ts",
    `import { x } from "../../bench/lib/data";`,
    /Production code/,
  ],
  [
    "local Dataverse never imports the service",
    "local-dataverse/fixture.ts",
    `import { x } from "../plugins/log";`,
    /local Dataverse does not/,
  ],
  [
    "local Dataverse never imports the demo",
    "local-dataverse/fixture.ts",
    `import { x } from "../demo/stack";`,
    /local Dataverse does not/,
  ],
  [
    "CLI uses the service's exports only",
    "cli/commands/fixture.ts",
    `import { x } from "../../plugins/recalc/recalculate";`,
    /exports \(plugins\/index.ts or plugins\/text-safety.ts\) only/,
  ],
  [
    "CLI never imports the local Dataverse",
    "cli/fixture.ts",
    `import { x } from "../local-dataverse";`,
    /CLI does not import/,
  ],
];

const ALLOWED: [what: string, file: string, code: string][] = [
  ["engine modules import each other", "src/engine/fixture.ts", `import { x } from "./model";`],
  ["a control imports the engine", "src/control/fixture.ts", `import { x } from "../engine/choices";`],
  ["the CLI imports the service's index", "cli/commands/fixture.ts", `import { x } from "../../plugins";`],
  ["the demo host composes the local Dataverse", "demo/fixture.ts", `import { x } from "../local-dataverse";`],
];

describe("lint fences between the parts", () => {
  const results = lintAll([
    ...REJECTED.map(([, f, c]) => [f, c] as [string, string]),
    ...ALLOWED.map(([, f, c]) => [f, c] as [string, string]),
  ]);

  it.each(REJECTED.map((row, i) => [...row, i] as const))("%s: %s is rejected", (_fence, _file, _code, message, i) => {
    expect(results[i]).toEqual([expect.stringMatching(message)]);
  });

  it.each(ALLOWED.map((row, i) => [...row, REJECTED.length + i] as const))(
    "%s (%s) passes",
    (_what, _file, _code, i) => {
      expect(results[i]).toEqual([]);
    },
  );
});

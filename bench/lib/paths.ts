import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** The repository root, found from this file whether it runs compiled (bench/out/dist/…) or under ts-jest. */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "customer-tiering")
      return dir;
    if (path.dirname(dir) === dir) throw new Error(`no customer-tiering package.json above ${__dirname}`);
  }
}

/** Generated data and scratch output: bench/out/ is gitignored. */
export const benchOut = (...parts: string[]): string => path.join(repoRoot(), "bench", "out", ...parts);

import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * The repository root: the nearest folder above this file holding solution/src/Other/Solution.xml.
 * Walking up (rather than a fixed "../..") is what makes the same code work from solution/scripts
 * under ts-jest and from dist/solution/scripts once compiled.
 */
export function repoRoot(from: string = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, "solution", "src", "Other", "Solution.xml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No solution/src/Other/Solution.xml above ${from}`);
    dir = parent;
  }
}

/** solution/src: the unpacked solution source, in the layout `pac solution unpack` writes. */
export function defaultSolutionSrcDir(): string {
  return join(repoRoot(), "solution", "src");
}

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** The repository stands on its own: a short README whose links resolve, docs that link within, no file outside cited. */
const ROOT = path.join(__dirname, "..", "..");
const tracked = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).trim().split("\n");
const markdown = tracked.filter((f) => f.endsWith(".md") && !f.startsWith("node_modules/"));

/** Relative link targets of a markdown file (images too), without anchors; web links are not ours to check. */
function relativeLinks(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8").replace(/```[\s\S]*?```/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1].split("#")[0])
    .filter((target) => target !== "" && !/^[a-z]+:/i.test(target));
}

describe("a self-contained repository", () => {
  it("keeps the README a front door under 250 lines", () => {
    expect(readFileSync(path.join(ROOT, "README.md"), "utf8").split("\n").length).toBeLessThan(250);
  });

  it.each(markdown)("every relative link in %s resolves", (file) => {
    const broken = relativeLinks(file).filter((t) => !existsSync(path.join(ROOT, path.dirname(file), t)));
    expect(broken).toEqual([]);
  });

  it("cites no file outside the repository", () => {
    const outside = tracked.filter((f) => {
      if (f === "package-lock.json" || f.startsWith("test/docs/") || !existsSync(path.join(ROOT, f))) return false;
      const text = readFileSync(path.join(ROOT, f), "latin1");
      return /\.\.\/shared\b|\bdesign\.md\b|notes\/contracts\.md/.test(text);
    });
    expect(outside).toEqual([]);
  });
});

import { spawn } from "node:child_process";
import { join } from "node:path";
import { CDNOW, ROOT, tempDir, tiering } from "./run-cli";

// Issue 14: the CLI's rough edges (runs the built bin: `npm run build:node` first).
describe("tiering on a closed pipe and a missing output folder", () => {
  it("`tiering rank … | head` ends quietly with exit 0 when the reader goes away", async () => {
    const child = spawn(
      process.execPath,
      [join(ROOT, "bin/tiering.js"), "rank", "--data", CDNOW, "--as-of", "1998-07-01"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
    // Like `head -1`: read the first chunk, then close the pipe.
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).not.toMatch(/EPIPE|unexpected failure|\n\s+at /);
    expect(code).toBe(0);
  }, 60_000);

  it("`report --out` into a folder that does not exist names the folder, before any ranking", () => {
    const missing = join(tempDir(), "no", "such");
    const r = tiering(["report", "--data", CDNOW, "--as-of", "1998-07-01", "--out", join(missing, "report.html")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`the folder ${missing} does not exist`);
    expect(r.stderr).not.toContain("unexpected failure");
  });
});

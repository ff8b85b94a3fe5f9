import { PassThrough } from "node:stream";
import { startProgress } from "../../cli/progress";
import { CDNOW, exportFolder, tiering } from "./run-cli";

describe("tiering explain", () => {
  it("tells a salesperson why an account has its tier, in plain words", () => {
    const r = tiering(["explain", "--data", exportFolder(), "--as-of", "2024-01-01", "--account", "acc-1"]);
    expect(r.code).toBe(0);
    const text = r.stdout;
    expect(text).toMatch(/^Contoso, Ltd\. \(acc-1\): tier AAA, score \d+\.\d\d of 100, as of 2024-01-01/);
    expect(text).toMatch(/Revenue \(invoiced\)\s+1,000\.00\s+percentile\s+75\s+weight\s+45 %/);
    expect(text).toMatch(/Won deals\s+5,000\.00/);
    expect(text).toMatch(/Days since last purchase\s+83 days/); // won 2023-10-10, 83 days before 2024-01-01
    // Last call 2023-12-01, but the account enters AAA today: due no earlier than the change date + 7 grace days.
    expect(text).toMatch(/Touch: every 14 days by meeting; next touch due 2024-01-08\./);
  });

  it("prints the stored explanation JSON with --json", () => {
    const r = tiering([
      "explain",
      "--data",
      CDNOW,
      "--as-of",
      "1998-07-01",
      "--account",
      "00000001-0000-4000-8000-000000000004",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e).toMatchObject({ v: 1, method: "percentile", asOf: "1998-07-01T00:00:00.000Z" });
    expect(e.kpis).toHaveLength(5);
  });

  it("names an unknown account", () => {
    const r = tiering(["explain", "--data", exportFolder(), "--as-of", "2024-01-01", "--account", "nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no active account nope among the 2 active accounts/);
  });
});

describe("progress bar", () => {
  const capture = (isTTY: boolean) => {
    const stream = Object.assign(new PassThrough(), {
      isTTY,
      columns: 80,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    let text = "";
    stream.on("data", (c) => (text += c));
    return { io: { stdout: new PassThrough(), stderr: stream, cwd: "." }, text: () => text };
  };

  it("draws on a terminal once the work has taken longer than the delay", async () => {
    const c = capture(true);
    const p = startProgress(c.io, 10e6, "reading", 0);
    await new Promise((r) => setTimeout(r, 20));
    p.add(5e6);
    p.stop();
    expect(c.text()).toMatch(/reading \[.*\]/);
  });

  it("stays silent when stderr is not a terminal", async () => {
    const c = capture(false);
    const p = startProgress(c.io, 10e6, "reading", 0);
    await new Promise((r) => setTimeout(r, 20));
    p.add(5e6);
    p.stop();
    expect(c.text()).toBe("");
  });
});

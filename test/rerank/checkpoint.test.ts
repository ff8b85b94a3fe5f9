import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { Checkpoint, CheckpointError } from "../../plugins/rerank/checkpoint";
import { boundGuid, idConditions, splitRange } from "../../plugins/rerank/id-ranges";
import { removeFolders, tempFile } from "./env";

afterAll(removeFolders);

const header = {
  v: 1 as const,
  server: "http://127.0.0.1:1",
  asOf: 1_700_000_000_000,
  runId: "r",
  modelId: "m",
  modelJson: "{}",
};

describe("checkpoint file", () => {
  it("replays what was recorded, and a torn last line is dropped and cut off before new lines are appended", () => {
    const file = tempFile("cp.jsonl");
    const cp = Checkpoint.fresh(file, header);
    cp.addAccountsPage({ page: 1, ids: ["a"], lastTouch: [null], cookie: null, more: false });
    cp.addUnit("k|0-1", [["a", 1, 2]]);
    cp.addSplit("k|1-3", "id");
    cp.markWritten(0, { changed: 1, written: 1, historyRows: 1, matrix: { none: { A: 1 } } });
    appendFileSync(file, '{"t":"u","key":"k|3-4","rows":[["b",');
    const again = Checkpoint.load(file)!;
    expect(again.header).toEqual(header);
    expect(again.accountsDone).toBe(true);
    expect([...again.units.keys()]).toEqual(["k|0-1"]);
    expect(again.splits.get("k|1-3")).toBe("id");
    expect(again.written.get(0)).toMatchObject({ matrix: { none: { A: 1 } } });
    again.addUnit("k|3-4", []);
    expect(Checkpoint.load(file)!.units.has("k|3-4")).toBe(true);
    expect(
      readFileSync(file, "utf8")
        .split("\n")
        .every((l) => l === "" || JSON.parse(l)),
    ).toBe(true);
  });

  it("rejects a file that is not a checkpoint, naming the line", () => {
    const file = tempFile("bad.jsonl");
    writeFileSync(file, `${JSON.stringify({ t: "h", ...header })}\nnot json\n{"t":"m"}\n`);
    expect(() => Checkpoint.load(file)).toThrow(new CheckpointError(`${file}: line 2 is not JSON`));
    writeFileSync(file, `{"t":"m"}\n`);
    expect(() => Checkpoint.load(file)).toThrow(/no header line/);
    expect(Checkpoint.load(tempFile("missing.jsonl"))).toBeNull();
  });
});

describe("account-id ranges", () => {
  it("bounds sort the same as text and as SQL Server orders uniqueidentifier (last group first)", () => {
    const sqlKey = (g: string): string => {
      const [a, b, c, d, e] = g.split("-");
      return (
        e +
        d +
        c.match(/../g)!.reverse().join("") +
        b.match(/../g)!.reverse().join("") +
        a.match(/../g)!.reverse().join("")
      );
    };
    const bounds = [1, 2, 255, 256, 4096, 40000, 65535].map(boundGuid);
    expect([...bounds].sort()).toEqual(bounds);
    expect([...bounds].sort((x, y) => sqlKey(x).localeCompare(sqlKey(y)))).toEqual(bounds);
    expect(() => boundGuid(0)).toThrow(RangeError);
  });

  it("split ranges tile the range without gaps, and the ends carry no bound", () => {
    const parts = splitRange({ lo: 1024, hi: 65536 }, 7);
    expect(parts[0].lo).toBe(1024);
    expect(parts[parts.length - 1].hi).toBe(65536);
    parts.slice(1).forEach((p, i) => expect(p.lo).toBe(parts[i].hi));
    expect(splitRange({ lo: 5, hi: 6 }, 4)).toEqual([{ lo: 5, hi: 6 }]);
    expect(idConditions("customerid", { lo: 0, hi: 65536 })).toBe("");
    expect(idConditions("customerid", { lo: 0, hi: 2 })).toBe(
      `<condition attribute="customerid" operator="lt" value="${boundGuid(2)}" />`,
    );
  });
});

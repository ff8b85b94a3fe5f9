/** Fault knobs, state save/load, export-folder loading, and the sandbox's columns against the solution's. */
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadExportFolder, loadState, Metadata, saveState, Store } from "../../local-dataverse";
import { faultsFromEnv } from "../../local-dataverse/faults";
import { sampleSeed } from "../../local-dataverse/seed";
import { readSolutionSource } from "../../solution/scripts/source-model";
import { call, create, start } from "./helpers";

const CDNOW = join(__dirname, "..", "..", "datasets", "cdnow-sample");
const csvRows = (file: string): number => readFileSync(file, "utf8").trim().split(/\r?\n/).length - 1;

describe("fault knobs", () => {
  test("seeded 429/503 faults repeat exactly, 429 carries Retry-After and Dataverse's error", async () => {
    const run = async (): Promise<number[]> => {
      const sb = await start({ fault429: 0.3, fault503: 0.2, faultSeed: 42, retryAfterSeconds: 7 });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 40; i++) {
          const r = await call(sb, "GET", "accounts?$top=1");
          statuses.push(r.status);
          if (r.status === 429) {
            expect(r.headers.get("Retry-After")).toBe("7");
            expect(r.json.error?.code).toBe("0x80072322");
          }
          if (r.status === 503) expect(r.json.error?.message).toContain("temporarily unavailable");
        }
        return statuses;
      } finally {
        await sb.close();
      }
    };
    const a = await run();
    expect(await run()).toEqual(a);
    expect(a).toContain(429);
    expect(a).toContain(503);
    expect(a).toContain(200);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(a.length / 4);
  });

  test("a faulted request changes nothing", async () => {
    const sb = await start({ fault503: 1 });
    try {
      const r = await call(sb, "POST", "accounts", { body: { name: "never" } });
      expect(r.status).toBe(503);
      expect(sb.store.count("account")).toBe(0);
    } finally {
      await sb.close();
    }
  });

  test("environment knobs are validated and name the variable", () => {
    expect(
      faultsFromEnv({
        SANDBOX_LATENCY_MS: "25",
        SANDBOX_FAULT_429: "0.1",
        SANDBOX_FAULT_503: "0",
        SANDBOX_FAULT_SEED: "7",
      }),
    ).toEqual({
      latencyMs: 25,
      rate429: 0.1,
      rate503: 0,
      seed: 7,
    });
    expect(() => faultsFromEnv({ SANDBOX_FAULT_429: "1.5" })).toThrow(
      "SANDBOX_FAULT_429 must be a rate between 0 and 1, got '1.5'.",
    );
    expect(() => faultsFromEnv({ SANDBOX_LATENCY_MS: "-1" })).toThrow(/SANDBOX_LATENCY_MS/);
  });

  test("latency still answers every request correctly", async () => {
    const sb = await start({ latencyMs: 20 });
    try {
      const id = await create(sb, "accounts", { name: "slow" });
      expect((await call(sb, "GET", `accounts(${id})?$select=name`)).json.name).toBe("slow");
    } finally {
      await sb.close();
    }
  });
});

describe("state and data", () => {
  const dir = mkdtempSync(join(tmpdir(), "sandbox-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("state saved by one sandbox loads into another with the same rows, lookups and etags", async () => {
    const file = join(dir, "state.ndjson");
    const a = await start();
    let accountId: string;
    let before: Record<string, unknown>;
    try {
      accountId = await create(a, "accounts", { name: "Saved", ct_tier: 100000001 });
      await create(a, "invoices", {
        name: "INV-S",
        "customerid_account@odata.bind": `accounts(${accountId})`,
        totalamount: 42.5,
        overriddencreatedon: "2024-01-02T03:04:05Z",
      });
      before = (await call(a, "GET", `invoices?$select=name,totalamount_base,createdon,_customerid_value`)).json;
      expect(await saveState(a.store, file)).toBe(a.store.tableNames().reduce((n, t) => n + a.store.count(t), 0));
    } finally {
      await a.close();
    }
    const b = await start({ seed: async (store) => void (await loadState(store, file)) });
    try {
      expect(
        (await call(b, "GET", `invoices?$select=name,totalamount_base,createdon,_customerid_value`)).json.value,
      ).toEqual((before.value as unknown[]).map((v) => v));
      const acc = await call(b, "GET", `accounts(${accountId})?$select=ct_tier`);
      expect(acc.json.ct_tier).toBe(100000001);
      // New writes get versions above the loaded ones.
      const old = String(acc.json["@odata.etag"]);
      await call(b, "PATCH", `accounts(${accountId})`, { body: { name: "again" } });
      const now = String((await call(b, "GET", `accounts(${accountId})?$select=name`)).json["@odata.etag"]);
      expect(Number(/\d+/.exec(now)![0])).toBeGreaterThan(Number(/\d+/.exec(old)![0]));
    } finally {
      await b.close();
    }
  });

  test("the default seed loads a `tiering sample` export folder, the same for the same seed", async () => {
    const load = async (): Promise<Store> => {
      const store = new Store(new Metadata());
      const { summary } = await sampleSeed(store, { accounts: 25, seed: 7, asOf: Date.UTC(2026, 6, 1) });
      expect(summary.account).toBe(25);
      for (const t of ["invoice", "opportunity", "phonecall", "appointment", "email"])
        expect(store.count(t)).toBeGreaterThan(0);
      return store;
    };
    const a = await load();
    const b = await load();
    for (const t of a.tableNames())
      expect([...b.rows(t)].map((r) => ({ ...r, versionnumber: 0 }))).toEqual(
        [...a.rows(t)].map((r) => ({ ...r, versionnumber: 0 })),
      );
    const activity = a.rows("phonecall").next().value!;
    expect(activity.regardingobjectid).toEqual({ id: expect.any(String), table: "account" });
    expect(a.get("account", (activity.regardingobjectid as { id: string }).id)).toBeDefined();
  });

  test("a file that is not a state file is refused with its name", async () => {
    const file = join(dir, "not-state.ndjson");
    writeFileSync(file, '{"hello":1}\n');
    await expect(loadState(new Store(new Metadata()), file)).rejects.toThrow(`${file}:1: not a sandbox state file`);
  });

  test("the CDNOW export folder loads every row, and a bad cell is reported by file, line and column", async () => {
    const store = new Store(new Metadata());
    const summary = loadExportFolder(store, CDNOW);
    expect(summary.account).toBe(csvRows(join(CDNOW, "accounts.csv")));
    expect(summary.invoice).toBe(csvRows(join(CDNOW, "invoices.csv")));
    const anyInvoice = store.rows("invoice").next().value!;
    expect(anyInvoice.customerid).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), table: "account" });
    expect(anyInvoice.totalamount_base).toBe(anyInvoice.totalamount);

    const bad = join(dir, "bad-export");
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, "accounts.csv"), "accountid,name,statecode\n00000001-0000-4000-8000-000000000001,A,0\n");
    writeFileSync(
      join(bad, "invoices.csv"),
      "invoiceid,customerid,totalamount_base,statecode,createdon\n00000002-0000-4000-8000-000000000001,00000001-0000-4000-8000-000000000001,12x,2,2024-01-01\n",
    );
    expect(() => loadExportFolder(new Store(new Metadata()), bad)).toThrow(
      `${join(bad, "invoices.csv")}:2: column 'totalamount': '12x' is not a number.`,
    );
  });
});

describe("sandbox metadata", () => {
  /** The solution's column types as the sandbox names them. */
  const TYPE: Record<string, string> = {
    primarykey: "Uniqueidentifier",
    nvarchar: "String",
    ntext: "Memo",
    int: "Integer",
    decimal: "Decimal",
    money: "Money",
    datetime: "DateTime",
    picklist: "Picklist",
    lookup: "Lookup",
    state: "State",
    status: "Status",
    bit: "Boolean",
  };

  test("every column the solution defines on its tables exists in the sandbox with the same type", () => {
    const metadata = new Metadata();
    const source = readSolutionSource();
    let checked = 0;
    for (const entity of source.entities.values()) {
      const def = metadata.table(entity.logicalName);
      expect(def).toBeDefined();
      for (const col of entity.columns.values()) {
        const mine = def!.columns.get(col.logicalName);
        expect({ column: `${entity.logicalName}.${col.logicalName}`, type: mine?.type }).toEqual({
          column: `${entity.logicalName}.${col.logicalName}`,
          type: TYPE[col.type] ?? col.type,
        });
        if (col.type === "datetime")
          expect({ column: col.logicalName, dateOnly: !!mine!.dateOnly }).toEqual({
            column: col.logicalName,
            dateOnly: col.format === "date",
          });
        if (col.optionSetName) {
          const options = source.optionSets
            .get(col.optionSetName)!
            .options.map((o) => o.value)
            .sort();
          expect(
            Object.keys(mine!.options ?? {})
              .map(Number)
              .sort(),
          ).toEqual(options);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });
});

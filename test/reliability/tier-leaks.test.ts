import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { runCli } from "../../cli/main";
import { createLogger } from "../../plugins/log";
import { runRerank } from "../../plugins/rerank";
import { DAY_MS, TIER_OPTIONS } from "../../src/engine";
import { tempDir } from "../cli/run-cli";
import { startStack, TOKEN, type Stack } from "../plugins/stack";
import { newAccount, seedProgramme } from "../programme/setup";
import { memoryIo } from "../sample/sample-fixture";

/**
 * Issue 17, confidentiality by construction: drive saves, overrides (with the tier programme), a failed delivery and
 * its replay, and a re-rank through the local stack, capturing every service log line, re-rank log line, local
 * Dataverse log line and webhook answer. Then walk every table and column the solution ships (and the tasks and
 * System Jobs the product writes) and fail if a tier value reaches anything a user without the tier profile reads:
 * a column that is not field-secured, System Job data, a log line or an answer.
 * Not walked: ct_tiermodel and ct_tierpolicy rows (the model's tier codes and the policies' per-tier settings are
 * configuration, not any customer's tier), and the CLI's terminal output to the operator (the re-rank's movement
 * matrix is meant for them).
 */
const SRC = join(__dirname, "../../solution/src");
const LABELS = Object.keys(TIER_OPTIONS);
const OPTION_VALUES = new Set<number>(Object.values(TIER_OPTIONS));
/** A tier label as a word; account names here hold no lone capital A, B or C. */
const LABEL_WORD = new RegExp(`(^|[^A-Za-z0-9_])(${LABELS.join("|")})(?![A-Za-z0-9_])`);
/** Keys that, holding a value, give a tier away: the tier columns, cadence, channel, next touch, rep. */
const TIER_KEY =
  /^(ct_)?(tier|computedtier|previoustier|fromtier|totier|tieroverride|tieroverridereason|tieroverrideuntil|tierscore|tierreason|trend|trenddelta|revenue12m|cadence|cadencedays|channel|touchchannel|nexttouchdue|servicerepid|_ct_servicerepid_value|repname)$|^ct_(score|reason)$/i;

interface Column {
  table: string;
  name: string;
  secured: boolean;
  optionSet: string | null;
}

function solutionColumns(): Column[] {
  const out: Column[] = [];
  for (const dir of readdirSync(join(SRC, "Entities"))) {
    const xml = readFileSync(join(SRC, "Entities", dir, "Entity.xml"), "utf8");
    const table = /<entity Name="([^"]+)"/.exec(xml)![1].toLowerCase();
    for (const m of xml.matchAll(/<attribute PhysicalName="[^"]+">([\s\S]*?)<\/attribute>/g))
      out.push({
        table,
        name: /<LogicalName>([^<]+)<\/LogicalName>/.exec(m[1])![1],
        secured: /<IsSecured>1<\/IsSecured>/.test(m[1]),
        optionSet: /<OptionSetName>([^<]+)<\/OptionSetName>/.exec(m[1])?.[1] ?? null,
      });
  }
  return out;
}

/** Every leak in a JSON-ish value: tier keys holding a value, tier labels in text, tier option values under tier keys. */
export function leaksIn(value: unknown, where: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown, path: string, key: string): void => {
    if (v === null || v === undefined) return;
    if (TIER_KEY.test(key) && v !== "" && !(Array.isArray(v) && v.length === 0))
      out.push(`${path}: ${key} holds a value`);
    if (typeof v === "string") {
      const m = LABEL_WORD.exec(v);
      if (m) out.push(`${path}: text names tier ${m[2]}: ${JSON.stringify(v.slice(0, 120))}`);
      // A string that is itself JSON (System Job data) is walked too.
      if (/^\s*[[{]/.test(v)) {
        try {
          walk(JSON.parse(v), `${path}(json)`, key);
        } catch {
          // not JSON
        }
      }
    } else if (typeof v === "number") {
      if (OPTION_VALUES.has(v) && /tier/i.test(key)) out.push(`${path}: ${key} holds tier option ${v}`);
    } else if (Array.isArray(v)) {
      // Dataverse's [{key, value}] collections: the key names the column.
      v.forEach((x, i) => {
        if (x && typeof x === "object" && "key" in x && "value" in x)
          walk((x as { value: unknown }).value, `${path}[${i}]`, String((x as { key: unknown }).key));
        else walk(x, `${path}[${i}]`, key);
      });
    } else if (typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`, k);
    }
  };
  walk(value, where, "");
  return out;
}

const sinkInto = (lines: string[]): Writable =>
  new Writable({
    write(c: Buffer, _e, done) {
      lines.push(...c.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });

describe("no tier reaches anything readable without the tier profile", () => {
  jest.setTimeout(180_000);
  let t = Date.UTC(2026, 2, 2, 9, 0);
  const clock = (): number => t;
  let stack: Stack;
  const sandboxLogs: string[] = [];
  const rerankLogs: string[] = [];
  const bodies: unknown[] = [];
  const cliOutput: string[] = [];
  let failing = false;
  const accounts: string[] = [];

  beforeAll(async () => {
    stack = await startStack({
      sandbox: { now: clock, log: (m: string) => void sandboxLogs.push(m) },
      service: { now: clock },
    });
    const handle = stack.service.handle.bind(stack.service);
    stack.service.handle = async (req) => {
      const out = failing ? { status: 503, body: { error: "made to fail by the test" } } : await handle(req);
      bodies.push(out.body);
      return out;
    };
    const p = await seedProgramme(stack);
    const names = ["Leak probe one", "Leak probe two", "Leak probe three", "Leak probe four"];
    for (const name of names) accounts.push(await newAccount(stack, name, p.owner));
    // Saves: invoices of different sizes put the accounts in different tiers.
    for (const [i, id] of accounts.entries()) {
      for (let k = 0; k <= i * 2; k++) {
        t += 60_000;
        const r = await stack.api("POST", "invoices", {
          name: "INV",
          "customerid_account@odata.bind": `/accounts(${id})`,
          totalamount: 1000 * (i + 1) ** 3 + k,
          overriddencreatedon: new Date(t - (10 + k) * DAY_MS).toISOString(),
        });
        expect(r.status).toBe(201);
      }
    }
    await stack.settle();
    // A touch, an override into AAA (the programme assigns a rep and writes a task), and one out again (review task).
    t += 60_000;
    await stack.api("POST", "phonecalls", {
      subject: "Check-in",
      "regardingobjectid_account_phonecall@odata.bind": `/accounts(${accounts[1]})`,
      statecode: 1,
      statuscode: 2,
      actualend: new Date(t - DAY_MS).toISOString(),
    });
    for (const [id, tier] of [
      [accounts[0], "AAA"],
      [accounts[1], "AAA"],
      [accounts[1], "B"],
    ] as const) {
      t += 60_000;
      const r = await stack.api("PATCH", `accounts(${id})`, {
        ct_tieroverride: TIER_OPTIONS[tier],
        ct_tieroverridereason: "strategic review",
      });
      expect(r.status).toBeLessThan(300);
      await stack.settle();
    }
    // A delivery that fails (kept as a failed System Job), then `tiering replay` clears it.
    failing = true;
    t += 60_000;
    await stack.api("POST", "invoices", {
      name: "INV-late",
      "customerid_account@odata.bind": `/accounts(${accounts[2]})`,
      totalamount: 777,
      overriddencreatedon: new Date(t - 2 * DAY_MS).toISOString(),
    });
    await stack.settle();
    failing = false;
    const io = memoryIo(tempDir("leaks-"));
    await runCli(["replay", "--url", stack.sandbox.origin, "--token", TOKEN], io);
    cliOutput.push(io.out(), io.err());
    // The re-rank over the whole population, with its log captured.
    t += DAY_MS;
    await runRerank({
      url: stack.sandbox.url,
      token: TOKEN,
      asOf: t,
      checkpointFile: join(tempDir("leaks-cp-"), "cp.json"),
      log: createLogger("debug", sinkInto(rerankLogs)),
    });
  });
  afterAll(() => stack?.close());

  it("the drive did what it should: tiers, history, tasks, a failed System Job", () => {
    const store = stack.sandbox.store;
    expect(accounts.every((id) => typeof store.get("account", id)!.ct_tier === "number")).toBe(true);
    expect([...store.rows("ct_tierhistory")].length).toBeGreaterThan(3);
    expect([...store.rows("task")].length).toBeGreaterThanOrEqual(2);
    expect([...store.rows("asyncoperation")].length).toBeGreaterThanOrEqual(1);
    expect(bodies.length).toBeGreaterThan(10);
    expect(stack.logs.length).toBeGreaterThan(10);
    expect(rerankLogs.length).toBeGreaterThan(0);
  });

  it("every column the solution ships that holds a tier value is field-secured", () => {
    const store = stack.sandbox.store;
    const leaks: string[] = [];
    const columns = solutionColumns().filter((c) => c.table === "account" || c.table === "ct_tierhistory");
    for (const table of ["account", "ct_tierhistory"]) {
      const open = columns.filter((c) => c.table === table && !c.secured);
      for (const row of store.rows(table))
        for (const c of open) {
          const v = row[c.name];
          if (v === null || v === undefined) continue;
          if (c.optionSet === "ct_tier") leaks.push(`${table}.${c.name} (ct_tier choice) is not secured`);
          for (const l of leaksIn(v, `${table}.${c.name}`)) if (!/holds a value$/.test(l)) leaks.push(l);
        }
    }
    // The account's own non-solution columns (name, …) and the tasks and System Jobs the product writes.
    for (const row of store.rows("account")) leaksIn(row.name, "account.name").forEach((l) => leaks.push(l));
    for (const row of store.rows("task"))
      for (const c of ["subject", "description"]) leaks.push(...leaksIn(row[c], `task.${c}`));
    for (const row of store.rows("asyncoperation"))
      for (const c of ["data", "message", "friendlymessage"]) leaks.push(...leaksIn(row[c], `asyncoperation.${c}`));
    expect(leaks).toEqual([]);
  });

  it("no log line (service, re-rank, local Dataverse) and no webhook answer carries a tier", () => {
    const leaks: string[] = [];
    for (const [i, line] of [...stack.logs, ...rerankLogs].entries()) {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        json = line;
      }
      leaks.push(...leaksIn(json, `log[${i}]`));
    }
    sandboxLogs.forEach((l, i) => leaks.push(...leaksIn(l, `local-dataverse log[${i}]`)));
    bodies.forEach((b, i) => leaks.push(...leaksIn(b, `answer[${i}]`)));
    expect(leaks).toEqual([]);
  });

  it("the checks would catch the leaks issue 17 found", () => {
    expect(leaksIn({ accountId: "x", tier: "AAA" }, "log")).not.toEqual([]);
    expect(leaksIn("B → AAA", "ct_tierhistory.ct_name")).not.toEqual([]);
    expect(leaksIn("Review service rep: Adatum left AAA", "task.subject")).not.toEqual([]);
    expect(leaksIn("entered tier A on 2026-03-02", "task.description")).not.toEqual([]);
    const systemJob = JSON.stringify({
      PostEntityImages: [
        { key: "PostImage", value: { Attributes: [{ key: "ct_tier", value: { Value: 100000000 } }] } },
      ],
    });
    expect(leaksIn(systemJob, "asyncoperation.data")).not.toEqual([]);
    expect(leaksIn({ results: [{ accountId: "x", outcome: "updated", tierChanged: true }] }, "answer")).toEqual([]);
  });
});

import {
  computeFacts,
  DAY_MS,
  DEFAULT_MODEL,
  factsAt,
  isoInstant,
  rankFacts,
  rankTableToColumns,
  scoreAccount,
  tierFromOption,
  tierRank,
  type RankTable,
} from "../../src/engine";
import { startSandbox, userTokens, type Row, type Sandbox } from "../../local-dataverse";
import { registerSolutionSteps } from "../plugins/register";
import { mulberry32 } from "../../local-dataverse/faults";
import type { DataverseGateway } from "../../plugins/dataverse/gateway";
import { accountValues, changedColumns, storedState } from "../../plugins/recalc/account-fields";
import { runCli } from "../../cli/main";
import { engineInput } from "../plugins/expected";
import { KEY, PluginHost, TOKEN } from "./plugin-host";

/**
 * The fault suite of issue 8: 1,000 invoice and opportunity saves over real HTTP against the sandbox with 10 % 429s
 * and 5 % 503s, forced 412 conflicts, duplicate and out-of-order deliveries, and the plugin restarted mid-run; then
 * `tiering replay` for the deliveries that failed. Afterwards every account holds what a from-scratch evaluation of
 * its data says, and its ct_tierhistory rows form one chain without duplicates.
 */

const base = Date.UTC(2025, 4, 17, 9, 30);
const now = (): number => base;
const ACCOUNTS = 50;
const SAVES = 1000;
/** The administrator's token (a person's saves, and the operator's replay); the plugin calls as TOKEN. */
const ADMIN_TOKEN = userTokens(TOKEN).admin;
const sys = {
  userId: "5a9d3e42-0c7b-4f7a-9a55-000000000001",
  correlationId: "c0ffee00-0000-4000-8000-0000000000aa",
  bypassSync: true,
  bypassAsync: true,
};

/** The run is the same every time. */
const rng = mulberry32;

/**
 * A Web API client of the sandbox that, like any well-behaved client, retries the injected 429s and 503s. The saves
 * are a person's (the administrator's): the plugin's application user may not create invoices or opportunities.
 */
async function api(sb: Sandbox, method: string, path: string, body?: unknown): Promise<Row> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(sb.url + path, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        "content-type": "application/json",
        prefer: "return=representation",
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if ((res.status === 429 || res.status === 503) && attempt < 50) continue;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as Row) : {};
  }
}

const lookupId = (v: unknown): string => (v as { id: string }).id;

async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await fn(next);
    }),
  );
}

function historyOf(sb: Sandbox, id: string): Row[] {
  return [...sb.store.rows("ct_tierhistory")].filter((h) => lookupId(h.ct_accountid) === id);
}

/**
 * The reference. On save the plugin scores one account against the RankTable stored on ct_tiermodel, so a batch
 * re-rank (rankFacts/outcomeAt) would build a new table from the final population and disagree wherever the
 * population moved since the table was stored; the tiers it gives are what the next re-rank will write, not what
 * on-save must hold. So: the batch's from-scratch facts (computeFacts over every row, no FetchXML), scored by the
 * engine against the same stored table and the account's stored state (hysteresis, override), must ask for no
 * column to change; and the computed tier must equal the one a state-less evaluation gives.
 */
function mismatches(sb: Sandbox, table: RankTable): string[] {
  const facts = computeFacts(engineInput(sb.store), DEFAULT_MODEL, base);
  const out: string[] = [];
  facts.accounts.forEach((a, i) => {
    const row = sb.store.get("account", a.accountid)!;
    // The sandbox holds Web API values in its own types; the plugin's reader takes either.
    const stored = storedState(row);
    const f = factsAt(facts, i);
    const o = scoreAccount(f, DEFAULT_MODEL, table, stored, base);
    const fresh = scoreAccount(f, DEFAULT_MODEL, table, { tier: null, changedOn: null }, base);
    const wire: Row = {
      ...row,
      ct_tierchangedon: row.ct_tierchangedon == null ? null : isoInstant(row.ct_tierchangedon as number),
    };
    const want = accountValues(o, f, wire, base);
    // Sums of fractional amounts taken in another order (the plugin's FetchXML rows vs the batch's loop) can land on
    // either side of a half cent before round2: a cent apart, never more (see the report to the lead).
    const diff = changedColumns(want, wire).filter((c) => !within(want[c], wire[c]));
    if (diff.length || o.stored.changed) out.push(`${String(row.name)}: ${diff.join(", ") || "stored tier"} differ`);
    if (o.computedTier !== fresh.computedTier) out.push(`${String(row.name)}: computed tier depends on stored state`);
  });
  return out;
}

/** Equal, numbers a cent apart at most, and JSON text (ct_tierreason) equal under the same rule. */
function within(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= 0.0100001;
  if (typeof a === "string" && typeof b === "string" && a.startsWith("{") && b.startsWith("{"))
    return within(JSON.parse(a), JSON.parse(b));
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => within((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/** Each account's history rows, in the order written, must chain null → … → its stored tier, one row per move. */
function historyProblems(sb: Sandbox): string[] {
  const out: string[] = [];
  for (const acc of sb.store.rows("account")) {
    const rows = historyOf(sb, acc.accountid as string);
    let at: number | null = null;
    for (const h of rows) {
      if (h.ct_fromtier !== at || h.ct_fromtier === h.ct_totier)
        out.push(`${String(acc.name)}: ${String(h.ct_fromtier)} → ${String(h.ct_totier)} after ${String(at)}`);
      at = h.ct_totier as number;
    }
    if (at !== (acc.ct_tier ?? null))
      out.push(`${String(acc.name)}: history ends at ${String(at)}, account holds ${String(acc.ct_tier)}`);
  }
  return out;
}

describe("faults: 1,000 saves, throttling, conflicts, duplicates, a restart, and a replay", () => {
  jest.setTimeout(120_000);

  it("ends with every account as a from-scratch evaluation says, and no duplicate history", async () => {
    let commits = 0;
    let forced = 0;
    const holder: { sb?: Sandbox } = {};
    // Someone else edits the account between our read and our write on every 3rd commit: the write gets a 412.
    const wrapGateway = (inner: DataverseGateway): DataverseGateway => ({
      retrieve: (...a) => inner.retrieve(...a),
      retrieveAccount: (...a) => inner.retrieveAccount(...a),
      fetch: (...a) => inner.fetch(...a),
      query: (...a) => inner.query(...a),
      commit: async (ops) => {
        const id = /accounts\((.+)\)/.exec(ops[0]?.path ?? "")?.[1];
        if (id && ++commits % 3 === 0) {
          forced++;
          holder.sb!.store.atomically((tx) =>
            holder.sb!.store.update(tx, "account", id, { description: `edited ${commits}` }, sys),
          );
        }
        return inner.commit(ops);
      },
    });
    const plugin = new PluginHost({ now, wrapGateway });
    await plugin.reserve();
    const random = rng(8);
    const accountIds: string[] = [];
    const sb = (holder.sb = await startSandbox({
      port: 0,
      token: TOKEN,
      webhookUrl: plugin.url,
      webhookKey: KEY,
      webhookRetryDelayMs: 5,
      fault429: 0.1,
      fault503: 0.05,
      faultSeed: 8,
      retryAfterSeconds: 0,
      now,
      log: () => undefined,
      seed: (store) => {
        // Each account's history before the run: a few paid invoices, written without webhooks.
        store.atomically((tx) => {
          for (let k = 0; k < ACCOUNTS; k++) {
            const a = store.create(tx, "account", { name: `Customer ${k}` }, sys);
            accountIds.push(a.accountid as string);
            for (let j = 0; j < 3; j++) {
              store.create(
                tx,
                "invoice",
                {
                  name: "INV",
                  customerid: { id: a.accountid as string, table: "account" },
                  totalamount: 100 + Math.round(random() * 20_000),
                  statecode: 2,
                  overriddencreatedon: base - Math.floor(random() * 700) * DAY_MS,
                },
                sys,
              );
            }
          }
        });
      },
    }));
    // The solution ships no steps: registered as `tiering configure` does, through the faulty Web API.
    await registerSolutionSteps(sb, TOKEN);
    try {
      // The RankTable the last re-rank stored, from the population as it was before the run.
      const table = rankFacts(computeFacts(engineInput(sb.store), DEFAULT_MODEL, base), DEFAULT_MODEL).table;
      sb.store.atomically((tx) =>
        sb.store.create(
          tx,
          "ct_tiermodel",
          {
            ct_name: "Default",
            ct_modeljson: JSON.stringify(DEFAULT_MODEL),
            ...rankTableToColumns(table),
            statecode: 0,
          },
          sys,
        ),
      );
      await plugin.connect(sb.origin);

      const invoicesOf = new Map<string, string[]>(accountIds.map((id) => [id, []]));
      const oppsOf = new Map<string, string[]>(accountIds.map((id) => [id, []]));
      const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
      let saves = 0;
      const save = async (k: number): Promise<void> => {
        const a = accountIds[k];
        const r = random();
        const invs = invoicesOf.get(a)!;
        const opps = oppsOf.get(a)!;
        saves++;
        if (r < 0.5 || (r < 0.7 && invs.length === 0)) {
          const row = await api(sb, "POST", "invoices", {
            name: "INV",
            "customerid_account@odata.bind": `/accounts(${a})`,
            totalamount: Math.round(random() * 3_000_000) / 100,
            statecode: 2,
            overriddencreatedon: new Date(base - Math.floor(random() * 700) * DAY_MS).toISOString(),
          });
          invs.push(row.invoiceid as string);
        } else if (r < 0.65) {
          await api(sb, "PATCH", `invoices(${pick(invs)})`, { totalamount: Math.round(random() * 3_000_000) / 100 });
        } else if (r < 0.7) {
          // The invoice moves to another customer: both accounts change.
          const id = invs.splice(Math.floor(random() * invs.length), 1)[0];
          const to = accountIds[(k + 1 + Math.floor(random() * 5)) % 40];
          await api(sb, "PATCH", `invoices(${id})`, { "customerid_account@odata.bind": `/accounts(${to})` });
          invoicesOf.get(to)!.push(id);
        } else if (r < 0.88 || opps.length === 0) {
          const row = await api(sb, "POST", "opportunities", {
            name: "OPP",
            "customerid_account@odata.bind": `/accounts(${a})`,
            estimatedvalue: Math.round(random() * 5_000_000) / 100,
            closeprobability: Math.floor(random() * 100),
          });
          opps.push(row.opportunityid as string);
        } else {
          await api(sb, "PATCH", `opportunities(${pick(opps)})`, {
            estimatedvalue: Math.round(random() * 5_000_000) / 100,
            closeprobability: Math.floor(random() * 100),
          });
        }
      };

      // 20 saves at once on one account.
      await Promise.all(Array.from({ length: 20 }, () => save(0)));
      // Accounts 0-39, eight writers at a time.
      await pool(
        Array.from({ length: 480 }, () => Math.floor(random() * 40)),
        8,
        save,
      );

      // The plugin goes down mid-run; accounts 40-49 get their saves now, so only a replay can bring them right.
      await plugin.stop();
      await pool(
        Array.from({ length: 100 }, (_, i) => 40 + (i % 10)),
        8,
        save,
      );
      await sb.webhooks.idle();
      const failedJobs = [...sb.store.rows("asyncoperation")].filter((j) => j.statuscode === 31);
      expect(failedJobs.length).toBeGreaterThanOrEqual(100);
      await plugin.restart();

      // The rest, while old deliveries arrive again: duplicates, out of order, and 20 at once for account 0.
      const recorded = [...plugin.bodies];
      const replayed: Promise<number>[] = [];
      const resend = pool(
        Array.from({ length: 150 }, () => pick(recorded)),
        6,
        async (b) => void replayed.push(plugin.post(b)),
      );
      const burst = Promise.all(Array.from({ length: 20 }, () => plugin.post(recorded[0])));
      await pool(
        Array.from({ length: SAVES - 600 }, () => Math.floor(random() * 40)),
        8,
        save,
      );
      await resend;
      const answers = [...(await burst), ...(await Promise.all(replayed))];
      await sb.webhooks.idle();
      expect(saves).toBe(SAVES);
      expect(forced).toBeGreaterThan(10);
      expect(plugin.logs.some((l) => l.includes("(412): reading it again"))).toBe(true);
      expect(plugin.retries).toBeGreaterThan(100);
      // A re-delivered event is answered like the first: done, or (rarely, all retries throttled) worth retrying.
      expect(answers.filter((s) => s !== 200 && s !== 503 && s !== 409)).toEqual([]);

      // Before the replay, the accounts saved during the outage disagree with their data.
      const before = mismatches(sb, table);
      expect(before.filter((m) => /^Customer 4\d:/.test(m)).length).toBeGreaterThan(0);

      const out: string[] = [];
      const err: string[] = [];
      const io = {
        stdout: { write: (s: string) => out.push(s) },
        stderr: { write: (s: string) => err.push(s) },
        cwd: process.cwd(),
      } as unknown as Parameters<typeof runCli>[1];
      // `tiering replay` is an administrator's (docs/security.md): it reads and deletes System Jobs.
      const code = await runCli(
        ["replay", "--url", sb.origin, "--token", ADMIN_TOKEN, "--as-of", new Date(base).toISOString(), "--delete"],
        io,
      );
      expect(err.join("")).toBe("");
      expect(code).toBe(0);
      expect(out.join("")).toMatch(/failed System Jobs? named \d+ accounts?: \d+ updated/);
      expect(out.join("") + err.join("")).not.toContain(TOKEN);
      await sb.webhooks.idle();

      expect(mismatches(sb, table)).toEqual([]);
      expect(historyProblems(sb)).toEqual([]);
      for (const id of accountIds)
        expect(
          tierRank(DEFAULT_MODEL, tierFromOption(sb.store.get("account", id)!.ct_tier as number) ?? ""),
        ).toBeGreaterThanOrEqual(0);
      expect([...sb.store.rows("asyncoperation")].filter((j) => j.statuscode === 31)).toEqual([]);

      // Logs and System Jobs hold no key, no token, and no customer name (amounts travel only in the job's payload).
      for (const line of plugin.logs) {
        expect(line).not.toContain(KEY);
        expect(line).not.toContain(TOKEN);
        expect(line).not.toMatch(/Customer \d+/);
      }
      expect(plugin.logs.length).toBeGreaterThan(1000);
      for (const j of failedJobs) expect(`${String(j.message)} ${String(j.data)}`).not.toContain(KEY);

      // A second replay finds nothing left to do.
      out.length = 0;
      expect(
        await runCli(
          ["replay", "--url", sb.origin, "--token", ADMIN_TOKEN, "--as-of", new Date(base).toISOString()],
          io,
        ),
      ).toBe(0);
      expect(out.join("")).toMatch(/^0 failed System Jobs named 0 accounts/);
    } finally {
      await sb.close();
      await plugin.stop();
    }
  });
});

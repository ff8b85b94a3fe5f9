import { createHash } from "node:crypto";
import { factsAt, outcomeAt, type RankResult } from "../../src/engine";
import type { ChangeOperation } from "../dataverse/batch";
import { TIER_HISTORY_SOURCE, entitySet } from "../dataverse/metadata";
import { accountValues, changedColumns, historyRow, storedState } from "../recalc/account-fields";
import type { AccountsPage, Checkpoint, ChunkStats, CommittedSet } from "./checkpoint";
import type { RerankClient, Row } from "./client";
import { runPool } from "./pool";
import { accountsFetchXml } from "./population";

/** The row "from" of an account that never had a tier. */
export const NO_TIER = "none";
const MAX_PER_REQUEST = 1000;

export interface WriteContext {
  client: RerankClient;
  cp: Checkpoint;
  ranked: RankResult;
  asOf: number;
  dryRun: boolean;
  concurrency: number;
  signal?: AbortSignal;
  onChunk: (done: number, total: number) => void;
  /** Account rows this process read with the population, by page: no second read unless the run resumed. */
  rows: Map<number, Row[]>;
}

/** A history row id fixed by run and account: writing it again on resume updates the same row (upsert), never a second one. */
export function historyId(runId: string, accountId: string): string {
  const h = createHash("sha1").update(`${runId}:${accountId.toLowerCase()}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

async function readChunk(client: RerankClient, p: AccountsPage, signal?: AbortSignal): Promise<Row[]> {
  const rows: Row[] = [];
  let cookie: string | null = null;
  for (let page = 1; ; page++) {
    signal?.throwIfAborted();
    const res = await client.fetchPage(
      "account",
      accountsFetchXml(page, cookie, { first: p.ids[0], last: p.ids[p.ids.length - 1] }),
    );
    rows.push(...res.rows);
    if (!res.moreRecords || res.rows.length === 0) return rows;
    cookie = res.pagingCookie;
  }
}

const bump = (m: ChunkStats["matrix"], from: string, to: string): void => {
  m[from] ??= {};
  m[from][to] = (m[from][to] ?? 0) + 1;
};

/**
 * One population page: settle each ranked account against what it holds (hysteresis, override: outcomeAt), and
 * write only the accounts whose stored columns change. Each $batch change set holds the history rows of up to
 * 999 tier changes and one UpdateMultiple of up to 1,000 accounts, so a tier change and its history row commit
 * together. History row ids are fixed by run and account: a change set sent again on resume cannot add a second row.
 */
async function writeChunk(
  ctx: WriteContext,
  k: number,
  p: AccountsPage,
  index: Map<string, number>,
): Promise<ChunkStats> {
  const { ranked, asOf } = ctx;
  const stats: ChunkStats = { changed: 0, written: 0, historyRows: 0, matrix: {}, tierChanges: [] };
  const targets: { values: Row; history: ChangeOperation | null; from: string; to: string }[] = [];
  const committed = ctx.cp.committed.get(k);
  for (const row of ctx.rows.get(p.page) ?? (await readChunk(ctx.client, p, ctx.signal))) {
    const id = String(row.accountid).toLowerCase();
    const i = index.get(id);
    if (i === undefined) continue; // created since the population was read: the next re-rank ranks it
    const state = storedState(row);
    Object.assign(ranked.facts.accounts[i], {
      ct_tier: state.tier,
      ct_tierchangedon: state.changedOn,
      ct_tieroverride: state.override,
      ct_tieroverridereason: state.overrideReason,
      ct_tieroverrideuntil: state.overrideUntil,
    });
    const o = outcomeAt(ranked, i);
    const before = committed?.get(id);
    if (before) {
      // Written by the interrupted run: counted as it was then, not written again.
      bump(stats.matrix, before.from, o.stored.tier);
      stats.changed++;
      stats.written++;
      if (before.history) {
        stats.historyRows++;
        stats.tierChanges!.push({
          accountId: id,
          from: before.from === NO_TIER ? null : before.from,
          to: o.stored.tier,
        });
      }
      continue;
    }
    const want = accountValues(o, factsAt(ranked.facts, i), row, asOf);
    const changed = changedColumns(want, row);
    const from = state.tier ?? NO_TIER;
    bump(stats.matrix, from, o.stored.tier);
    if (changed.length === 0) continue;
    stats.changed++;
    const target: Row = { accountid: id, ct_tiercalculatedon: want.ct_tiercalculatedon };
    for (const c of changed) target[c] = want[c];
    let history: ChangeOperation | null = null;
    if (o.stored.changed) {
      const body = historyRow(o, id, asOf, "rerank");
      body.ct_source = o.stored.rule.kind === "override" ? TIER_HISTORY_SOURCE.override : TIER_HISTORY_SOURCE.rerank;
      history = {
        method: "PATCH",
        path: `${entitySet("ct_tierhistory")}(${historyId(ctx.cp.header.runId, id)})`,
        body,
      };
    }
    targets.push({ values: target, history, from, to: o.stored.tier });
  }
  if (ctx.dryRun) return stats;
  let t = 0;
  while (t < targets.length) {
    ctx.signal?.throwIfAborted();
    const ops: ChangeOperation[] = [];
    const set: CommittedSet = { ids: [], from: [], history: [] };
    const batch: Row[] = [];
    while (t < targets.length && batch.length < MAX_PER_REQUEST && ops.length < MAX_PER_REQUEST - 1) {
      const target = targets[t++];
      batch.push({ "@odata.type": "Microsoft.Dynamics.CRM.account", ...target.values });
      if (target.history) ops.push(target.history);
      set.ids.push(target.values.accountid as string);
      set.from.push(target.from);
      set.history.push(target.history !== null);
      if (target.history)
        stats.tierChanges!.push({
          accountId: target.values.accountid as string,
          from: target.from === NO_TIER ? null : target.from,
          to: target.to,
        });
    }
    ops.push({
      method: "POST",
      path: `${entitySet("account")}/Microsoft.Dynamics.CRM.UpdateMultiple`,
      body: { Targets: batch },
    });
    await ctx.client.changeSet(ops);
    ctx.cp.addCommitted(k, set);
    stats.written += batch.length;
    stats.historyRows += ops.length - 1;
  }
  ctx.cp.markWritten(k, stats);
  return stats;
}

/** Every population page not yet written, `concurrency` at a time; returns the stats of all pages, earlier runs' included. */
export async function writeAll(ctx: WriteContext): Promise<ChunkStats[]> {
  const index = new Map<string, number>();
  ctx.ranked.facts.accounts.forEach((a, i) => index.set(a.accountid.toLowerCase(), i));
  const pages = ctx.cp.accountsPages.map((p, k) => ({ p, k })).filter(({ p }) => p.ids.length > 0);
  const all: ChunkStats[] = [];
  let done = 0;
  for (const { k } of pages) {
    const s = ctx.cp.written.get(k);
    if (s) {
      all.push(s);
      done++;
    }
  }
  ctx.onChunk(done, pages.length);
  await runPool(
    pages.filter(({ k }) => !ctx.cp.written.has(k)),
    ctx.concurrency,
    async ({ p, k }) => {
      all.push(await writeChunk(ctx, k, p, index));
      ctx.onChunk(++done, pages.length);
    },
    ctx.signal,
  );
  return all;
}

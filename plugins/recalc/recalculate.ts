import { scoreAccount, STATE } from "../../src/engine";
import type { ChangeOperation } from "../dataverse/batch";
import { ConcurrencyConflict, isAggregateLimit } from "../dataverse/errors";
import {
  accountPath,
  type AccountRecord,
  type DataverseGateway,
  type FetchResult,
  type Row,
} from "../dataverse/gateway";
import { ACCOUNT_RESULT_COLUMNS, ACCOUNT_STATE_COLUMNS, entitySet } from "../dataverse/metadata";
import type { Logger } from "../log";
import { PROGRAMME_ACCOUNT_COLUMNS, TierProgramme, type ProgrammeAction } from "../programme/programme";
import { accountValues, changedColumns, historyRow, storedState } from "./account-fields";
import { factsFromResults, instant, num, type ResultRow } from "./facts";
import { contactsFetchXml, factQueries, OPEN_OPPORTUNITY_PAGE, withPage, type FactQuery } from "./fetchxml";
import { KeyedLock } from "../keyed-lock";
import type { ModelCache } from "./model-cache";
import { PolicyCache } from "./policy-cache";

/** Two partial aggregate rows as one: `last` the latest instant, every other alias summed. */
function combine(a: ResultRow, b: ResultRow): ResultRow {
  const out: ResultRow = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (k.startsWith("@")) continue;
    if (k === "last") {
      const x = instant(a[k], k);
      const y = instant(b[k], k);
      out[k] = x === null ? b[k] : y === null ? a[k] : x >= y ? a[k] : b[k];
    } else out[k] = num(a[k], k) + num(b[k], k);
  }
  return out;
}

export type Trigger = "invoice" | "opportunity" | "touch" | "override";

export interface RecalcResult {
  accountId: string;
  outcome: "updated" | "unchanged" | "missing" | "inactive";
  tier?: string;
  tierChanged?: boolean;
  /** What the tier programme did with a tier change (service rep assigned, review task, nothing). */
  programme?: ProgrammeAction;
  attempts: number;
}

/** Re-read and decide again at most this often when the account keeps changing under us (412). */
export const MAX_CONFLICT_ATTEMPTS = 5;

export class Recalculator {
  private readonly lock: KeyedLock;
  /** The tier policies' touch pattern; the policy webhook invalidates it. */
  readonly policies: PolicyCache;

  constructor(
    private readonly gateway: DataverseGateway,
    readonly models: ModelCache,
    private readonly now: () => number = Date.now,
    /** The tier programme (service reps, issue 9); null leaves tier changes without follow-up. */
    private readonly programme: TierProgramme | null = new TierProgramme(gateway),
    /**
     * Saves of one account waiting behind the running recalculation (those sharing one waiting recalculation count
     * each); beyond it the save is refused (Overloaded → 503).
     */
    maxQueuePerAccount = Number.POSITIVE_INFINITY,
  ) {
    this.lock = new KeyedLock(maxQueuePerAccount);
    this.policies = new PolicyCache(gateway);
  }

  /**
   * Saves of one account run one at a time. A save that finds a recalculation of the account already waiting (not yet
   * started) for the same trigger shares it: it reads after both saves committed, so a burst of saves of one account
   * costs two recalculations, not one each.
   */
  recalculate(accountId: string, trigger: Trigger, log: Logger): Promise<RecalcResult> {
    return this.lock.run(accountId, () => this.run(accountId, trigger, log), {
      group: trigger,
      onJoin: () => log.info({ accountId }, "joins the recalculation already waiting for this account"),
    });
  }

  private async run(accountId: string, trigger: Trigger, log: Logger): Promise<RecalcResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(accountId, trigger, attempt, log);
      } catch (e) {
        if (!(e instanceof ConcurrencyConflict) || attempt >= MAX_CONFLICT_ATTEMPTS) throw e;
        log.info({ accountId, attempt }, "account changed since it was read (412): reading it again");
      }
    }
  }

  private async once(accountId: string, trigger: Trigger, attempts: number, log: Logger): Promise<RecalcResult> {
    const { model, table } = await this.models.get();
    const policies = await this.policies.get(log);
    const asOf = this.now();
    const contacts = await this.contactsOf(accountId);
    const { account, results } = await this.read(accountId, factQueries(accountId, model, asOf, contacts));
    if (!account) return { accountId, outcome: "missing", attempts };
    if (account.row.statecode !== STATE.account.active) return { accountId, outcome: "inactive", attempts };
    const facts = factsFromResults(
      accountId,
      model,
      asOf,
      results,
      instant(account.row.ct_lasttouchon, "account.ct_lasttouchon"),
    );
    const outcome = scoreAccount(facts, model, table, storedState(account.row), asOf, policies);
    const want = accountValues(outcome, facts, account.row, asOf);
    const changed = changedColumns(want, account.row);
    if (changed.length === 0)
      return { accountId, outcome: "unchanged", tier: outcome.stored.tier, tierChanged: false, attempts };

    const patch: Row = { ct_tiercalculatedon: want.ct_tiercalculatedon };
    for (const c of changed) patch[c] = want[c];
    const ops: ChangeOperation[] = [
      { method: "PATCH", path: accountPath(accountId), body: patch, ifMatch: account.etag },
    ];
    if (outcome.stored.changed)
      ops.push({
        method: "POST",
        path: entitySet("ct_tierhistory"),
        body: historyRow(outcome, accountId, asOf, trigger),
      });
    let programme: ProgrammeAction | undefined;
    if (outcome.stored.changed && this.programme) {
      // The programme's columns and tasks join this change set, under the same If-Match on the account.
      programme = await this.programme.onTierChange(
        { accountId, account: account.row, from: outcome.stored.previousTier ?? null, to: outcome.stored.tier, asOf },
        async (plan) => {
          Object.assign(patch, plan.patch);
          await this.gateway.commit([...ops, ...plan.ops]);
        },
        log,
      );
    } else {
      await this.gateway.commit(ops);
    }
    log.info(
      {
        accountId,
        columns: changed,
        tierChanged: outcome.stored.changed,
      },
      outcome.stored.changed ? "account tier changed" : "account tier fields updated",
    );
    return {
      accountId,
      outcome: "updated",
      tier: outcome.stored.tier,
      tierChanged: outcome.stored.changed,
      ...(programme ? { programme } : {}),
      attempts,
    };
  }

  /**
   * A windowed aggregate over more than 50,000 rows, read as two halves of its date range (recursively) and
   * combined: counts and sums add, "last" is the latest.
   */
  private async splitWindow(q: FactQuery): Promise<ResultRow[]> {
    const w = q.window;
    if (!w) throw new Error(`${q.entity}: the aggregate limit was hit by a query that has no date window to split`);
    const halves = async (start: number, end: number): Promise<ResultRow> => {
      try {
        return (await this.gateway.fetch(q.entity, w.build(start, end))).rows[0] ?? {};
      } catch (e) {
        if (!isAggregateLimit(e) || end - start < 2000) throw e;
        const mid = start + Math.floor((end - start) / 2000) * 1000;
        return combine(await halves(start, mid), await halves(mid, end));
      }
    };
    const mid = w.start + Math.floor((w.end - w.start) / 2000) * 1000;
    return [combine(await halves(w.start, mid), await halves(mid, w.end))];
  }

  /** The ids of the account's contacts, whose invoices and opportunities count for it (one small indexed read). */
  private async contactsOf(accountId: string): Promise<string[]> {
    const { rows } = await this.gateway.fetch("contact", contactsFetchXml(accountId));
    return rows.map((r) => String(r.contactid).toLowerCase());
  }

  /** The account and its facts: one `$batch` of reads where the gateway can, so a save costs few requests. */
  private async read(
    accountId: string,
    queries: ReturnType<typeof factQueries>,
  ): Promise<{ account: AccountRecord | null; results: Record<string, ResultRow[]> }> {
    const columns = [...ACCOUNT_STATE_COLUMNS, ...ACCOUNT_RESULT_COLUMNS, ...PROGRAMME_ACCOUNT_COLUMNS];
    const named = Object.entries(queries);
    let account: AccountRecord | null;
    let pages: FetchResult[];
    if (this.gateway.readAccountAndFetches) {
      ({ account, results: pages } = await this.gateway.readAccountAndFetches(
        accountId,
        columns,
        named.map(([, q]) => q),
      ));
    } else {
      [account, pages] = await Promise.all([
        this.gateway.retrieveAccount(accountId, columns),
        Promise.all(
          named.map(([, q]) =>
            this.gateway.fetch(q.entity, q.fetchXml).catch((e: unknown): FetchResult => {
              if (isAggregateLimit(e)) return { rows: [], moreRecords: false, aggregateLimit: true };
              throw e;
            }),
          ),
        ),
      ]);
    }
    if (!account) return { account, results: {} };
    const entries = await Promise.all(
      named.map(async ([name, q], i) => {
        if (pages[i].aggregateLimit) return [name, await this.splitWindow(q)] as const;
        let { rows, moreRecords } = pages[i];
        // Open opportunities come as rows; page on in the rare account with more than a page of them.
        for (
          let page = 2;
          name === "pipeline" && moreRecords && rows.length >= OPEN_OPPORTUNITY_PAGE * (page - 1);
          page++
        ) {
          const next = await this.gateway.fetch(q.entity, withPage(q.fetchXml, page));
          rows = rows.concat(next.rows);
          moreRecords = next.moreRecords;
        }
        return [name, rows] as const;
      }),
    );
    return { account, results: Object.fromEntries(entries) };
  }
}

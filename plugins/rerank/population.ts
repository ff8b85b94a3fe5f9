import { STATE, type AccountRow } from "../../src/engine";
import { ACCOUNT_RESULT_COLUMNS, ACCOUNT_STATE_COLUMNS } from "../dataverse/metadata";
import { instant } from "../recalc/facts";
import type { Checkpoint } from "./checkpoint";
import type { RerankClient, Row } from "./client";
import { PAGE_SIZE } from "./queries";
import { cond, xmlEscape } from "../dataverse/fetchxml";

/** Every column the write phase compares, so the rows read here also decide what to write. */
export const ACCOUNT_COLUMNS = ["accountid", ...new Set<string>([...ACCOUNT_STATE_COLUMNS, ...ACCOUNT_RESULT_COLUMNS])];

/**
 * Active accounts, a page of 5,000 at a time in the server's accountid order, paged with paging cookies; `range`
 * limits them to the ids of one earlier page (the write phase of a resumed run reads its pages again).
 */
export function accountsFetchXml(page: number, cookie: string | null, range?: { first: string; last: string }): string {
  return (
    `<fetch count="${PAGE_SIZE}" page="${page}"${cookie ? ` paging-cookie="${xmlEscape(cookie)}"` : ""}><entity name="account">` +
    ACCOUNT_COLUMNS.map((c) => `<attribute name="${c}" />`).join("") +
    `<filter type="and">${cond("statecode", "eq", STATE.account.active)}` +
    (range ? cond("accountid", "ge", range.first) + cond("accountid", "le", range.last) : "") +
    `</filter><order attribute="accountid" /></entity></fetch>`
  );
}

/**
 * Reads the population (continuing after the pages the checkpoint holds). Pages are sequential: each needs the
 * cookie of the one before. The checkpoint keeps ids and last touch dates; the whole rows stay in `rows` (by page)
 * for the write phase of this process.
 */
export async function readPopulation(
  client: RerankClient,
  cp: Checkpoint,
  signal: AbortSignal | undefined,
  onPage: (accounts: number) => void,
  rows: Map<number, Row[]> = new Map(),
): Promise<void> {
  while (!cp.accountsDone) {
    signal?.throwIfAborted();
    const last = cp.accountsPages[cp.accountsPages.length - 1];
    const page = last ? last.page + 1 : 1;
    const res = await client.fetchPage("account", accountsFetchXml(page, last?.cookie ?? null));
    const ids = res.rows.map((r) => String(r.accountid).toLowerCase());
    const lastTouch = res.rows.map((r) => instant(r.ct_lasttouchon, `account ${String(r.accountid)}.ct_lasttouchon`));
    rows.set(page, res.rows);
    cp.addAccountsPage({ page, ids, lastTouch, cookie: res.pagingCookie, more: res.moreRecords && ids.length > 0 });
    onPage(cp.accountsPages.reduce((n, p) => n + p.ids.length, 0));
  }
}

/** The population as the engine's AccountRows, in read order. */
export function populationRows(cp: Checkpoint): AccountRow[] {
  const rows: AccountRow[] = [];
  for (const p of cp.accountsPages)
    p.ids.forEach((id, i) =>
      rows.push({ accountid: id, statecode: STATE.account.active, ct_lasttouchon: p.lastTouch[i] }),
    );
  return rows;
}

/**
 * Contacts whose parent is an account, 5,000 a page: their invoices and opportunities count for that account
 * (docs/data-model.md), as contacts.csv makes them count in the CLI and the link-entity in the save's queries.
 */
export function contactParentsFetchXml(page: number, cookie: string | null): string {
  return (
    `<fetch count="${PAGE_SIZE}" page="${page}"${cookie ? ` paging-cookie="${xmlEscape(cookie)}"` : ""}><entity name="contact">` +
    `<attribute name="contactid" /><attribute name="parentcustomerid" />` +
    `<link-entity name="account" from="accountid" to="parentcustomerid" link-type="inner" />` +
    `<order attribute="contactid" /></entity></fetch>`
  );
}

/** Lower-case contact id → lower-case parent account id. */
export async function readContactParents(
  client: RerankClient,
  signal: AbortSignal | undefined,
): Promise<Map<string, string>> {
  const parents = new Map<string, string>();
  let cookie: string | null = null;
  for (let page = 1; ; page++) {
    signal?.throwIfAborted();
    const res = await client.fetchPage("contact", contactParentsFetchXml(page, cookie));
    for (const r of res.rows)
      if (typeof r._parentcustomerid_value === "string")
        parents.set(String(r.contactid).toLowerCase(), r._parentcustomerid_value.toLowerCase());
    if (!res.moreRecords || res.rows.length === 0) return parents;
    cookie = res.pagingCookie;
  }
}

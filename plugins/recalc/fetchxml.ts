import { STATE, ACTIVITY_CHANNELS, windowFor, type TierModel } from "../../src/engine";
import {
  agg,
  aggregateFetch,
  anyOf,
  cond,
  condOn,
  contactCustomer,
  inList,
  iso,
  topRowsFetch,
} from "../dataverse/fetchxml";

/**
 * The FetchXML queries that read one account's facts (docs/tier-model.md) as aggregates, so a save costs a few small
 * queries however many invoices the account has. Date bounds are explicit UTC instants, not `dategrouping`, which
 * groups in the user's time zone. "First invoice" and "latest touches" have no lower date bound, so they are top-n
 * ordered queries, not aggregates: an aggregate over more than 50,000 rows fails (AggregateQueryRecordLimit). The
 * windowed aggregates are split by date when one still exceeds the limit (`splitWindow`, recalculate.ts).
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/aggregate-data
 */
export interface FactQuery {
  entity: string;
  fetchXml: string;
  /** A windowed aggregate: rebuilt over [start, end) halves when the aggregate limit is hit. */
  window?: { start: number; end: number; build(start: number, end: number): string };
}

const aggregate = aggregateFetch;

/**
 * Invoices and opportunities of a contact count for the contact's parent account (docs/data-model.md), as in the
 * export folder's contacts.csv and the re-rank. The save reads the account's contacts first and lists them with the
 * account in an `in` condition on customerid, which the customerid index serves. Past MAX_LISTED_CONTACTS the query
 * would outgrow a GET's URL, so such an account matches its contacts through a join instead (no index seek: slower).
 */
export const MAX_LISTED_CONTACTS = 400;
const CONTACT = "customercontact";

interface CustomerFilter {
  condition: string;
  links: string[];
}

function customerFilter(accountId: string, contactIds: readonly string[], maxListed: number): CustomerFilter {
  if (contactIds.length === 0) return { condition: cond("customerid", "eq", accountId), links: [] };
  if (contactIds.length <= maxListed) return { condition: inList("customerid", [accountId, ...contactIds]), links: [] };
  return {
    condition: anyOf(cond("customerid", "eq", accountId), condOn(CONTACT, "parentcustomerid", "eq", accountId)),
    links: [contactCustomer(CONTACT)],
  };
}

/** The account's contacts (their ids), as the save reads them before its facts. */
export function contactsFetchXml(accountId: string): string {
  return (
    `<fetch count="${MAX_LISTED_CONTACTS + 1}"><entity name="contact"><attribute name="contactid" />` +
    `<filter>${cond("parentcustomerid", "eq", accountId)}</filter></entity></fetch>`
  );
}

/** A windowed aggregate over [start, end) of `dateAttr`, rebuildable over a narrower range. */
function windowed(
  entity: string,
  attributes: string[],
  conditions: string[],
  dateAttr: string,
  start: number,
  end: number,
  links: string[] = [],
): FactQuery {
  const build = (a: number, b: number): string =>
    aggregate(entity, attributes, [...conditions, cond(dateAttr, "ge", iso(a)), cond(dateAttr, "lt", iso(b))], links);
  return { entity, fetchXml: build(start, end), window: { start, end, build } };
}

export const OPEN_OPPORTUNITY_PAGE = 5000;

/** Named queries; `factsFromResults` reads their rows by the same names. */
export function factQueries(
  accountId: string,
  model: TierModel,
  asOf: number,
  contactIds: readonly string[] = [],
  maxListed = MAX_LISTED_CONTACTS,
): Record<string, FactQuery> {
  const w = windowFor(model, asOf);
  const customer = customerFilter(accountId, contactIds, maxListed);
  const { links } = customer;
  const counted = [customer.condition, inList("statecode", model.invoiceStates)];
  const q: Record<string, FactQuery> = {
    monetary: windowed(
      "invoice",
      [agg("totalamount_base", "total", "sum")],
      counted,
      "createdon",
      w.start,
      asOf,
      links,
    ),
    purchases: windowed(
      "invoice",
      [agg("invoiceid", "n", "count"), agg("createdon", "last", "max")],
      [...counted, cond("totalamount_base", "gt", 0)],
      "createdon",
      w.start,
      asOf,
      links,
    ),
    firstInvoice: {
      entity: "invoice",
      fetchXml: topRowsFetch("invoice", "createdon", [...counted, cond("createdon", "lt", iso(asOf))], false, 1, links),
    },
    won: windowed(
      "opportunity",
      [agg("actualvalue_base", "total", "sum"), agg("actualclosedate", "last", "max")],
      [customer.condition, cond("statecode", "eq", STATE.opportunity.won)],
      "actualclosedate",
      w.start,
      asOf,
      links,
    ),
    pipeline: {
      entity: "opportunity",
      // Rows, not a sum: FetchXML cannot multiply value by probability. An account has few open opportunities.
      fetchXml:
        `<fetch count="${OPEN_OPPORTUNITY_PAGE}" page="1"><entity name="opportunity">` +
        `<attribute name="opportunityid" /><attribute name="estimatedvalue_base" /><attribute name="closeprobability" />` +
        links.join("") +
        `<filter type="and">${customer.condition}${cond("statecode", "eq", STATE.opportunity.open)}</filter>` +
        `<order attribute="opportunityid" /></entity></fetch>`,
    },
  };
  w.quarterStarts.forEach((start, j) => {
    const end = j === 0 ? w.quartersEnd : w.quarterStarts[j - 1];
    q[`quarter${j}`] = windowed(
      "invoice",
      [agg("totalamount_base", "total", "sum")],
      counted,
      "createdon",
      start,
      Math.min(end, asOf),
      links,
    );
  });
  // The three latest touches of each activity table: the latest of all is the last touch, the third latest tells
  // whether the account is over-touched (docs/touch-pattern.md). Three rows each, whatever the account's history.
  for (const activity of Object.keys(ACTIVITY_CHANNELS)) {
    q[`touch_${activity}`] = {
      entity: activity,
      fetchXml: topRowsFetch(
        activity,
        "actualend",
        [
          cond("regardingobjectid", "eq", accountId),
          cond("statecode", "eq", STATE.activity.completed),
          cond("actualend", "lt", iso(asOf)),
        ],
        true,
        3,
      ),
    };
  }
  return q;
}

/** A later page of the open-opportunity rows. */
export function withPage(fetchXml: string, page: number): string {
  return fetchXml.replace(/page="\d+"/, `page="${page}"`);
}

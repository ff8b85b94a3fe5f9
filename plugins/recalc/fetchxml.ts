import { STATE, ACTIVITY_CHANNELS, windowFor, type TierModel } from "../../src/engine";

/**
 * The FetchXML queries that read one account's facts (design.md §4) as aggregates, so a save costs a few small
 * queries however many invoices the account has. Date bounds are explicit UTC instants, not `dategrouping`, which
 * groups in the user's time zone.
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/aggregate-data
 */
export interface FactQuery {
  entity: string;
  fetchXml: string;
}

const xmlEscape = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
const iso = (t: number): string => new Date(t).toISOString();

const cond = (attribute: string, operator: string, value: string | number): string =>
  `<condition attribute="${attribute}" operator="${operator}" value="${xmlEscape(String(value))}" />`;
const inList = (attribute: string, values: readonly number[]): string =>
  `<condition attribute="${attribute}" operator="in">${values.map((v) => `<value>${v}</value>`).join("")}</condition>`;

function aggregate(entity: string, attributes: string[], conditions: string[]): string {
  return (
    `<fetch aggregate="true"><entity name="${entity}">${attributes.join("")}` +
    `<filter type="and">${conditions.join("")}</filter></entity></fetch>`
  );
}
const agg = (name: string, alias: string, fn: "sum" | "count" | "max" | "min"): string =>
  `<attribute name="${name}" alias="${alias}" aggregate="${fn}" />`;

export const OPEN_OPPORTUNITY_PAGE = 5000;

/** Named queries; `factsFromResults` reads their rows by the same names. */
export function factQueries(accountId: string, model: TierModel, asOf: number): Record<string, FactQuery> {
  const w = windowFor(model, asOf);
  const counted = [
    cond("customerid", "eq", accountId),
    inList("statecode", model.invoiceStates),
    cond("createdon", "lt", iso(asOf)),
  ];
  const inWindow = [...counted, cond("createdon", "ge", iso(w.start))];
  const q: Record<string, FactQuery> = {
    monetary: {
      entity: "invoice",
      fetchXml: aggregate("invoice", [agg("totalamount_base", "total", "sum")], inWindow),
    },
    purchases: {
      entity: "invoice",
      fetchXml: aggregate(
        "invoice",
        [agg("invoiceid", "n", "count"), agg("createdon", "last", "max")],
        [...inWindow, cond("totalamount_base", "gt", 0)],
      ),
    },
    firstInvoice: { entity: "invoice", fetchXml: aggregate("invoice", [agg("createdon", "first", "min")], counted) },
    won: {
      entity: "opportunity",
      fetchXml: aggregate(
        "opportunity",
        [agg("actualvalue_base", "total", "sum"), agg("actualclosedate", "last", "max")],
        [
          cond("customerid", "eq", accountId),
          cond("statecode", "eq", STATE.opportunity.won),
          cond("actualclosedate", "ge", iso(w.start)),
          cond("actualclosedate", "lt", iso(asOf)),
        ],
      ),
    },
    pipeline: {
      entity: "opportunity",
      // Rows, not a sum: FetchXML cannot multiply value by probability. An account has few open opportunities.
      fetchXml:
        `<fetch count="${OPEN_OPPORTUNITY_PAGE}" page="1"><entity name="opportunity">` +
        `<attribute name="opportunityid" /><attribute name="estimatedvalue_base" /><attribute name="closeprobability" />` +
        `<filter type="and">${cond("customerid", "eq", accountId)}${cond("statecode", "eq", STATE.opportunity.open)}</filter>` +
        `<order attribute="opportunityid" /></entity></fetch>`,
    },
  };
  w.quarterStarts.forEach((start, j) => {
    const end = j === 0 ? w.quartersEnd : w.quarterStarts[j - 1];
    q[`quarter${j}`] = {
      entity: "invoice",
      fetchXml: aggregate(
        "invoice",
        [agg("totalamount_base", "total", "sum")],
        [
          cond("customerid", "eq", accountId),
          inList("statecode", model.invoiceStates),
          cond("createdon", "ge", iso(start)),
          cond("createdon", "lt", iso(Math.min(end, asOf))),
        ],
      ),
    };
  });
  for (const activity of Object.keys(ACTIVITY_CHANNELS)) {
    q[`touch_${activity}`] = {
      entity: activity,
      fetchXml: aggregate(
        activity,
        [agg("actualend", "last", "max")],
        [
          cond("regardingobjectid", "eq", accountId),
          cond("statecode", "eq", STATE.activity.completed),
          cond("actualend", "lt", iso(asOf)),
        ],
      ),
    };
  }
  return q;
}

/** A later page of the open-opportunity rows. */
export function withPage(fetchXml: string, page: number): string {
  return fetchXml.replace(/page="\d+"/, `page="${page}"`);
}

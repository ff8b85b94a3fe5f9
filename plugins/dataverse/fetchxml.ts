/**
 * The one FetchXML builder of the service: every attribute value, name and list item is XML-escaped, so a value
 * holding `"`, `<` or `&` cannot change the query.
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/overview
 */
export const xmlEscape = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const iso = (t: number): string => new Date(t).toISOString();

export const cond = (attribute: string, operator: string, value: string | number): string =>
  `<condition attribute="${xmlEscape(attribute)}" operator="${xmlEscape(operator)}" value="${xmlEscape(String(value))}" />`;

export const inList = (attribute: string, values: readonly (number | string)[]): string =>
  `<condition attribute="${xmlEscape(attribute)}" operator="in">${values.map((v) => `<value>${xmlEscape(String(v))}</value>`).join("")}</condition>`;

/** A condition on a link-entity's row, written at the entity level (`entityname` names the link's alias). */
export const condOn = (alias: string, attribute: string, operator: string, value: string | number): string =>
  `<condition entityname="${xmlEscape(alias)}" attribute="${xmlEscape(attribute)}" operator="${xmlEscape(operator)}" value="${xmlEscape(String(value))}" />`;

/** Conditions of which any one may hold. */
export const anyOf = (...conditions: string[]): string => `<filter type="or">${conditions.join("")}</filter>`;

/**
 * An outer join from a customer lookup to contact: a row whose customer is a contact can then be matched by the
 * contact's parent account (`condOn(alias, "parentcustomerid", …)`); rows of account customers keep null columns.
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/join-tables
 */
export const contactCustomer = (alias: string, lookup = "customerid"): string =>
  `<link-entity name="contact" from="contactid" to="${xmlEscape(lookup)}" link-type="outer" alias="${xmlEscape(alias)}" />`;

export const agg = (name: string, alias: string, fn: "sum" | "count" | "max" | "min" | "countcolumn"): string =>
  `<attribute name="${xmlEscape(name)}" alias="${xmlEscape(alias)}" aggregate="${fn}" />`;

export const attribute = (name: string): string => `<attribute name="${xmlEscape(name)}" />`;

export const order = (name: string, descending = false): string =>
  `<order attribute="${xmlEscape(name)}"${descending ? ' descending="true"' : ""} />`;

/** `<fetch aggregate="true">` over one table with an `and` filter, and the link-entities its conditions name. */
export function aggregateFetch(
  entity: string,
  attributes: readonly string[],
  conditions: readonly string[],
  links: readonly string[] = [],
): string {
  return (
    `<fetch aggregate="true"><entity name="${xmlEscape(entity)}">${attributes.join("")}${links.join("")}` +
    `<filter type="and">${conditions.join("")}</filter></entity></fetch>`
  );
}

/**
 * The first `top` rows by `orderBy` (a non-aggregate `top` query): how "first" and "latest" are read, since an
 * aggregate min/max over an unbounded range counts every row against the 50,000-row aggregate limit.
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/aggregate-data#limitations
 */
export function topRowsFetch(
  entity: string,
  column: string,
  conditions: readonly string[],
  descending: boolean,
  top = 1,
  links: readonly string[] = [],
): string {
  return (
    `<fetch top="${Math.trunc(top)}"><entity name="${xmlEscape(entity)}">${attribute(column)}${links.join("")}` +
    `<filter type="and">${conditions.join("")}</filter>${order(column, descending)}</entity></fetch>`
  );
}

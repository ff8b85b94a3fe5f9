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

export const agg = (name: string, alias: string, fn: "sum" | "count" | "max" | "min" | "countcolumn"): string =>
  `<attribute name="${xmlEscape(name)}" alias="${xmlEscape(alias)}" aggregate="${fn}" />`;

export const attribute = (name: string): string => `<attribute name="${xmlEscape(name)}" />`;

export const order = (name: string, descending = false): string =>
  `<order attribute="${xmlEscape(name)}"${descending ? ' descending="true"' : ""} />`;

/** `<fetch aggregate="true">` over one table with an `and` filter. */
export function aggregateFetch(entity: string, attributes: readonly string[], conditions: readonly string[]): string {
  return (
    `<fetch aggregate="true"><entity name="${xmlEscape(entity)}">${attributes.join("")}` +
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
): string {
  return (
    `<fetch top="${Math.trunc(top)}"><entity name="${xmlEscape(entity)}">${attribute(column)}` +
    `<filter type="and">${conditions.join("")}</filter>${order(column, descending)}</entity></fetch>`
  );
}

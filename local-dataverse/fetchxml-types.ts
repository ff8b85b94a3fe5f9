/** The parsed FetchXML query: entities (root and link-entities), attributes, conditions, orders, and the limits. */
import type { ColumnDef, TableDef } from "./metadata";

/** Aggregate queries evaluate at most 50,000 rows (AggregateQueryRecordLimit). */
export const AGGREGATE_LIMIT = 50_000;
/** Default and maximum FetchXML page size. */
export const MAX_PAGE = 5000;
/** One day in milliseconds: date conditions and week grouping count in whole UTC days. */
export const DAY = 86_400_000;

export type Aggregate = "sum" | "avg" | "min" | "max" | "count" | "countcolumn";
export type DateGrouping = "day" | "week" | "month" | "quarter" | "year";

export interface AttrNode {
  entity: EntityNode;
  col: ColumnDef;
  alias?: string;
  aggregate?: Aggregate;
  groupby: boolean;
  dategrouping?: DateGrouping;
  distinct: boolean;
}
export interface Condition {
  entity: EntityNode;
  col: ColumnDef;
  operator: string;
  values: string[];
  /** `valueof`: compare with another column of the same row instead of a value. */
  other?: ColumnDef;
}
export interface FilterNode {
  type: "and" | "or";
  conditions: Condition[];
  filters: FilterNode[];
}
export interface OrderNode {
  entity: EntityNode;
  col?: ColumnDef;
  alias?: string;
  descending: boolean;
}
export interface EntityNode {
  def: TableDef;
  alias: string;
  index: number;
  attributes: AttrNode[];
  allAttributes: boolean;
  orders: OrderNode[];
  filter?: FilterNode;
  links: LinkNode[];
}
export interface LinkNode extends EntityNode {
  from: ColumnDef;
  to: ColumnDef;
  linkType: "inner" | "outer";
}
export interface FetchQuery {
  aggregate: boolean;
  count?: number;
  page: number;
  pagingCookie?: string;
  top?: number;
  distinct: boolean;
  aggregateLimit: number;
  root: EntityNode;
  entities: EntityNode[];
}

export interface FetchResult {
  value: Record<string, unknown>[];
  moreRecords: boolean;
  pagingCookie?: string;
}

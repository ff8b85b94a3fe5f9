/** FetchXML conditions and filters compiled to predicates over a joined tuple (one row per entity, null if unmatched). */
import { badRequest } from "./errors";
import type { Row } from "./store";
import { isGuidColumn, sqlGuidKey } from "./guid-order";
import { type Condition, DAY, type FilterNode } from "./fetchxml-types";
import { comparable, parseConditionValue } from "./fetchxml-values";

function likeRegex(pattern: string): RegExp {
  const body = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    .replace(/%/g, ".*")
    .replace(/_/g, ".");
  return new RegExp(`^${body}$`, "s");
}

type Predicate = (tuple: (Row | null)[]) => boolean;

/** https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/filter-rows */
function compileCondition(c: Condition): Predicate {
  const idx = c.entity.index;
  const name = c.col.name;
  // Ids compare in SQL Server's uniqueidentifier order (guid-order.ts); the key is one-to-one, so eq/in still hold.
  const guid = isGuidColumn(c.col) && !c.operator.includes("like");
  const vals = c.values.map((v) => {
    const parsed = parseConditionValue(c.col, v, c.operator);
    return guid && typeof parsed === "string" ? sqlGuidKey(parsed) : parsed;
  });
  const get = (t: (Row | null)[]): string | number | boolean | null => {
    const v = comparable(t[idx]?.[name] ?? null);
    return guid && typeof v === "string" ? sqlGuidKey(v) : v;
  };
  const [a, b] = vals;
  if (c.other) {
    const other = c.other.name;
    const right = (t: (Row | null)[]): string | number | boolean | null => comparable(t[idx]?.[other] ?? null);
    const ops: Record<string, (n: number) => boolean> = {
      eq: (n) => n === 0,
      ne: (n) => n !== 0,
      neq: (n) => n !== 0,
      gt: (n) => n > 0,
      ge: (n) => n >= 0,
      lt: (n) => n < 0,
      le: (n) => n <= 0,
    };
    const test = ops[c.operator];
    return (t) => {
      const l = get(t);
      const r = right(t);
      return l !== null && r !== null && test(cmp(l, r));
    };
  }
  switch (c.operator) {
    case "eq":
      return (t) => get(t) === a;
    case "ne":
    case "neq":
      return (t) => {
        const v = get(t);
        return v !== null && v !== a;
      };
    case "gt":
      return (t) => cmp(get(t), a) > 0;
    case "ge":
      return (t) => cmp(get(t), a) >= 0;
    case "lt":
      return (t) => cmp(get(t), a) < 0;
    case "le":
      return (t) => cmp(get(t), a) <= 0;
    case "null":
      return (t) => get(t) === null;
    case "not-null":
      return (t) => get(t) !== null;
    case "in": {
      const set = new Set(vals);
      return (t) => set.has(get(t) as never);
    }
    case "not-in": {
      const set = new Set(vals);
      return (t) => {
        const v = get(t);
        return v !== null && !set.has(v as never);
      };
    }
    case "between":
      return (t) => cmp(get(t), a) >= 0 && cmp(get(t), b) <= 0;
    case "not-between":
      return (t) => {
        const v = get(t);
        return v !== null && (cmp(v, a) < 0 || cmp(v, b) > 0);
      };
    case "like":
    case "not-like": {
      const re = likeRegex(String(a));
      const neg = c.operator === "not-like";
      return (t) => {
        const v = get(t);
        return v !== null && re.test(String(v)) !== neg;
      };
    }
    case "begins-with":
      return (t) => String(get(t) ?? "\u0000").startsWith(String(a));
    case "not-begin-with":
      return (t) => get(t) !== null && !String(get(t)).startsWith(String(a));
    case "ends-with":
      return (t) => get(t) !== null && String(get(t)).endsWith(String(a));
    case "not-end-with":
      return (t) => get(t) !== null && !String(get(t)).endsWith(String(a));
    case "on": {
      const start = Math.floor(Number(a) / DAY) * DAY;
      return (t) => cmp(get(t), start) >= 0 && cmp(get(t), start + DAY) < 0;
    }
    case "on-or-after": {
      const start = Math.floor(Number(a) / DAY) * DAY;
      return (t) => cmp(get(t), start) >= 0;
    }
    case "on-or-before": {
      const end = Math.floor(Number(a) / DAY) * DAY + DAY;
      return (t) => cmp(get(t), end) < 0;
    }
    // Relative to the current time (UTC here; Dataverse uses the caller's time zone for date-only columns).
    case "olderthan-x-days":
      return (t) => cmp(get(t), Date.now() - Number(a) * DAY) < 0;
    case "last-x-days":
      return (t) => cmp(get(t), Date.now() - Number(a) * DAY) >= 0 && cmp(get(t), Date.now()) <= 0;
    case "last-x-months": {
      return (t) => {
        const from = new Date();
        from.setUTCMonth(from.getUTCMonth() - Number(a));
        return cmp(get(t), from.getTime()) >= 0 && cmp(get(t), Date.now()) <= 0;
      };
    }
    default:
      throw badRequest(`The condition operator '${c.operator}' is not supported by the sandbox.`);
  }
}

/** SQL-like comparison: anything against null is "unknown" (never matches). */
function cmp(v: string | number | boolean | null, w: string | number | boolean | null | undefined): number {
  if (v === null || w === null || w === undefined) return NaN;
  return v < w ? -1 : v > w ? 1 : 0;
}

export function compileFilter(f: FilterNode | undefined): Predicate | undefined {
  if (!f) return undefined;
  const parts = [
    ...f.conditions.map(compileCondition),
    ...f.filters.map(compileFilter).filter((p): p is Predicate => !!p),
  ];
  if (parts.length === 0) return undefined;
  return f.type === "and" ? (t) => parts.every((p) => p(t)) : (t) => parts.some((p) => p(t));
}

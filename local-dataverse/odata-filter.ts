/**
 * `$filter` subset: comparisons eq/ne/gt/ge/lt/le, and/or/not, parentheses, null, and the
 * contains/startswith/endswith functions, type-checked against the column metadata.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/filter-rows
 */
import { badRequest } from "./errors";
import { type ColumnDef, edmType, isLookup, type TableDef } from "./metadata";
import { isLookupValue, type Row, type Value } from "./store";
import { parseDate, propertyColumn, unknownProperty } from "./codec";
import { isGuidColumn, sqlGuidKey } from "./guid-order";

type Op = "eq" | "ne" | "gt" | "ge" | "lt" | "le";
type Literal =
  | { type: "null" }
  | { type: "string"; value: string }
  | { type: "number"; value: number }
  | { type: "boolean"; value: boolean }
  | { type: "guid"; value: string }
  | { type: "date"; value: number; text: string };

type Node =
  | { kind: "and" | "or"; left: Node; right: Node }
  | { kind: "not"; expr: Node }
  | { kind: "cmp"; op: Op; col: ColumnDef; lit: Literal }
  | { kind: "fn"; name: "contains" | "startswith" | "endswith"; col: ColumnDef; arg: string };

type Token = { t: "(" | ")" | "," } | { t: "ident"; v: string } | { t: "lit"; v: Literal };

const OPS = new Set(["eq", "ne", "gt", "ge", "lt", "le"]);
const OP_KIND: Record<Op, string> = {
  eq: "Equal",
  ne: "NotEqual",
  gt: "GreaterThan",
  ge: "GreaterThanOrEqual",
  lt: "LessThan",
  le: "LessThanOrEqual",
};

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const rest = (): string => src.slice(i);
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "(" || ch === ")" || ch === ",") {
      tokens.push({ t: ch });
      i++;
      continue;
    }
    if (ch === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= src.length) throw badRequest(`Syntax error: unterminated string literal in $filter '${src}'.`);
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += src[i++];
      }
      tokens.push({ t: "lit", v: { type: "string", value } });
      continue;
    }
    let m = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/.exec(rest());
    if (m && !/^[0-9a-f]{8}-/i.test(rest())) {
      const ms = parseDate(m[0]);
      if (ms === undefined) throw badRequest(`Syntax error: '${m[0]}' is not a valid date in $filter.`);
      tokens.push({ t: "lit", v: { type: "date", value: ms, text: m[0] } });
      i += m[0].length;
      continue;
    }
    m = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.exec(rest());
    if (m) {
      tokens.push({ t: "lit", v: { type: "guid", value: m[0].toLowerCase() } });
      i += m[0].length;
      continue;
    }
    m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?[mMdDfF]?/.exec(rest());
    if (m) {
      tokens.push({ t: "lit", v: { type: "number", value: Number(m[0].replace(/[mMdDfF]$/, "")) } });
      i += m[0].length;
      continue;
    }
    m = /^[A-Za-z_][A-Za-z0-9_./]*/.exec(rest());
    if (m) {
      const word = m[0];
      if (word === "null") tokens.push({ t: "lit", v: { type: "null" } });
      else if (word === "true" || word === "false")
        tokens.push({ t: "lit", v: { type: "boolean", value: word === "true" } });
      else tokens.push({ t: "ident", v: word });
      i += word.length;
      continue;
    }
    throw badRequest(`Syntax error at position ${i} in $filter '${src}'.`);
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly def: TableDef,
    private readonly src: string,
  ) {}

  parse(): Node {
    const node = this.or();
    if (this.pos < this.tokens.length) throw this.syntax();
    return node;
  }

  private syntax(): Error {
    return badRequest(`Syntax error at token ${this.pos + 1} in $filter '${this.src}'.`);
  }

  private peekWord(word: string): boolean {
    const tok = this.tokens[this.pos];
    return tok?.t === "ident" && tok.v === word;
  }

  private or(): Node {
    let left = this.and();
    while (this.peekWord("or")) {
      this.pos++;
      left = { kind: "or", left, right: this.and() };
    }
    return left;
  }

  private and(): Node {
    let left = this.unary();
    while (this.peekWord("and")) {
      this.pos++;
      left = { kind: "and", left, right: this.unary() };
    }
    return left;
  }

  private unary(): Node {
    if (this.peekWord("not")) {
      this.pos++;
      return { kind: "not", expr: this.unary() };
    }
    const tok = this.tokens[this.pos];
    if (tok?.t === "(") {
      this.pos++;
      const inner = this.or();
      if (this.tokens[this.pos]?.t !== ")") throw this.syntax();
      this.pos++;
      return inner;
    }
    if (
      tok?.t === "ident" &&
      (tok.v === "contains" || tok.v === "startswith" || tok.v === "endswith") &&
      this.tokens[this.pos + 1]?.t === "("
    ) {
      this.pos += 2;
      const prop = this.tokens[this.pos++];
      const comma = this.tokens[this.pos++];
      const arg = this.tokens[this.pos++];
      const close = this.tokens[this.pos++];
      if (prop?.t !== "ident" || comma?.t !== "," || arg?.t !== "lit" || arg.v.type !== "string" || close?.t !== ")")
        throw this.syntax();
      const col = this.column(prop.v);
      if (col.type !== "String" && col.type !== "Memo")
        throw badRequest(`The function '${tok.v}' needs a string property; '${prop.v}' is ${edmType(col)}.`);
      return { kind: "fn", name: tok.v, col, arg: arg.v.value.toLowerCase() };
    }
    return this.comparison();
  }

  private comparison(): Node {
    const a = this.tokens[this.pos++];
    const opTok = this.tokens[this.pos++];
    const b = this.tokens[this.pos++];
    if (!a || !b || opTok?.t !== "ident" || !OPS.has(opTok.v)) throw this.syntax();
    let op = opTok.v as Op;
    let propTok = a;
    let litTok = b;
    if (a.t === "lit" && b.t === "ident") {
      propTok = b;
      litTok = a;
      op = ({ gt: "lt", ge: "le", lt: "gt", le: "ge", eq: "eq", ne: "ne" } as const)[op];
    }
    if (propTok.t !== "ident" || litTok.t !== "lit") throw this.syntax();
    const col = this.column(propTok.v);
    checkType(col, litTok.v, op);
    return { kind: "cmp", op, col, lit: litTok.v };
  }

  private column(property: string): ColumnDef {
    const col = propertyColumn(this.def, property);
    if (!col) throw unknownProperty(this.def, property);
    return col;
  }
}

function literalEdm(lit: Literal): string {
  switch (lit.type) {
    case "string":
      return "Edm.String";
    case "number":
      return Number.isInteger(lit.value) ? "Edm.Int32" : "Edm.Decimal";
    case "boolean":
      return "Edm.Boolean";
    case "guid":
      return "Edm.Guid";
    case "date":
      return lit.text.length === 10 ? "Edm.Date" : "Edm.DateTimeOffset";
    case "null":
      return "null";
  }
}

function checkType(col: ColumnDef, lit: Literal, op: Op): void {
  if (lit.type === "null") return;
  const ok = (() => {
    switch (col.type) {
      case "String":
      case "Memo":
        return lit.type === "string";
      case "Integer":
      case "Picklist":
      case "State":
      case "Status":
        return lit.type === "number" && Number.isInteger(lit.value);
      case "Decimal":
      case "Money":
        return lit.type === "number";
      case "DateTime":
        return lit.type === "date";
      case "Boolean":
        return lit.type === "boolean";
      default:
        return lit.type === "guid";
    }
  })();
  if (!ok) {
    throw badRequest(
      `A binary operator with incompatible types was detected. Found operand types '${edmType(col)}' and '${literalEdm(lit)}' for operator kind '${OP_KIND[op]}'.`,
    );
  }
}

function literalValue(lit: Literal): Value {
  switch (lit.type) {
    case "null":
      return null;
    case "string":
      return lit.value.toLowerCase();
    default:
      return lit.value;
  }
}

function compare(op: Op, v: Value, lit: Literal, col: ColumnDef): boolean {
  if (lit.type === "null") return op === "eq" ? v === null : op === "ne" ? v !== null : false;
  if (v === null) return op === "ne";
  let a = isLookupValue(v) ? v.id : typeof v === "string" ? v.toLowerCase() : v;
  let b = literalValue(lit) as string | number | boolean;
  // Ids compare in SQL Server's uniqueidentifier order, not as strings (guid-order.ts).
  if (isGuidColumn(col) && typeof a === "string" && typeof b === "string") {
    a = sqlGuidKey(a);
    b = sqlGuidKey(b);
  }
  switch (op) {
    case "eq":
      return a === b;
    case "ne":
      return a !== b;
    case "gt":
      return a > b;
    case "ge":
      return a >= b;
    case "lt":
      return a < b;
    case "le":
      return a <= b;
  }
}

function evaluate(node: Node, row: Row): boolean {
  switch (node.kind) {
    case "and":
      return evaluate(node.left, row) && evaluate(node.right, row);
    case "or":
      return evaluate(node.left, row) || evaluate(node.right, row);
    case "not":
      return !evaluate(node.expr, row);
    case "cmp":
      return compare(node.op, row[node.col.name] ?? null, node.lit, node.col);
    case "fn": {
      const v = row[node.col.name];
      if (typeof v !== "string") return false;
      const s = v.toLowerCase();
      return node.name === "contains"
        ? s.includes(node.arg)
        : node.name === "startswith"
          ? s.startsWith(node.arg)
          : s.endsWith(node.arg);
    }
  }
}

export interface CompiledFilter {
  test: (row: Row) => boolean;
  /** A conjunct `_x_value eq <guid>` that lets the caller read the lookup index instead of scanning. */
  lookupHint?: { column: string; id: string };
}

function hint(node: Node): CompiledFilter["lookupHint"] {
  if (node.kind === "cmp" && node.op === "eq" && isLookup(node.col) && node.lit.type === "guid") {
    return { column: node.col.name, id: node.lit.value };
  }
  if (node.kind === "and") return hint(node.left) ?? hint(node.right);
  return undefined;
}

export function compileFilter(def: TableDef, src: string): CompiledFilter {
  const node = new Parser(tokenize(src), def, src).parse();
  return { test: (row) => evaluate(node, row), lookupHint: hint(node) };
}

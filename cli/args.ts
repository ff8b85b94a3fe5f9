import { parseArgs, type ParseArgsConfig } from "node:util";
import { parseInstant } from "../src/engine/dates";
import { UsageError } from "./command";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** node:util parseArgs with every failure turned into a UsageError that names the option. */
export function parseOptions<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    // node:util quotes a stray argument back ("Unexpected argument 'x'"): it may be a key typed in the wrong place.
    throw new UsageError(
      (e as Error).message
        .replace(/\. To specify a positional argument.*$/s, "")
        .replace(/^Unexpected argument '.*'(?=\.|$)/s, "Unexpected argument (not shown: it may be a secret)"),
    );
  }
}

export function requireOption<T>(value: T | undefined, name: string): T {
  if (value === undefined || value === "") throw new UsageError(`--${name} is required`);
  return value;
}

/** --as-of: a date (its UTC midnight) or an ISO instant. */
export function asOfOption(value: string | undefined): number {
  const text = requireOption(value, "as-of");
  const t = parseInstant(text);
  if (Number.isNaN(t))
    throw new UsageError(`--as-of "${text}" is not a date (expected YYYY-MM-DD or an ISO 8601 instant)`);
  return t;
}

export function positiveIntOption(value: string | undefined, name: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`--${name} "${value}" is not a positive whole number`);
  return Number(value);
}

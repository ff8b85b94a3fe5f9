import { readFileSync } from "node:fs";
import { DEFAULT_MODEL, ModelError, parseModel, type TierModel } from "../src/engine/model";
import { InputError } from "../src/export-reader/input-error";

/** Reads a model JSON file; a syntax error names its line and column, an invalid model the field. */
export function readModelFile(path: string | undefined): TierModel {
  if (path === undefined) return DEFAULT_MODEL;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new InputError(
      path,
      null,
      null,
      `cannot read the model file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // Only where, never what: JSON.parse quotes the text it choked on, and `--model /etc/shadow` must not print the
    // file's first characters (issue 17).
    const at = /position (\d+)/.exec((e as Error).message);
    const { line, column } = at ? lineAndColumn(text, Number(at[1])) : { line: null, column: null };
    throw new InputError(path, line, column == null ? null : String(column), "not valid JSON (contents not shown)");
  }
  try {
    return parseModel(json);
  } catch (e) {
    if (e instanceof ModelError) throw new InputError(path, null, null, `field ${e.field}: ${e.reason}`);
    throw e;
  }
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

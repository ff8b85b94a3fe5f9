import { KPI_NAMES } from "../engine/explanation-types";
import { ModelError, parseModel, type TierModel } from "../engine/model";

/**
 * The model JSON as the editor holds it while the user types: the stored object (fields the editor has no input
 * for, and unknown ones, stay as they were, so the schema still sees them), with each typed input written into it.
 */
export type ModelJson = Record<string, unknown>;

/** Every input the editor shows, by the JSON path the engine's ModelError names. */
export const NUMBER_FIELDS = [
  "windowMonths",
  ...KPI_NAMES.map((k) => `weights.${k}`),
  "hysteresis.demotionMargin",
  "hysteresis.minDaysInTier",
  "trend.dropRatio",
  "trend.riseRatio",
  "trend.minAbsoluteChange",
  "trend.baselineQuarters",
] as const;
export const TIER_FIELDS = ["share", "revenueShare", "minScore"] as const;
export type TierField = (typeof TIER_FIELDS)[number];

export interface Draft {
  /** The JSON text could not be read at all. */
  unreadable?: string;
  json: ModelJson;
  /** Inputs as typed, by path (`weights.monetary`, `tiers[0].share`): kept while they are not numbers. */
  typed: Record<string, string>;
}

/** The reason for text that is not a number; the view shows it in the user's language. */
export const NOT_A_NUMBER = "must be a number";

export type Check =
  | { ok: true; model: TierModel; text: string }
  | { ok: false; field: string; reason: string; typed: Record<string, string> };

/** The stored column's text as a draft; an empty column is the default model. */
export function draftFrom(text: string | null | undefined): Draft {
  const trimmed = text?.trim() ?? "";
  if (!trimmed) return { json: {}, typed: {} };
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return { json: parsed as ModelJson, typed: {} };
    return { json: {}, typed: {}, unreadable: "the model must be a JSON object" };
  } catch (e) {
    return { json: {}, typed: {}, unreadable: `not JSON: ${(e as Error).message}` };
  }
}

function getPath(json: ModelJson, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as ModelJson)[k] : undefined), json);
}

/** Writes a value at a dotted path, creating objects on the way; undefined removes it (the default applies). */
function setPath(json: ModelJson, path: string, value: unknown): ModelJson {
  const [head, ...rest] = path.split(".");
  const copy = { ...json };
  if (rest.length === 0) {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
    return copy;
  }
  const child = copy[head] && typeof copy[head] === "object" ? (copy[head] as ModelJson) : {};
  copy[head] = setPath(child, rest.join("."), value);
  return copy;
}

/** The tiers the editor shows: the JSON's, else the engine's defaults (written into the JSON on the first edit). */
export function tiersOf(draft: Draft): ModelJson[] {
  const tiers = draft.json.tiers;
  if (Array.isArray(tiers)) return tiers as ModelJson[];
  return parseModel({}).tiers.map((t) => {
    const out: ModelJson = { code: t.code };
    for (const f of TIER_FIELDS) if (t[f] !== undefined) out[f] = t[f];
    return out;
  });
}

/** What an input shows: the text as typed, else the JSON's value, else empty (the engine's default applies). */
export function shown(draft: Draft, path: string): string {
  if (path in draft.typed) return draft.typed[path];
  const tier = /^tiers\[(\d+)\]\.(\w+)$/.exec(path);
  const value = tier ? tiersOf(draft)[Number(tier[1])]?.[tier[2]] : getPath(draft.json, path);
  return value == null ? "" : String(value);
}

/** A number typed the way people type them: "0.1", "0,1", " 12 ". Empty: not set. */
function readNumber(text: string): number | undefined | null {
  const t = text.trim().replace(",", ".");
  if (t === "") return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** The draft after typing `text` into the input at `path`. */
export function edit(draft: Draft, path: string, text: string): Draft {
  const value = readNumber(text);
  const typed = { ...draft.typed };
  if (value === null) {
    typed[path] = text;
    return { ...draft, typed };
  }
  delete typed[path];
  const tier = /^tiers\[(\d+)\]\.(\w+)$/.exec(path);
  if (tier) {
    const tiers = tiersOf(draft).map((t) => ({ ...t }));
    const row = tiers[Number(tier[1])];
    if (value === undefined) delete row[tier[2]];
    else row[tier[2]] = value;
    return { ...draft, typed, json: { ...draft.json, tiers } };
  }
  return { ...draft, typed, json: setPath(draft.json, path, value) };
}

export function setMethod(draft: Draft, method: string): Draft {
  return { ...draft, json: { ...draft.json, method } };
}

/** Validates the draft with the engine's own parseModel; the first problem names its field as the engine does. */
export function check(draft: Draft): Check {
  if (draft.unreadable) return { ok: false, field: "(model)", reason: draft.unreadable, typed: {} };
  const notNumbers = Object.keys(draft.typed);
  if (notNumbers.length > 0) return { ok: false, field: notNumbers[0], reason: NOT_A_NUMBER, typed: draft.typed };
  try {
    return { ok: true, model: parseModel(draft.json), text: JSON.stringify(draft.json, null, 2) };
  } catch (e) {
    if (e instanceof ModelError) return { ok: false, field: e.field, reason: e.reason, typed: {} };
    throw e;
  }
}

/**
 * Which input shows a problem: the exact path, or for a whole-list rule (`tiers[].share`, `weights`) every input
 * under it; a field the editor has no input for (an unknown key, `invoiceStates`) goes to the top of the form.
 */
export function problemFor(c: Check, path: string): string | undefined {
  if (c.ok) return undefined;
  if (c.field === path) return c.reason;
  const list = /^tiers\[\]\.(\w+)$/.exec(c.field);
  if (list && new RegExp(`^tiers\\[\\d+\\]\\.${list[1]}$`).test(path)) return c.reason;
  if (c.field === "weights" && path.startsWith("weights.")) return c.reason;
  return undefined;
}

const INPUT_PATH =
  /^(windowMonths|method|weights\.\w+|hysteresis\.\w+|trend\.\w+|tiers\[\d+\]\.(share|revenueShare|minScore))$/;

/** A problem no single input shows (unknown fields, the tier list, JSON that cannot be read). */
export function generalProblem(c: Check): string | undefined {
  if (c.ok) return undefined;
  if (INPUT_PATH.test(c.field) || /^tiers\[\]\.(share|revenueShare)$/.test(c.field) || c.field === "weights")
    return undefined;
  return c.field === "(model)" ? c.reason : `${c.field}: ${c.reason}`;
}

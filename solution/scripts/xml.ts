import { readFileSync } from "node:fs";
import { XMLParser, XMLValidator } from "fast-xml-parser";

/** Parsed XML: elements by name, attributes under "@_name", text under "#text". Everything stays a string. */
export type XmlNode = { [key: string]: XmlValue };
export type XmlValue = string | XmlNode | XmlValue[];

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
});

/** Parses an XML file, failing with the file name and line when it is not well-formed. */
export function readXml(file: string): XmlNode {
  const text = readFileSync(file, "utf8");
  const check = XMLValidator.validate(text);
  if (check !== true) {
    throw new Error(`${file}:${check.err.line}:${check.err.col}: ${check.err.msg}`);
  }
  return parser.parse(text) as XmlNode;
}

/** The child elements named `name` as an array (fast-xml-parser collapses a single child to an object). */
export function children(node: XmlValue | undefined, name: string): XmlNode[] {
  if (node === undefined || typeof node === "string" || Array.isArray(node)) return [];
  const value = node[name];
  if (value === undefined || value === "") return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (typeof v === "string" ? { "#text": v } : (v as XmlNode)));
}

/** The text of child element `name` ("" when absent or empty). */
export function text(node: XmlValue | undefined, name: string): string {
  if (node === undefined || typeof node === "string" || Array.isArray(node)) return "";
  const value = node[name];
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) throw new Error(`<${name}> appears more than once`);
  const inner = value["#text"];
  return typeof inner === "string" ? inner : "";
}

/** Attribute `name` of an element ("" when absent). */
export function attr(node: XmlNode, name: string): string {
  const value = node[`@_${name}`];
  return typeof value === "string" ? value : "";
}

/** "{GUID}" or "GUID" → lower-case GUID without braces. */
export function normalizeGuid(value: string): string {
  return value.trim().replace(/^\{/, "").replace(/\}$/, "").toLowerCase();
}

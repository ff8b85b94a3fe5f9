import type { TierCode } from "../engine/choices";

/**
 * Default badge colours when the choice has no Color of its own. Each pairs with white text at a contrast ratio
 * of at least 4.5:1 (WCAG 2.1 AA for normal text, https://www.w3.org/TR/WCAG21/#contrast-minimum).
 */
export const DEFAULT_TIER_COLORS: Record<TierCode, string> = {
  AAA: "#7A5600", // deep gold
  A: "#005A9E", // Fluent theme dark blue
  B: "#0B6A0B", // Fluent dark green
  C: "#605E5C", // Fluent neutral secondary
};
export const UNKNOWN_TIER_COLOR = "#3B3A39";

const HEX = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i;

/** Parses "#rrggbb" / "#rgb" (the forms Dataverse stores in OptionMetadata.Color); undefined for anything else. */
export function parseHex(color: string | null | undefined): [number, number, number] | undefined {
  const m = color ? HEX.exec(color.trim()) : null;
  if (!m) return undefined;
  const hex = m[1].length === 3 ? [...m[1]].map((c) => c + c).join("") : m[1];
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

/** Relative luminance, https://www.w3.org/TR/WCAG21/#dfn-relative-luminance */
export function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export function contrastRatio(a: string, b: string): number {
  const la = luminance(parseHex(a) ?? [0, 0, 0]);
  const lb = luminance(parseHex(b) ?? [0, 0, 0]);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** Black or white, whichever reads better on the background (the better of the two always reaches 4.5:1). */
export function textColorOn(background: string): "#000000" | "#FFFFFF" {
  return contrastRatio(background, "#000000") >= contrastRatio(background, "#FFFFFF") ? "#000000" : "#FFFFFF";
}

/** The badge's colours: the option's own Color when it is a valid hex value, else the default palette. */
export function badgeColors(
  optionColor: string | null | undefined,
  code: TierCode | undefined,
): { background: string; foreground: string } {
  const fallback = code ? DEFAULT_TIER_COLORS[code] : UNKNOWN_TIER_COLOR;
  const background = parseHex(optionColor) ? normalise(optionColor as string) : fallback;
  return { background, foreground: textColorOn(background) };
}

function normalise(color: string): string {
  const c = color.trim();
  return c.startsWith("#") ? c : `#${c}`;
}

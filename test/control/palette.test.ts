import {
  badgeColors,
  contrastRatio,
  DEFAULT_TIER_COLORS,
  textColorOn,
  UNKNOWN_TIER_COLOR,
} from "../../src/control/palette";

describe("palette", () => {
  test("every default tier colour meets WCAG AA (4.5:1) with its text colour", () => {
    for (const color of [...Object.values(DEFAULT_TIER_COLORS), UNKNOWN_TIER_COLOR]) {
      expect(contrastRatio(color, textColorOn(color))).toBeGreaterThanOrEqual(4.5);
    }
  });

  test("contrast ratio matches the WCAG reference values", () => {
    expect(contrastRatio("#000000", "#FFFFFF")).toBeCloseTo(21, 5);
    expect(contrastRatio("#777777", "#FFFFFF")).toBeCloseTo(4.48, 2);
  });

  test("any option colour gets the text colour that reads best, at least 4.5:1", () => {
    for (let v = 0; v < 256; v += 15) {
      for (const hex of [
        `#${v.toString(16).padStart(2, "0").repeat(3)}`,
        `#ff${v.toString(16).padStart(2, "0")}00`,
        `#00${v.toString(16).padStart(2, "0")}ff`,
      ]) {
        const { foreground } = badgeColors(hex, "A");
        expect(contrastRatio(hex, foreground)).toBeGreaterThanOrEqual(4.5);
      }
    }
  });

  test("short and hash-less hex forms are accepted", () => {
    expect(badgeColors("fc0", undefined)).toEqual({ background: "#fc0", foreground: "#000000" });
    expect(badgeColors(null, undefined).background).toBe(UNKNOWN_TIER_COLOR);
  });
});

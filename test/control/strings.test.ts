import * as fs from "node:fs";
import * as path from "node:path";
import { STRING_KEYS, makeTranslate } from "../../src/control/strings";
import { loadResx } from "./mock-context";

const manifest = fs.readFileSync(path.join(__dirname, "../../src/control/ControlManifest.Input.xml"), "utf8");
const manifestKeys = [...manifest.matchAll(/(?:display-name-key|description-key)="([^"]+)"/g)].map((m) => m[1]);

describe("resx strings", () => {
  test.each([1033, 1031] as const)("%i holds every UI and manifest key, none empty", (lcid) => {
    const strings = loadResx(lcid);
    const missing = [...STRING_KEYS, ...manifestKeys].filter((k) => !strings.get(k)?.trim());
    expect(missing).toEqual([]);
  });

  test("both languages hold the same keys, and German is really translated", () => {
    const en = loadResx(1033);
    const de = loadResx(1031);
    expect([...de.keys()].sort()).toEqual([...en.keys()].sort());
    const same = STRING_KEYS.filter((k) => en.get(k) === de.get(k));
    // Words that are the same in both languages (Score, Trend: {0}) are few; a copied file would fail here.
    expect(same.length).toBeLessThan(5);
  });

  test("issue 14: German says Kundenstufe, never 'Tier' (a German reader takes it for an animal)", () => {
    const de = loadResx(1031);
    const tierWord = [...de.entries()].filter(([, v]) => /\bTiers?\b|Tier-|-Tier\b/.test(v)).map(([k]) => k);
    expect(tierWord).toEqual([]);
    expect(de.get("Why_Button")).toBe("Warum diese Kundenstufe?");
    expect(de.get("Group_Label")).toBe("Kundenstufe");
    // An account is a customer to a salesperson ("Kunde"), not a bank account ("Konto").
    expect([...de.values()].filter((v) => /\bKont(o|os|en)\b/.test(v))).toEqual([]);
  });

  test("placeholders survive translation", () => {
    const en = loadResx(1033);
    const de = loadResx(1031);
    const holes = (s = "") => [...s.matchAll(/\{\d\}/g)].map((m) => m[0]).sort();
    for (const k of STRING_KEYS) expect([k, holes(de.get(k))]).toEqual([k, holes(en.get(k))]);
  });

  test("translate fills numbered placeholders and leaves unknown ones visible", () => {
    const t = makeTranslate({ getString: () => "{1} before {0}, {2}" });
    expect(t("Kpi_Line", "a", "b")).toBe("b before a, {2}");
  });
});

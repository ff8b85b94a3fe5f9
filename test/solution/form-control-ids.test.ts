import { readFileSync } from "node:fs";
import { readSolutionSource } from "../../solution/scripts/source-model";

/** Control ids identify a control on a form (formContext.getControl): two controls with one id break the form. */
test("every control id on every form is unique", () => {
  const forms = readSolutionSource().forms;
  expect(forms.length).toBeGreaterThan(0);
  for (const f of forms) {
    const ids = [...readFileSync(f.file, "utf8").matchAll(/<control\s[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
    const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect({ file: f.file, dupes }).toEqual({ file: f.file, dupes: [] });
  }
});

import * as fs from "node:fs";
import * as path from "node:path";
import { act, fireEvent, render, screen } from "@testing-library/react";
import { axe, toHaveNoViolations } from "jest-axe";
import { buildPreviewSample, computeFacts, parseInstant, parseModel, rankFacts } from "../../src/engine";
import { EDITOR_STRING_KEYS } from "../../src/model-editor/strings";
import { TierModelEditor } from "../../src/model-editor/index";
import type { IInputs } from "../../src/model-editor/props";
import { account, input, invoice, open } from "../engine/builders";
import { formattingFor } from "./mock-context";

expect.extend(toHaveNoViolations);

/** The editor's resx as the platform serves it to getString. */
function editorResx(lcid: 1033 | 1031): Map<string, string> {
  const file = path.join(__dirname, "../../src/model-editor/strings", `TierModelEditor.${lcid}.resx`);
  const doc = new DOMParser().parseFromString(fs.readFileSync(file, "utf8"), "application/xml");
  const map = new Map<string, string>();
  doc
    .querySelectorAll("root > data")
    .forEach((d) => map.set(d.getAttribute("name") ?? "", d.querySelector("value")?.textContent ?? ""));
  return map;
}

/** 400 accounts with a spread of revenue and pipeline, ranked by today's model: the sample the re-rank stores. */
function sampleJson(): string {
  const accounts = [];
  const invoices = [];
  const opportunities = [];
  for (let i = 0; i < 400; i++) {
    const id = `m${i}`;
    accounts.push(account(id));
    if (i % 7 !== 0) invoices.push(invoice(id, 100 + ((i * 7919) % 400) ** 2, "2025-11-15"));
    if (i % 3 === 0) opportunities.push(open(id, 1000 * (i % 11), 50));
  }
  const model = parseModel({});
  const ranked = rankFacts(
    computeFacts(input(accounts, invoices, opportunities), model, parseInstant("2026-03-01")),
    model,
  );
  return JSON.stringify(buildPreviewSample(ranked, 200));
}
const SAMPLE = sampleJson();

function setup(modelText: string | null, opts: { lcid?: 1033 | 1031; sample?: string | null } = {}) {
  const strings = editorResx(opts.lcid ?? 1033);
  const context = {
    parameters: {
      model: { raw: modelText, formatted: modelText ?? undefined, error: false, errorMessage: "", type: "Multiple" },
      previewSample: {
        raw: opts.sample === undefined ? SAMPLE : opts.sample,
        error: false,
        errorMessage: "",
        type: "Multiple",
      },
    },
    formatting: formattingFor(opts.lcid === 1031 ? "de-DE" : "en-US"),
    resources: { getString: (k: string) => strings.get(k) ?? k },
    mode: { isControlDisabled: false },
  } as unknown as ComponentFramework.Context<IInputs>;
  const control = new TierModelEditor();
  const notify = jest.fn();
  control.init(context, notify);
  const view = render(control.updateView(context));
  return { control, notify, view };
}

const field = (label: string) => screen.getByLabelText(label, { exact: false, selector: "input" }) as HTMLInputElement;
/** Types into a field, then lets Fluent's DelayedRender show the error message (it renders on the next tick). */
const type = async (el: HTMLInputElement, text: string) => {
  act(() => void fireEvent.change(el, { target: { value: text } }));
  await act(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
};
/** The words Fluent shows under a field (its errorMessage), found through aria-describedby as a screen reader does. */
const errorOf = (el: HTMLInputElement) =>
  (el.getAttribute("aria-describedby") ?? "")
    .split(" ")
    .map((id) => document.getElementById(id)?.textContent ?? "")
    .join(" ")
    .trim();
/** Fluent's MessageBar shows its text through DelayedRender, on the next tick. */
const settle = () => act(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
const previewCell = (tier: string, column: number) =>
  screen.getByTestId("preview-tiers").querySelectorAll(`tbody tr`)[["AAA", "A", "B", "C"].indexOf(tier)].children[
    column
  ].textContent;

describe("TierModelEditor", () => {
  test("every string key is in both languages", () => {
    for (const lcid of [1033, 1031] as const) {
      const strings = editorResx(lcid);
      expect(EDITOR_STRING_KEYS.filter((k) => !strings.get(k)?.trim())).toEqual([]);
    }
  });

  test("an empty column shows the engine's defaults, valid, with a preview per tier; no axe violations", async () => {
    const { view, control } = setup(null);
    await settle();
    expect(screen.getByTestId("editor-status").textContent).toContain("The model is valid.");
    expect(field("AAA: share of accounts").value).toBe("0.1");
    expect((screen.getByLabelText("Revenue", { selector: "input" }) as HTMLInputElement).value).toBe("");
    expect(screen.getByTestId("preview-tiers").querySelectorAll("tbody tr")).toHaveLength(4);
    expect(previewCell("AAA", 2)).toMatch(/^\d+\.\d %$/);
    expect(screen.getByTestId("preview-movement").textContent).toBe("0 up, 0 down, 400 unchanged.");
    expect(control.getOutputs()).toEqual({});
    expect(await axe(view.container)).toHaveNoViolations();
  });

  test("a share out of range: the schema's words next to the field, and no output", async () => {
    const { control, notify, view } = setup(
      '{"tiers":[{"code":"AAA","share":0.1},{"code":"A","share":0.2},{"code":"C"}]}',
    );
    const share = field("AAA: share of accounts");
    await type(share, "1.5");
    expect(errorOf(share)).toBe("must be between 0 and 1");
    expect(share.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByTestId("editor-status").textContent).toContain("will not be saved");
    expect(notify).not.toHaveBeenCalled();
    expect(control.getOutputs()).toEqual({});
    expect(screen.getByText("Fix the model to see its preview.")).toBeTruthy();
    expect(await axe(view.container)).toHaveNoViolations();
  });

  test("shares that add up above 1 mark every share field", async () => {
    setup(null);
    await type(field("AAA: share of accounts"), "0.6");
    expect(errorOf(field("AAA: share of accounts"))).toBe("shares sum to 1.1, above 1");
    expect(errorOf(field("B: share of accounts"))).toBe("shares sum to 1.1, above 1");
  });

  test("text that is not a number says so, and is kept as typed", async () => {
    const { control } = setup(null);
    const margin = field("Demotion margin");
    await type(margin, "five");
    expect(margin.value).toBe("five");
    expect(errorOf(margin)).toBe("must be a number");
    expect(control.getOutputs()).toEqual({});
  });

  test("a valid edit is output as the model JSON and previewed at once", async () => {
    const { control, notify } = setup(null);
    const before = Number(previewCell("AAA", 1));
    await type(field("AAA: share of accounts"), "0,05");
    expect(notify).toHaveBeenCalledTimes(1);
    const out = control.getOutputs().model!;
    expect(parseModel(JSON.parse(out)).tiers[0].share).toBe(0.05);
    expect(Number(previewCell("AAA", 1))).toBeLessThan(before);
    // Everyone got today's tier today: hysteresis (90 days in a tier) holds them, as the re-rank would.
    expect(screen.getByTestId("preview-movement").textContent).toBe("0 up, 0 down, 400 unchanged.");
    await type(field("Minimum days in a tier"), "0");
    await type(field("Demotion margin"), "0");
    expect(screen.getByTestId("preview-movement").textContent).toMatch(/^0 up, [1-9]\d* down/);
    // Clearing the field removes the value: the engine's default applies again, and the model stays valid.
    await type(field("Window"), "");
    expect(JSON.parse(control.getOutputs().model!).windowMonths).toBeUndefined();
  });

  test("an invalid stored model (a typo) is named at the top and never output until fixed", async () => {
    const { control, notify } = setup('{"weigths":{"monetary":1}}');
    await settle();
    expect(screen.getByTestId("editor-status").textContent).toContain("unknown field weigths");
    await type(screen.getByLabelText("Revenue", { selector: "input" }) as HTMLInputElement, "0.5");
    expect(notify).not.toHaveBeenCalled();
    expect(control.getOutputs()).toEqual({});
  });

  test("without a sample yet the preview says when it comes; German labels", () => {
    setup(null, { lcid: 1031, sample: null });
    expect(screen.getByText("Noch keine Vorschau: Sie erscheint nach der nächsten Neuberechnung.")).toBeTruthy();
    expect(field("AAA: Anteil der Kunden").value).toBe("0.1");
  });
});

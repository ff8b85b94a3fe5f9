import { act, render, screen, within } from "@testing-library/react";
import { axe, toHaveNoViolations } from "jest-axe";
import { TierBadge } from "../../src/control/index";
import type { IInputs } from "../../src/control/generated/ManifestTypes";
import { clearModelStatusCache, MODEL_STATUS_QUERY } from "../../src/control/model-status";
import { clearPolicyCache } from "../../src/control/policy";
import { invalidModelStatus, validModelStatus } from "../../src/engine";
import { RANKED } from "./fixtures";
import { makeContext, type ContextOptions, type MockContext } from "./mock-context";

expect.extend(toHaveNoViolations);

/**
 * While the active tier model's JSON is invalid the service scores with the last re-ranked model and says so in
 * ct_modelstatus; the badge shows the cause to everyone who may read the model row (issue 14).
 */
const asPcfContext = (ctx: MockContext) => ctx as unknown as ComponentFramework.Context<IInputs>;

function webApi(status: string | null | Error) {
  return {
    retrieveMultipleRecords: jest.fn((entity: string) => {
      if (entity !== "ct_tiermodel") return Promise.resolve({ entities: [], nextLink: "" });
      if (status instanceof Error) return Promise.reject(status);
      return Promise.resolve({ entities: status === null ? [] : [{ ct_modelstatus: status }], nextLink: "" });
    }),
  };
}

async function shown(api: ReturnType<typeof webApi>) {
  const control = new TierBadge();
  const ctx = makeContext({ values: RANKED, webAPI: api as unknown as ContextOptions["webAPI"] });
  control.init(asPcfContext(ctx));
  const view = render(control.updateView(asPcfContext(ctx)));
  await act(async () => undefined);
  view.rerender(control.updateView(asPcfContext(ctx)));
  return { view, ctx };
}

beforeEach(() => {
  clearPolicyCache();
  clearModelStatusCache();
});

test("an invalid model: the badge names the cause, without the row id, and stays accessible", async () => {
  const api = webApi(
    invalidModelStatus("ct_tiermodel 1234: invalid tier model: (model): unknown field weigths", "save"),
  );
  const { view, ctx } = await shown(api);
  expect(api.retrieveMultipleRecords).toHaveBeenCalledWith("ct_tiermodel", MODEL_STATUS_QUERY);
  expect(MODEL_STATUS_QUERY).toContain("$filter=statecode eq 0");
  expect(ctx.factory.requestRender).toHaveBeenCalled();
  // Fluent's MessageBar renders its text a moment later (DelayedRender), so screen readers announce it.
  const bar = within(view.container).getByTestId("model-warning");
  await within(bar).findByText("Tier model invalid: (model): unknown field weigths");
  // The tier itself is still shown: saves go on with the last re-ranked model.
  expect(screen.getByTestId("tier-pill").textContent).toBe("AAA");
  expect(await axe(view.container)).toHaveNoViolations();
});

test.each([
  ["a valid model", validModelStatus(300, "2026-12-01T02:00:00Z")],
  ["no model row", null],
  ["no read privilege on the model row", new Error("403")],
])("%s: no warning", async (_name, status) => {
  const { view } = await shown(webApi(status));
  expect(within(view.container).queryByTestId("model-warning")).toBeNull();
});

test("asked once per session, however many badges render", async () => {
  const api = webApi(validModelStatus(3, "2026-12-01T02:00:00Z"));
  await shown(api);
  await shown(api);
  expect(api.retrieveMultipleRecords.mock.calls.filter(([e]) => e === "ct_tiermodel")).toHaveLength(1);
});

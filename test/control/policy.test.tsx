import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { axe, toHaveNoViolations } from "jest-axe";
import { TIER_OPTIONS } from "../../src/engine/choices";
import { TierBadge } from "../../src/control/index";
import type { IInputs } from "../../src/control/generated/ManifestTypes";
import { clearModelStatusCache } from "../../src/control/model-status";
import { clearPolicyCache } from "../../src/control/policy";
import { RANKED } from "./fixtures";
import { makeContext, type ContextOptions, type MockContext } from "./mock-context";

expect.extend(toHaveNoViolations);

/**
 * The tier's service privileges and response-time target, read from ct_tierpolicy through context.webAPI: under the
 * badge and in the "why this tier" callout; cached per session; "unavailable" where there is no WebAPI.
 */
const asPcfContext = (ctx: MockContext) => ctx as unknown as ComponentFramework.Context<IInputs>;
const POLICY = { ct_serviceprivileges: "Free express shipping; 60-day payment terms", ct_responsetimehours: 8 };

function webApi(entities: Record<string, unknown>[] | Error) {
  return {
    retrieveMultipleRecords: jest.fn((entity: string, options?: string) =>
      entities instanceof Error
        ? Promise.reject(entities)
        : Promise.resolve({
            entities,
            nextLink: "",
            entity,
            options,
          } as unknown as ComponentFramework.WebApi.RetrieveMultipleResponse),
    ),
  };
}

/** Renders, lets the policy request settle, and renders again as the platform does after requestRender. */
async function shown(opts: ContextOptions) {
  const control = new TierBadge();
  const ctx = makeContext({ values: RANKED, ...opts });
  control.init(asPcfContext(ctx));
  const view = render(control.updateView(asPcfContext(ctx)));
  const first = within(view.container).getByTestId("policy").textContent;
  await act(async () => undefined);
  view.rerender(control.updateView(asPcfContext(ctx)));
  return { control, ctx, view, first };
}

/** The policy requests (the badge also asks once per session whether the tier model is valid). */
const policyCalls = (api: ReturnType<typeof webApi>) =>
  api.retrieveMultipleRecords.mock.calls.filter(([entity]) => entity === "ct_tierpolicy");

beforeEach(() => {
  clearPolicyCache();
  clearModelStatusCache();
  jest.useFakeTimers({
    now: new Date(2026, 2, 10, 9, 30),
    doNotFake: ["requestAnimationFrame", "setTimeout", "setInterval", "queueMicrotask", "nextTick"],
  });
});
afterEach(() => jest.useRealTimers());

test("reads the tier's active policy and shows privileges and response time under the badge and in the callout", async () => {
  const api = webApi([POLICY]);
  const { ctx, view, first } = await shown({ webAPI: api });
  expect(first).toBe("Loading service privileges…");
  expect(policyCalls(api)).toHaveLength(1);
  const [entity, options] = policyCalls(api)[0];
  expect(entity).toBe("ct_tierpolicy");
  expect(options).toContain(`$filter=ct_tier eq ${TIER_OPTIONS.AAA} and statecode eq 0`);
  expect(ctx.factory.requestRender).toHaveBeenCalledTimes(1);
  expect(screen.getByTestId("policy").textContent).toBe(
    "Privileges: Free express shipping; 60-day payment terms · Response within 8 h",
  );

  fireEvent.click(screen.getByRole("button", { name: "Why this tier?" }));
  const dialog = await screen.findByRole("dialog", { name: "Why AAA?" });
  expect(within(dialog).getByTestId("why-policy").textContent).toBe(
    "Service for AAAPrivileges: Free express shipping; 60-day payment termsResponse within 8 h",
  );
  // The callout renders in a Fluent layer outside the control's container: check both.
  expect(await axe(view.container)).toHaveNoViolations();
  expect(await axe(dialog.closest(".ms-Layer") as Element)).toHaveNoViolations();
});

test("cached per session: a second badge and a re-render ask no more; a new tier asks once for it", async () => {
  const api = webApi([POLICY]);
  const { control, ctx, view } = await shown({ webAPI: api });
  // A second badge on the page shows the answer at once, without a loading step.
  expect((await shown({ webAPI: api })).first).toBe(
    "Privileges: Free express shipping; 60-day payment terms · Response within 8 h",
  );
  view.rerender(control.updateView(asPcfContext(ctx)));
  expect(policyCalls(api)).toHaveLength(1);

  const b = makeContext({ values: { ...RANKED, tier: TIER_OPTIONS.B, computedTier: TIER_OPTIONS.B }, webAPI: api });
  view.rerender(control.updateView(asPcfContext(b)));
  await act(async () => undefined);
  expect(policyCalls(api)).toHaveLength(2);
  expect(policyCalls(api)[1][1]).toContain(`ct_tier eq ${TIER_OPTIONS.B}`);
});

test("a tier without a policy row says so", async () => {
  await shown({ webAPI: webApi([]) });
  expect(screen.getByTestId("policy").textContent).toBe("No service privileges set for this tier");
});

test.each([
  ["no WebAPI (the test harness)", undefined],
  ["a WebAPI that refuses (not implemented, no privilege)", webApi(new Error("not implemented"))],
])("%s: says the privileges are unavailable instead of failing", async (_, api) => {
  const { view } = await shown({ webAPI: api });
  expect(screen.getByTestId("policy").textContent).toBe("Service privileges unavailable here");
  expect(screen.getByTestId("tier-pill").textContent).toBe("AAA");
  expect(await axe(view.container)).toHaveNoViolations();
});

test("German", async () => {
  await shown({ webAPI: webApi([POLICY]), lcid: 1031 });
  expect(screen.getByTestId("policy").textContent).toBe(
    "Sonderleistungen: Free express shipping; 60-day payment terms · Antwort innerhalb von 8 Std.",
  );
});

test("a destroyed control does not render when the answer arrives late", async () => {
  let resolve!: (v: unknown) => void;
  const api = { retrieveMultipleRecords: jest.fn(() => new Promise((r) => (resolve = r))) };
  const control = new TierBadge();
  const ctx = makeContext({ values: RANKED, webAPI: api as unknown as ContextOptions["webAPI"] });
  render(control.updateView(asPcfContext(ctx)));
  control.destroy();
  resolve({ entities: [POLICY] });
  await act(async () => undefined);
  expect(ctx.factory.requestRender).not.toHaveBeenCalled();
});

import { render, screen } from "@testing-library/react";
import { axe, toHaveNoViolations } from "jest-axe";
import { TIER_OPTIONS } from "../../src/engine/choices";
import { TierBadge } from "../../src/control/index";
import type { IInputs } from "../../src/control/generated/ManifestTypes";
import { RANKED } from "./fixtures";
import { day, makeContext, UNREADABLE, type ContextOptions, type MockContext } from "./mock-context";

expect.extend(toHaveNoViolations);

/**
 * The platform hands the control a full Context; the badge reads only the parts MockContext types, so the rest
 * stays absent and any use of it would throw in these tests.
 */
const asPcfContext = (ctx: MockContext) => ctx as unknown as ComponentFramework.Context<IInputs>;

describe("TierBadge (index.ts) lifecycle", () => {
  beforeEach(() => {
    jest.useFakeTimers({
      now: new Date(2026, 2, 10, 9, 30),
      doNotFake: ["requestAnimationFrame", "setTimeout", "setInterval"],
    });
  });
  afterEach(() => jest.useRealTimers());

  test("init asks for container resize tracking; updateView renders the badge for today's date", async () => {
    const control = new TierBadge();
    const ctx = makeContext({ values: RANKED });
    control.init(asPcfContext(ctx));
    expect(ctx.mode.trackContainerResize).toHaveBeenCalledWith(true);

    const { container, rerender } = render(control.updateView(asPcfContext(ctx)));
    expect(screen.getByTestId("tier-pill").textContent).toBe("AAA");
    expect(screen.getByTestId("due").textContent).toBe("Next touch 3/13/2026 (due in 3 days)");
    expect(await axe(container)).toHaveNoViolations();

    // A recalculation moves the tier and the next touch: updateView gets a new context.
    const next = makeContext({
      values: { ...RANKED, tier: TIER_OPTIONS.B, computedTier: TIER_OPTIONS.B, nextTouchDue: day("2026-03-08") },
    });
    next.updatedProperties = ["tier", "nextTouchDue"];
    rerender(control.updateView(asPcfContext(next)));
    expect(screen.getByTestId("tier-pill").textContent).toBe("B");
    expect(screen.getByTestId("due").textContent).toContain("overdue by 2 days");
  });

  test("updateView follows field security and the allocated width between calls", () => {
    const control = new TierBadge();
    const opts: ContextOptions = { values: RANKED, allocatedWidth: 800 };
    control.init(asPcfContext(makeContext(opts)));
    const { rerender } = render(control.updateView(asPcfContext(makeContext(opts))));
    expect(screen.getByRole("group").className).toBe("ct-badge");

    rerender(control.updateView(asPcfContext(makeContext({ ...opts, allocatedWidth: 250 }))));
    expect(screen.getByRole("group").className).toBe("ct-badge ct-badge--compact");

    rerender(control.updateView(asPcfContext(makeContext({ ...opts, security: { tier: UNREADABLE } }))));
    expect(screen.getByRole("group").textContent).toBe(
      "RestrictedYou don't have permission to see this account's tier.",
    );
  });

  test("getOutputs never writes a tier column back", () => {
    const control = new TierBadge();
    const ctx = makeContext({ values: RANKED });
    control.init(asPcfContext(ctx));
    const { unmount } = render(control.updateView(asPcfContext(ctx)));
    expect(control.getOutputs()).toEqual({});
    unmount();
    control.destroy();
  });
});

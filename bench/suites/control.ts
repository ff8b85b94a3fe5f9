import { dom } from "../lib/jsdom-globals"; // first: react-dom and Fluent look for a DOM when loaded
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import * as ReactDOM from "react-dom";
import { TierBadge } from "../../src/control/index";
import { childMain, type SuiteOptions } from "../lib/child";
import { badgeContext } from "../lib/control-context";
import { benchOut, repoRoot } from "../lib/paths";
import type { Figure } from "../lib/report";
import { median, quantile } from "../lib/stats";

export const BUNDLE_TARGET_BYTES = 25 * 1024;

/** The release bundle as `npm run build:prod` makes it, built into bench/out/pcf-prod so the shared out/ is untouched. */
function bundleFigures(o: SuiteOptions): Figure[] {
  const outDir = benchOut("pcf-prod");
  rmSync(outDir, { recursive: true, force: true });
  const bin = path.join(repoRoot(), "node_modules", ".bin", "pcf-scripts");
  const r = spawnSync(bin, ["build", "--buildMode", "production", "--outDir", path.relative(repoRoot(), outDir)], {
    cwd: repoRoot(),
    encoding: "utf8",
    timeout: 5 * 60_000,
  });
  if (r.status !== 0)
    throw new Error(`pcf-scripts build failed (${r.status ?? r.signal}):\n${(r.stdout + r.stderr).slice(-2000)}`);
  const bundle = readFileSync(path.join(outDir, "bundle.js"));
  o.log(`control bundle: ${bundle.length} bytes`);
  return [
    {
      name: "control.bundle",
      value: bundle.length,
      unit: "bytes",
      peer: "target",
      peerValue: BUNDLE_TARGET_BYTES,
      ratio: bundle.length / BUNDLE_TARGET_BYTES,
    },
    { name: "control.bundle_gzip", value: gzipSync(bundle).length, unit: "bytes" },
  ];
}

/**
 * updateView + react-dom render of the control in jsdom (React 16, synchronous render): a mount into an empty
 * container, and an update of a mounted control with a changed context (what a recalculation on the form causes).
 */
async function renderFigures(o: SuiteOptions): Promise<Figure[]> {
  const control = new TierBadge();
  const contexts = [badgeContext(0), badgeContext(1)].map(
    (c) =>
      ({
        ...c,
        mode: { ...c.mode, trackContainerResize: () => undefined },
      }) as unknown as ComponentFramework.Context<never>,
  );
  control.init(contexts[0]);
  const runs = o.size === "tiny" ? 5 : o.quick ? 100 : 500;
  const mount: number[] = [];
  const update: number[] = [];
  for (let i = 0; i < runs; i++) {
    const container = dom.window.document.createElement("div");
    dom.window.document.body.appendChild(container);
    let t0 = process.hrtime.bigint();
    ReactDOM.render(control.updateView(contexts[0]), container);
    mount.push(Number(process.hrtime.bigint() - t0) / 1e6);
    t0 = process.hrtime.bigint();
    ReactDOM.render(control.updateView(contexts[1]), container);
    update.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (i === 0 && !container.querySelector("[data-testid=tier-pill]"))
      throw new Error("the control rendered no tier pill; the render benchmark is not measuring the badge");
    ReactDOM.unmountComponentAtNode(container);
    container.remove();
  }
  // The first renders pay for module JIT and Fluent's style registration; steady state is what a form sees.
  const steady = (xs: number[]): number[] => xs.slice(Math.min(5, xs.length - 1));
  return [
    { name: "control.update_view_mount_median", value: median(steady(mount)), unit: "ms" },
    { name: "control.update_view_mount_p99", value: quantile(steady(mount), 0.99), unit: "ms" },
    { name: "control.update_view_update_median", value: median(steady(update)), unit: "ms" },
    { name: "control.update_view_first_mount", value: mount[0], unit: "ms" },
  ];
}

export async function controlSuite(o: SuiteOptions): Promise<Figure[]> {
  let render: Figure[];
  try {
    render = await renderFigures(o);
  } finally {
    dom.window.close();
  }
  return o.size === "tiny" ? render : [...bundleFigures(o), ...render];
}

if (require.main === module) childMain(controlSuite);

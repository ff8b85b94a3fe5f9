import { JSDOM } from "jsdom";

/**
 * A jsdom window installed as the global DOM before react-dom and the control are loaded (import this module
 * first). Close it when done: its animation-frame timer would keep the process alive.
 */
export const dom = new JSDOM("<!doctype html><html><body></body></html>", { pretendToBeVisual: true });
const g = globalThis as Record<string, unknown>;
const w = dom.window as unknown as Record<string, unknown>;
for (const k of [
  "window",
  "document",
  "navigator",
  "HTMLElement",
  "Node",
  "getComputedStyle",
  "requestAnimationFrame",
  "cancelAnimationFrame",
]) {
  const v = w[k];
  g[k] = typeof v === "function" && !/^[A-Z]/.test(k) ? (v as (...a: unknown[]) => unknown).bind(dom.window) : v;
}

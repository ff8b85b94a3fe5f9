import fs from "node:fs";

/**
 * Debian's Chromium as every browser test starts it (docs/testing.md): headless, and without the background traffic
 * that a machine with no network answers with refused connections. playwright-core gives each launch a fresh
 * temporary --user-data-dir of its own.
 */
export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

/** Launch options for playwright-core; fails with the install command when Chromium is missing. */
export function chromiumOptions(): { executablePath: string; args: string[] } {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return { executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] };
}

import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadExportFolder, startSandbox, type Sandbox } from "../../local-dataverse";
import { generateSample } from "../../src/sample";

/** A generated export folder (docs/export-folder.md) in a temp dir, and a sandbox loaded from it, on 127.0.0.1 port 0. */
export const AS_OF = Date.UTC(2026, 7, 15, 9, 30); // mid-quarter: every kind of date segment occurs

const dirs: string[] = [];

export async function sampleFolder(accounts: number, seed: number): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tiering-rerank-test-"));
  dirs.push(dir);
  await generateSample({ accounts, seed, asOf: AS_OF, months: 36, out: dir });
  return dir;
}

export function removeFolders(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function sandboxFrom(dir: string, extra: Parameters<typeof startSandbox>[0] = {}): Promise<Sandbox> {
  return startSandbox({
    port: 0,
    steps: [],
    log: () => undefined,
    seed: (store) => void loadExportFolder(store, dir),
    ...extra,
  });
}

export function tempFile(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tiering-rerank-cp-"));
  dirs.push(dir);
  return path.join(dir, name);
}

import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadExportFolder, startSandbox, type Sandbox } from "../../local-dataverse";
import { generateSample } from "../../src/sample";
import type { FactsTable, TierModel } from "../../src/engine";
import { StaticToken } from "../../plugins/dataverse/token";
import { Checkpoint } from "../../plugins/rerank/checkpoint";
import { RerankClient } from "../../plugins/rerank/client";
import { assembleFacts, readUnits } from "../../plugins/rerank/facts-reader";
import { populationRows, readContactParents, readPopulation } from "../../plugins/rerank/population";
import { factKinds } from "../../plugins/rerank/queries";

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

/**
 * The facts the re-rank reads from a sandbox with grouped aggregates (the same steps as runRerank, without ranking or
 * writing), with the contact parents folded in when the caller read them; `aggregateLimit` forces the splits.
 */
export async function readFactsViaAggregates(
  sb: Sandbox,
  model: TierModel,
  options: { aggregateLimit?: number; concurrency?: number; withContacts?: boolean } = {},
): Promise<{ facts: FactsTable; requests: number; cp: Checkpoint; contactParents: Map<string, string> }> {
  const client = new RerankClient({ url: sb.origin, tokens: new StaticToken("") });
  const cp = Checkpoint.fresh(null, {
    v: 1,
    server: sb.origin,
    asOf: AS_OF,
    runId: "t",
    modelId: null,
    modelJson: "{}",
  });
  await readPopulation(client, cp, undefined, () => undefined);
  const kinds = factKinds(model, AS_OF);
  await readUnits(
    {
      client,
      cp,
      concurrency: options.concurrency ?? 4,
      population: cp.accountsPages.reduce((n, p) => n + p.ids.length, 0),
      onUnit: () => undefined,
      aggregateLimit: options.aggregateLimit,
    },
    kinds,
  );
  const contactParents = options.withContacts ? await readContactParents(client, undefined) : new Map<string, string>();
  const facts = assembleFacts(cp, populationRows(cp), kinds, model, AS_OF, contactParents);
  return { facts, requests: client.requests, cp, contactParents };
}

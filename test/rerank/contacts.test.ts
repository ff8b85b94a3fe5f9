import { appendFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseModel, type FactsTable, type TierModel } from "../../src/engine";
import { loadFacts } from "../../src/export-reader/load";
import { isoDay, isoSecond } from "../../src/sample/iso-date";
import { readDefaults } from "../../solution/scripts/defaults";
import type { Sandbox } from "../../local-dataverse";
import { AS_OF, readFactsViaAggregates, removeFolders, sampleFolder, sandboxFrom } from "./env";

/**
 * Invoices and opportunities of a contact count for the contact's parent account (docs/data-model.md): the re-rank
 * over the local Dataverse reads the same facts as the CLI over the export folder with contacts.csv.
 */
const model: TierModel = parseModel(readDefaults().model.json);
const DAY = 86_400_000;
let dir: string;
let sandbox: Sandbox;
let accountIds: string[];

/** Appends rows in the file's own line ending, after its last line whether or not that one ends the file. */
function appendLines(file: string, lines: string[]): void {
  const text = readFileSync(file, "utf8");
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  appendFileSync(file, (text.endsWith(eol) ? "" : eol) + lines.join(eol) + eol);
}

beforeAll(async () => {
  dir = await sampleFolder(120, 77);
  accountIds = readFileSync(path.join(dir, "accounts.csv"), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(",")[0]);
  // Six contacts: four with a parent account, one with none, one whose parent is another contact.
  const contact = (k: number): string => `c0c0c0c0-0000-4000-8000-${String(k).padStart(12, "0")}`;
  const contacts = [
    [contact(1), accountIds[0]],
    [contact(2), accountIds[0]],
    [contact(3), accountIds[5]],
    [contact(4), accountIds[9]],
    [contact(5), ""],
    [contact(6), contact(3)],
  ];
  writeFileSync(
    path.join(dir, "contacts.csv"),
    ["contactid,parentcustomerid", ...contacts.map(([c, p]) => `${c},${p}`)].join("\n") + "\n",
  );
  const invoices: string[] = [];
  const opportunities: string[] = [];
  contacts.forEach(([c], k) => {
    for (let j = 0; j < 3; j++) {
      const at = AS_OF - (10 + 97 * j + k) * DAY;
      invoices.push(
        `f1000000-0000-4000-8000-${String(k * 10 + j).padStart(12, "0")},${c},${1000 * (k + 1) + j},2,${isoSecond(at)}`,
      );
    }
    opportunities.push(
      `f2000000-0000-4000-8000-${String(k).padStart(12, "0")},${c},1,${5000 * (k + 1)},${5000 * (k + 1)},100,${isoDay(AS_OF - (20 + k) * DAY)},`,
      `f3000000-0000-4000-8000-${String(k).padStart(12, "0")},${c},0,,${7000 * (k + 1)},40,,${isoDay(AS_OF + 30 * DAY)}`,
    );
  });
  appendLines(path.join(dir, "invoices.csv"), invoices);
  appendLines(path.join(dir, "opportunities.csv"), opportunities);
  sandbox = await sandboxFrom(dir);
}, 60_000);
afterAll(async () => {
  await sandbox?.close();
  removeFolders();
});

async function rerankFacts(): Promise<FactsTable> {
  const { facts, contactParents } = await readFactsViaAggregates(sandbox, model, {
    concurrency: 2,
    withContacts: true,
  });
  // Only contacts whose parent is an account: not the orphan, not the contact under a contact.
  expect([...contactParents.values()].sort()).toEqual(
    [accountIds[0], accountIds[0], accountIds[5], accountIds[9]].map((s) => s.toLowerCase()).sort(),
  );
  return facts;
}

const factsOf = (t: FactsTable, id: string) => {
  const i = t.accounts.findIndex((a) => a.accountid.toLowerCase() === id.toLowerCase());
  return {
    monetary: t.monetary[i],
    frequency: t.frequency[i],
    won: t.won[i],
    pipeline: t.pipeline[i],
    last: t.lastEvent[i],
  };
};

test("a contact's invoices and opportunities count for its parent account, in the re-rank as in the CLI", async () => {
  const cli = await loadFacts(dir, model, AS_OF);
  const rerank = await rerankFacts();
  for (const id of accountIds) expect([id, factsOf(rerank, id)]).toEqual([id, factsOf(cli, id)]);
  // And they do count: without contacts.csv the CLI gives account 0 less revenue.
  rmSync(path.join(dir, "contacts.csv"));
  const without = await loadFacts(dir, model, AS_OF);
  expect(factsOf(cli, accountIds[0]).monetary).toBeGreaterThan(factsOf(without, accountIds[0]).monetary);
  expect(factsOf(cli, accountIds[0]).won).toBeGreaterThan(factsOf(without, accountIds[0]).won);
});

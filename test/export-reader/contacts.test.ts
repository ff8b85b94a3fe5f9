import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_MODEL, type FactsTable } from "../../src/engine";
import { loadFacts, readAccounts } from "../../src/export-reader/load";
import { generateSample } from "../../src/sample";

/**
 * contacts.csv: the invoices and opportunities of a contact count for its parent account (the rule is the engine's
 * FactsBuilder's), on one thread and in chunks on worker threads alike; activities regarding a contact do not.
 */

const AS_OF = Date.UTC(2025, 0, 1);
const EOL = "\r\n";
let root: string;
let sample: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "contacts-"));
  sample = join(root, "sample");
  await generateSample({ accounts: 300, seed: 11, asOf: AS_OF, months: 30, out: sample });
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const plain = (t: FactsTable): unknown => ({
  columns: [t.monetary, t.frequency, t.lastEvent, t.won, t.pipeline, t.firstInvoice, t.quarters].map((c) =>
    Array.from(c),
  ),
  lastTouch: Array.from(t.lastTouch),
  skipped: t.skipped,
});

/**
 * The sample with every 3rd row of invoices, opportunities and activities of an active account moved onto a contact
 * of that account.
 */
async function withContacts(): Promise<{ dir: string; moved: Record<string, number> }> {
  const active = new Set((await readAccounts(sample)).filter((a) => a.statecode === 0).map((a) => a.accountid));
  const dir = join(root, "with-contacts");
  mkdirSync(dir, { recursive: true });
  const contacts = new Map<string, string>();
  const moved: Record<string, number> = {};
  for (const f of ["accounts.csv", "invoices.csv", "opportunities.csv", "activities.csv"]) {
    const lines = readFileSync(join(sample, f), "utf8").split(EOL);
    moved[f] = 0;
    const out = lines.map((line, i) => {
      if (f === "accounts.csv" || i === 0 || line === "" || i % 3 !== 0) return line;
      const cells = line.split(",");
      if (!active.has(cells[1])) return line;
      const contact = `c-${cells[1]}`;
      contacts.set(contact, cells[1]);
      moved[f]++;
      return [cells[0], contact, ...cells.slice(2)].join(",");
    });
    writeFileSync(join(dir, f), out.join(EOL));
  }
  const rows = [...contacts].map(([c, a]) => `${c},${a}`);
  // A contact without a parent: its rows count for nobody.
  writeFileSync(join(dir, "contacts.csv"), ["contactid,parentcustomerid", ...rows, "orphan,"].join(EOL) + EOL);
  return { dir, moved };
}

describe("contacts.csv", () => {
  it("counts a contact's invoices and opportunities for its parent account, with any thread count", async () => {
    const base = await loadFacts(sample, DEFAULT_MODEL, AS_OF, { workers: 1 });
    const { dir, moved } = await withContacts();
    expect(moved["invoices.csv"]).toBeGreaterThan(100);
    for (const workers of [1, 2, 3]) {
      const facts = await loadFacts(dir, DEFAULT_MODEL, AS_OF, { workers, chunkBytes: 20_000, minParallelBytes: 0 });
      const p = plain(facts) as { columns: unknown; skipped: FactsTable["skipped"]; lastTouch: number[] };
      expect(p.columns).toEqual((plain(base) as { columns: unknown }).columns);
      // Activities regarding a contact are no touch of the account: skipped.
      expect(p.skipped.activities).toBe(base.skipped.activities + moved["activities.csv"]);
      expect(p.skipped.invoices).toBe(base.skipped.invoices);
    }
  });

  it("without a contacts.csv, rows naming a contact count for nobody", async () => {
    const { dir, moved } = await withContacts();
    rmSync(join(dir, "contacts.csv"));
    const facts = await loadFacts(dir, DEFAULT_MODEL, AS_OF, { workers: 1 });
    const base = await loadFacts(sample, DEFAULT_MODEL, AS_OF, { workers: 1 });
    expect(facts.skipped.invoices).toBe(base.skipped.invoices + moved["invoices.csv"]);
  });

  it("names a duplicate contact with both lines", async () => {
    const dir = join(root, "dup");
    mkdirSync(dir, { recursive: true });
    for (const f of ["accounts.csv", "invoices.csv", "opportunities.csv", "activities.csv"])
      writeFileSync(join(dir, f), readFileSync(join(sample, f)));
    writeFileSync(join(dir, "contacts.csv"), "contactid,parentcustomerid\nc1,a\nc2,b\nC1,b\n");
    await expect(loadFacts(dir, DEFAULT_MODEL, AS_OF, { workers: 1 })).rejects.toThrow(
      "contacts.csv:4 column contactid: duplicate contactid C1, first on line 2",
    );
  });
});

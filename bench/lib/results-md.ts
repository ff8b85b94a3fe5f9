import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Machine } from "./machine";
import { benchOut, repoRoot } from "./paths";
import { formatTable, type Figure } from "./report";

const START = "<!-- figures:start (written by `npm run bench -- --write-results`) -->";
const END = "<!-- figures:end -->";

interface Stored extends Figure {
  at: string;
}

/**
 * Merges this run's figures into bench/out/results.json (latest value per name, so a 1m run and a 10k run done
 * separately both stay) and returns bench/RESULTS.md with its figures block replaced; text around it is kept.
 */
export function resultsMarkdown(
  m: Machine,
  figures: readonly Figure[],
  failures: readonly string[],
  args: readonly string[],
): string {
  const store = benchOut("results.json");
  const merged = new Map<string, Stored>();
  if (existsSync(store)) for (const f of JSON.parse(readFileSync(store, "utf8")) as Stored[]) merged.set(f.name, f);
  for (const f of figures) merged.set(f.name, { ...f, at: m.date });
  const all = [...merged.values()];
  writeFileSync(store, JSON.stringify(all, null, 2) + "\n");
  const dates = all.map((f) => f.at).sort();
  const first = dates[0];
  const last = dates.at(-1);
  const block = [
    START,
    `Machine: ${m.nproc} × ${m.cpu}, ${m.memGb} GB RAM, Node ${m.node}. Figures from runs between ${first} and ${last};`,
    `the last one: \`npm run bench -- ${args.join(" ")}\`.`,
    failures.length ? `\nFailed in the last run: ${failures.join("; ")}.` : "",
    "",
    "```",
    formatTable(all.map(({ at: _at, ...f }) => f)).trimEnd(),
    "```",
    END,
  ].join("\n");
  const file = `${repoRoot()}/bench/RESULTS.md`;
  const current = existsSync(file) ? readFileSync(file, "utf8") : `# Benchmark results\n\n${START}\n${END}\n`;
  const a = current.indexOf(START);
  const b = current.indexOf(END);
  if (a < 0 || b < a) return current.trimEnd() + "\n\n" + block + "\n";
  return current.slice(0, a) + block + current.slice(b + END.length);
}

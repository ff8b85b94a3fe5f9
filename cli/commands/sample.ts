import { SingleBar } from "cli-progress";
import { mkdtempSync, promises as fsp, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_SAMPLE_MONTHS, generateSample } from "../../src/sample";
import { writeSynapseLayout, type Partitioning } from "../../src/sample/synapse-layout";
import { UsageError, type CliCommand, type CliIo } from "../command";

/** Fixed, so the same arguments give byte-identical files whenever they are run. */
export const DEFAULT_SAMPLE_AS_OF = "2026-07-01";
/** 12-month window plus the 4 baseline quarters and the current one of the trend rule, with a little room. */
const MAX_ACCOUNTS = 10_000_000;
const MAX_MONTHS = 240;

const usage = `Usage: tiering sample --accounts N --seed S --out DIR [--as-of YYYY-MM-DD] [--months M]
                      [--layout csv|synapse] [--partition year|month]

Writes a realistic, deterministic B2B sample as a Dataverse export folder: accounts.csv, invoices.csv,
opportunities.csv and activities.csv. The same arguments always give byte-identical files.

Options:
  --accounts N        number of accounts, 1..${MAX_ACCOUNTS} (about 10 invoices, 3 opportunities and
                      8 activities each over the default period)
  --seed S            random seed, a whole number 0..4294967295
  --out DIR           folder to write to; created if missing, the four files in it are replaced
  --as-of YYYY-MM-DD  end of the period, exclusive (default ${DEFAULT_SAMPLE_AS_OF}); every invoice, close and
                      completed activity lies before it, open opportunities expect to close after it
  --months M          months of history before --as-of, 1..${MAX_MONTHS} (default ${DEFAULT_SAMPLE_MONTHS})
  --layout L          csv (default): the export folder above; synapse: the same data as an Azure Synapse Link
                      for Dataverse folder in append-only mode (model.json, header-less partitions, row versions
                      and deletes; docs/export-folder.md)
  --partition P       synapse partitions by year (default) or month
  -h, --help          show this help
`;

interface SampleArgs {
  accounts: number;
  seed: number;
  out: string;
  asOf: string;
  months: number;
  layout: "csv" | "synapse";
  partition: Partitioning;
}

function wholeNumber(option: string, raw: string | undefined, min: number, max: number): number {
  if (raw === undefined) throw new UsageError(`--${option} is required`);
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${option} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new UsageError(`--${option} must be between ${min} and ${max}, got ${raw}`);
  return value;
}

function isoDate(raw: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== raw) {
    throw new UsageError(`--as-of must be a calendar date YYYY-MM-DD, got "${raw}"`);
  }
  return raw;
}

function parse(args: string[]): SampleArgs | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      allowPositionals: false,
      strict: true,
      options: {
        accounts: { type: "string" },
        seed: { type: "string" },
        out: { type: "string" },
        "as-of": { type: "string" },
        months: { type: "string" },
        layout: { type: "string" },
        partition: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return "help";
  const accounts = wholeNumber("accounts", values.accounts, 1, MAX_ACCOUNTS);
  const seed = wholeNumber("seed", values.seed, 0, 0xffffffff);
  if (values.out === undefined || values.out === "") throw new UsageError("--out is required");
  const asOf = isoDate(values["as-of"] ?? DEFAULT_SAMPLE_AS_OF);
  const months = wholeNumber("months", values.months ?? String(DEFAULT_SAMPLE_MONTHS), 1, MAX_MONTHS);
  const layout = values.layout ?? "csv";
  if (layout !== "csv" && layout !== "synapse")
    throw new UsageError(`--layout must be csv or synapse, got "${layout}"`);
  const partition = values.partition ?? "year";
  if (partition !== "year" && partition !== "month")
    throw new UsageError(`--partition must be year or month, got "${partition}"`);
  return { accounts, seed, out: values.out, asOf, months, layout, partition };
}

/** A bar on stderr, shown only on a terminal and only once the run has taken more than a second. */
function progressReporter(io: CliIo): { update(done: number, total: number): void; stop(): void } {
  const started = Date.now();
  let bar: SingleBar | undefined;
  return {
    update(done, total) {
      if (!io.stderr.isTTY) return;
      if (!bar && Date.now() - started < 1000) return;
      if (!bar) {
        bar = new SingleBar({
          stream: io.stderr,
          format: "sample [{bar}] {percentage}% | {value}/{total} accounts | ETA {eta}s",
          hideCursor: true,
        });
        bar.start(total, done);
      } else bar.update(done);
    },
    stop() {
      bar?.stop();
    },
  };
}

const count = (n: number): string => n.toLocaleString("en-US");

export const sampleCommand: CliCommand = {
  name: "sample",
  summary: "write a realistic, deterministic B2B sample export folder",
  usage,
  async run(args, io) {
    let parsed: SampleArgs | "help";
    try {
      parsed = parse(args);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      io.stderr.write(`tiering sample: ${err.message}\nRun "tiering sample --help" for usage.\n`);
      return 2;
    }
    if (parsed === "help") {
      io.stdout.write(usage);
      return 0;
    }
    const out = path.resolve(io.cwd, parsed.out);
    const existing = await fsp.stat(out).catch(() => undefined);
    if (existing && !existing.isDirectory()) {
      io.stderr.write(`tiering sample: --out ${out} exists and is not a folder\n`);
      return 2;
    }

    const abort = new AbortController();
    const onSigint = (): void => abort.abort();
    process.once("SIGINT", onSigint);
    const progress = progressReporter(io);
    // The Synapse layout is the CSV sample rewritten: the CSVs go to a scratch folder first.
    const scratch = parsed.layout === "synapse" ? mkdtempSync(path.join(tmpdir(), "tiering-sample-")) : null;
    const csvOut = scratch ?? out;
    try {
      const result = await generateSample({
        accounts: parsed.accounts,
        seed: parsed.seed,
        asOf: Date.parse(`${parsed.asOf}T00:00:00Z`),
        months: parsed.months,
        out: csvOut,
        signal: abort.signal,
        onProgress: (done, total) => progress.update(done, total),
      });
      progress.stop();
      if (scratch) writeSynapseLayout(scratch, out, parsed.partition, parsed.asOf);
      const r = result.rows;
      io.stdout.write(
        `Sample written to ${out}${scratch ? ` in the Synapse Link layout (partitions by ${parsed.partition})` : ""} (seed ${parsed.seed}, ${parsed.months} months before ${parsed.asOf}): ` +
          `${count(r.accounts)} accounts, ${count(r.invoices)} invoices, ${count(r.opportunities)} opportunities, ` +
          `${count(r.activities)} activities.\n`,
      );
      return 0;
    } catch (err) {
      progress.stop();
      if (abort.signal.aborted) {
        io.stderr.write("tiering sample: interrupted; no files were written\n");
      } else {
        io.stderr.write(`tiering sample: ${(err as Error).message}; no files were written\n`);
      }
      return 1;
    } finally {
      if (scratch) rmSync(scratch, { recursive: true, force: true });
      process.removeListener("SIGINT", onSigint);
    }
  },
};

import { STATE } from "../engine/choices";
import { DAY_MS } from "../engine/dates";
import { MEDIAN_REVENUE, SEASON, drawProfile, type AccountProfile } from "./account-profile";
import { SAMPLE_FILES, type SampleFile } from "./columns";
import { CsvFileSet, EOL, csvField, type CsvFileWriter } from "./csv-writer";
import { isoDay, isoSecond } from "./iso-date";
import { companyName } from "./names";
import { Rng } from "./rng";

export interface SampleOptions {
  /** Number of accounts, at least 1. */
  accounts: number;
  /** Unsigned 32-bit seed: the same options always give byte-identical files. */
  seed: number;
  /** End of the sample period (exclusive), ms since epoch; every recorded event lies before it. */
  asOf: number;
  /** Length of the period before `asOf`, in calendar months. */
  months: number;
  /** Folder to write the four CSV files to (created if missing). */
  out: string;
  /** Aborting stops the run and removes the files written so far. */
  signal?: AbortSignal;
  /** Called every 1,024 accounts and once at the end. */
  onProgress?: (accountsDone: number, accountsTotal: number) => void;
}

export interface SampleResult {
  files: Record<SampleFile, string>;
  rows: Record<SampleFile, number>;
}

/** History length of a sample when none is asked for: the window plus the quarters the trend needs. */
export const DEFAULT_SAMPLE_MONTHS = 27;

/** Start of the period: `months` calendar months before `asOf` (UTC). */
export function periodStart(asOf: number, months: number): number {
  const d = new Date(asOf);
  return Date.UTC(
    d.getUTCFullYear(),
    d.getUTCMonth() - months,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
  );
}

const money = (cents: number): string => (cents / 100).toFixed(2);

/** Moves an instant on a weekend to the Monday after and gives it a time within office hours (07:00–18:00 UTC). */
function businessTime(rng: Rng, ms: number): number {
  let day = Math.floor(ms / DAY_MS);
  const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  if (weekday === 6) day += 2;
  else if (weekday === 0) day += 1;
  return day * DAY_MS + rng.int(7 * 3600, 18 * 3600 - 1) * 1000;
}

const OPEN_STAGE_PROBABILITIES = [10, 20, 25, 40, 50, 60, 75, 80, 90] as const;
const OPEN_STAGE_WEIGHTS = [14, 16, 10, 16, 12, 12, 8, 7, 5];
const ACTIVITY_TYPES = ["appointment", "phonecall", "email"] as const;

interface InvoiceDraft {
  at: number;
  cents: number;
  statecode: number;
}

/** Streams one account after the other into the four files; memory holds one account's rows at most. */
export async function generateSample(options: SampleOptions): Promise<SampleResult> {
  const { accounts, seed, asOf, months, out, signal, onProgress } = options;
  if (!Number.isSafeInteger(accounts) || accounts < 1)
    throw new RangeError(`accounts must be a whole number ≥ 1, got ${accounts}`);
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new RangeError(`seed must be a whole number 0..4294967295, got ${seed}`);
  if (!Number.isSafeInteger(months) || months < 1)
    throw new RangeError(`months must be a whole number ≥ 1, got ${months}`);
  if (!Number.isFinite(asOf)) throw new RangeError("asOf must be a valid instant");
  signal?.throwIfAborted();

  const period = monthSegments(periodStart(asOf, months), asOf);
  const rng = new Rng(seed);
  const set = await CsvFileSet.open(out, SAMPLE_FILES);
  const w = set.writers;
  try {
    for (let i = 0; i < accounts; i++) {
      writeAccount(rng, w, period);
      if (set.all.some((f) => f.pressured)) await set.drain();
      if ((i & 1023) === 1023) {
        signal?.throwIfAborted();
        onProgress?.(i + 1, accounts);
        // Let timers, signals and stream callbacks run even when the disk keeps up.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    signal?.throwIfAborted();
    await set.commit();
  } catch (err) {
    await set.discard();
    throw err;
  }
  onProgress?.(accounts, accounts);
  const files = {} as Record<SampleFile, string>;
  const rows = {} as Record<SampleFile, number>;
  for (const key of Object.keys(SAMPLE_FILES) as SampleFile[]) {
    files[key] = w[key].finalPath;
    rows[key] = w[key].rows;
  }
  return { files, rows };
}

function writeAccount(rng: Rng, w: Record<SampleFile, CsvFileWriter>, period: Period): void {
  const { start, end } = period;
  const id = rng.guid();
  const name = companyName(rng);
  const profile = drawProfile(rng, start, end);
  w.accounts.line(id + "," + csvField(name) + "," + profile.statecode + EOL);
  writeInvoices(rng, w.invoices, id, profile, period);
  writeOpportunities(rng, w.opportunities, id, profile, end);
  writeActivities(rng, w.activities, id, profile, end);
}

/** The period cut at calendar-month boundaries, computed once per run: the invoice clock runs month by month. */
interface Period {
  start: number;
  end: number;
  /** Month segments: boundaries[k] ..< boundaries[k + 1] has seasonal factor season[k]. */
  boundaries: number[];
  season: number[];
}

function monthSegments(start: number, end: number): Period {
  const boundaries = [start];
  const season: number[] = [];
  for (let a = start; a < end;) {
    const d = new Date(a);
    const b = Math.min(end, Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
    season.push(SEASON[d.getUTCMonth()]);
    boundaries.push(b);
    a = b;
  }
  return { start, end, boundaries, season };
}

/**
 * Invoice instants, appended to `times`: a renewal process run in "operational time", where one unit is one
 * expected invoice and the clock runs at the account's rate for the month (frequency × season × lifecycle level).
 * Erlang gaps of shape 12 rather than a Poisson process, because business customers reorder fairly regularly:
 * quarter-to-quarter changes then come from the lifecycle more than from counting noise.
 */
function invoiceTimes(rng: Rng, p: AccountProfile, period: Period, times: number[]): void {
  const perMs = p.invoicesPerYear / 365.25 / DAY_MS;
  const { boundaries, season } = period;
  let need = rng.float(); // phase of the first order within its cycle
  for (let k = 0; k < season.length; k++) {
    const a = boundaries[k];
    const b = boundaries[k + 1];
    const rate = perMs * season[k] * p.level((a + b) / 2);
    let available = rate * (b - a);
    let at = a;
    while (need <= available) {
      at += need / rate;
      available -= need;
      times.push(at);
      need = rng.erlang(12, 1);
    }
    need -= available;
  }
}

const invoiceInstants: number[] = [];

function writeInvoices(rng: Rng, out: CsvFileWriter, id: string, p: AccountProfile, period: Period): void {
  if (p.lifecycle === "prospect") return;
  const end = period.end;
  const meanCents = (p.size / p.invoicesPerYear) * 100;
  // Replenishment buyers order similar amounts each time; project buyers vary a lot.
  const noiseSigma = rng.uniform(0.1, 0.4);
  const noiseMean = Math.exp((noiseSigma * noiseSigma) / 2);
  const drafts: InvoiceDraft[] = [];
  invoiceInstants.length = 0;
  invoiceTimes(rng, p, period, invoiceInstants);
  for (const t of invoiceInstants) {
    const at = businessTime(rng, t);
    if (at >= end) continue;
    const cents = Math.max(500, Math.round((meanCents * rng.lognormal(noiseSigma)) / noiseMean));
    const age = (end - at) / DAY_MS;
    const statecode =
      age < 45
        ? rng.weighted([STATE.invoice.active, STATE.invoice.paid, STATE.invoice.canceled], [60, 37, 3])
        : rng.weighted([STATE.invoice.paid, STATE.invoice.canceled, STATE.invoice.active], [94, 4.5, 1.5]);
    drafts.push({ at, cents, statecode });
    if (statecode !== STATE.invoice.canceled && rng.chance(0.03)) {
      // Credit note for a return or a price correction: a negative invoice some days later.
      const creditAt = businessTime(rng, at + rng.uniform(2, 60) * DAY_MS);
      if (creditAt < end) {
        const share = rng.chance(0.3) ? 1 : rng.uniform(0.05, 0.5);
        const creditCents = -Math.max(100, Math.min(cents, Math.round(cents * share)));
        const creditState = end - creditAt > 30 * DAY_MS ? STATE.invoice.paid : STATE.invoice.active;
        drafts.push({ at: creditAt, cents: creditCents, statecode: creditState });
      }
    }
  }
  drafts.sort((a, b) => a.at - b.at);
  for (const d of drafts) {
    out.line(rng.guid() + "," + id + "," + money(d.cents) + "," + d.statecode + "," + isoSecond(d.at) + EOL);
  }
}

function writeOpportunities(rng: Rng, out: CsvFileWriter, id: string, p: AccountProfile, end: number): void {
  const prospect = p.lifecycle === "prospect";
  const perYear = prospect ? 2.5 : 0.5 + 1.2 * Math.pow(p.size / MEDIAN_REVENUE, 0.3);
  const perMs = perYear / 365.25 / DAY_MS;
  const winRate = prospect ? 0.2 : p.lifecycle === "churned" ? 0.25 : 0.45;
  const dealBase = prospect ? MEDIAN_REVENUE * rng.lognormal(0.8) : p.size;
  for (let created = p.engagedFrom + rng.exponential(perMs); created < p.engagedTo; created += rng.exponential(perMs)) {
    // Estimated values are round numbers, as salespeople enter them.
    const estimated = Math.max(500, Math.round((dealBase * rng.uniform(0.05, 0.5)) / 50) * 50);
    const probabilityStage = (): number => rng.weighted(OPEN_STAGE_PROBABILITIES, OPEN_STAGE_WEIGHTS);
    const planned = created + rng.uniform(20, 150) * DAY_MS;
    let fields: string;
    if (planned >= end) {
      fields = STATE.opportunity.open + ",," + estimated.toFixed(2) + "," + probabilityStage() + ",," + isoDay(planned);
    } else if (planned >= end - 45 * DAY_MS && rng.chance(0.35)) {
      // Slipped deal: still open, close date pushed past the as-of date.
      const slipped = end + rng.uniform(7, 90) * DAY_MS;
      fields = STATE.opportunity.open + ",," + estimated.toFixed(2) + "," + probabilityStage() + ",," + isoDay(slipped);
    } else {
      const closed = Math.min(end - DAY_MS, Math.max(created + DAY_MS, planned + 7 * DAY_MS * rng.normal()));
      if (rng.chance(winRate)) {
        const actual = Math.round(estimated * rng.uniform(0.85, 1.05) * 100);
        fields =
          STATE.opportunity.won +
          "," +
          money(actual) +
          "," +
          estimated.toFixed(2) +
          ",," +
          isoDay(closed) +
          "," +
          isoDay(planned);
      } else {
        fields = STATE.opportunity.lost + ",," + estimated.toFixed(2) + ",," + isoDay(closed) + "," + isoDay(planned);
      }
    }
    out.line(rng.guid() + "," + id + "," + fields + EOL);
  }
}

function writeActivities(rng: Rng, out: CsvFileWriter, id: string, p: AccountProfile, end: number): void {
  const prospect = p.lifecycle === "prospect";
  const perYear = prospect ? 6 : Math.min(40, 1 + 3 * Math.pow(p.size / MEDIAN_REVENUE, 0.4));
  const perMs = perYear / 365.25 / DAY_MS;
  // Big accounts get more meetings; small ones mostly email.
  const weights = p.size > 3 * MEDIAN_REVENUE ? [30, 35, 35] : [12, 33, 55];
  for (let t = p.engagedFrom + rng.exponential(perMs); t < p.engagedTo; t += rng.exponential(perMs)) {
    const type = rng.weighted(ACTIVITY_TYPES, weights);
    const at = businessTime(rng, t);
    if (at >= end) continue;
    const recent = end - at < 21 * DAY_MS;
    const open = rng.chance(recent ? 0.35 : 0.02);
    const tail = open ? STATE.activity.open + "," : STATE.activity.completed + "," + isoSecond(at);
    out.line(rng.guid() + "," + id + "," + type + "," + tail + EOL);
  }
}

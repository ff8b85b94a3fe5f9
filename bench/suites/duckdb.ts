import { DuckDBInstance } from "@duckdb/node-api";
import { existsSync, rmSync } from "node:fs";
import { KPI_NAMES } from "../../src/engine/explanation-types";
import { DEFAULT_MODEL } from "../../src/engine/model";
import { DEFAULT_POLICY_SET, policyFor } from "../../src/engine/policy";
import { windowFor } from "../../src/engine/window";
import { isSynapseFolder, readSynapseModel, SYNAPSE_TABLES } from "../../src/export-reader/synapse";
import { childMain, type SuiteOptions } from "../lib/child";
import { SAMPLE_AS_OF, ensureSample } from "../lib/data";
import { benchOut } from "../lib/paths";
import type { Figure } from "../lib/report";
import { repetitions } from "../lib/sizes";
import { median, msSince, peakRssMb } from "../lib/stats";
import { oursTiersFile } from "./csv-to-tiers";

const ts = (ms: number): string => `epoch_ms(${ms})`;
const q = (s: string): string => `'${s.replace(/'/g, "''")}'`;

const structOf = (columns: Record<string, string>): string =>
  Object.entries(columns)
    .map(([k, v]) => `${q(k)}: ${q(v)}`)
    .join(", ");

const CSV_TABLES: Record<string, string> = {
  "accounts.csv": SYNAPSE_TABLES.accounts,
  "invoices.csv": SYNAPSE_TABLES.invoices,
  "opportunities.csv": SYNAPSE_TABLES.opportunities,
  "activities.csv": SYNAPSE_TABLES.activities,
};

/**
 * A Synapse Link folder's table as the CSV export's: its header-less partitions with model.json's column names, each
 * row's latest version (highest versionnumber; the sample always has one), without the rows whose latest version is a
 * delete. The same rule as src/export-reader/synapse.ts, so both sides rank the same rows.
 */
function synapseSource(dir: string): (file: string, columns: Record<string, string>) => string {
  const entities = readSynapseModel(dir);
  return (file, columns) => {
    const entity = entities.get(CSV_TABLES[file])!;
    const all = Object.fromEntries(
      entity.columns.map((c) => [c, columns[c] ?? (c.toLowerCase() === "versionnumber" ? "BIGINT" : "VARCHAR")]),
    );
    const id = (c: string): string => `"${c.replace(/"/g, '""')}"`;
    const col = (name: string): string => id(entity.columns.find((c) => c.toLowerCase() === name)!);
    return `(SELECT ${Object.keys(columns).map(id).join(", ")} FROM (
      SELECT *, row_number() OVER (PARTITION BY lower(${col("id")}) ORDER BY ${col("versionnumber")} DESC) AS version_rank
      FROM read_csv(${q(`${dir}/${entity.name}/*.csv`)}, header = false, auto_detect = false, columns = {${structOf(all)}})
    ) WHERE version_rank = 1 AND lower(coalesce(${col("isdelete")}, 'false')) NOT IN ('true', '1'))`;
  };
}

/**
 * The same job in SQL (issue 7's peer): the facts of docs/tier-model.md aggregated per account, mid-rank percentiles, the
 * weighted score, the percentile cut-points (ceil(cᵢ × n), ties go up) and the trend, from the same four CSVs to a
 * tiers CSV. Window instants and weights come from the engine, so both sides rank by the same rules.
 */
export function tiersSql(dir: string, out: string): string {
  const m = DEFAULT_MODEL;
  const w = windowFor(m, SAMPLE_AS_OF);
  const [q0, q1, q2, q3, q4] = w.quarterStarts;
  const START = ts(w.start);
  const ASOF = ts(w.asOf);
  const csv = isSynapseFolder(dir)
    ? synapseSource(dir)
    : (file: string, columns: Record<string, string>): string =>
        `read_csv(${q(`${dir}/${file}`)}, header = true, auto_detect = false, columns = {${structOf(columns)}})`;
  const pctUp = (k: string): string =>
    `100.0 * ((rank() OVER (ORDER BY ${k}) - 1) + 0.5 * count(*) OVER (PARTITION BY ${k})) / count(*) OVER ()`;
  const pctDown = (k: string): string =>
    `100.0 * ((rank() OVER (ORDER BY ${k} DESC) - 1) + 0.5 * count(*) OVER (PARTITION BY ${k})) / count(*) OVER ()`;
  let weightSum = 0;
  for (const k of KPI_NAMES) weightSum += m.weights[k];
  const score = KPI_NAMES.map((k) => `${m.weights[k]} * p_${k}`).join(" + ");
  const cum: number[] = [];
  let c = 0;
  for (const t of m.tiers.slice(0, -1)) cum.push((c += t.share ?? 0));
  const cutCols = cum.map(
    (share, i) =>
      `(SELECT score FROM ranked WHERE pos = least(ceil(round(${share} * (SELECT n FROM n), 9)), (SELECT n FROM n))) AS c${i}`,
  );
  const tierCase = `CASE WHEN NOT active THEN ${q(m.tiers.at(-1)!.code)} ${cum.map((_, i) => `WHEN score >= c${i} THEN ${q(m.tiers[i].code)}`).join(" ")} ELSE ${q(m.tiers.at(-1)!.code)} END`;
  const cadence = `CASE tier ${m.tiers.map((t) => `WHEN ${q(t.code)} THEN ${policyFor(DEFAULT_POLICY_SET, t.code).cadenceDays}`).join(" ")} END`;
  const states = m.invoiceStates.join(", ");
  const t = m.trend;
  return `
COPY (
WITH acc AS (
  SELECT accountid, name FROM ${csv("accounts.csv", { accountid: "VARCHAR", name: "VARCHAR", statecode: "INTEGER" })} WHERE statecode = 0
), inv AS (
  SELECT customerid AS id,
    sum(totalamount_base) FILTER (WHERE createdon >= ${START}) AS monetary,
    count(*) FILTER (WHERE createdon >= ${START} AND totalamount_base > 0) AS frequency,
    max(createdon) FILTER (WHERE createdon >= ${START} AND totalamount_base > 0) AS last_invoice,
    min(createdon) AS first_invoice,
    sum(totalamount_base) FILTER (WHERE createdon >= ${ts(q0)} AND createdon < ${ts(w.quartersEnd)}) AS q0,
    sum(totalamount_base) FILTER (WHERE createdon >= ${ts(q1)} AND createdon < ${ts(q0)}) AS q1,
    sum(totalamount_base) FILTER (WHERE createdon >= ${ts(q2)} AND createdon < ${ts(q1)}) AS q2,
    sum(totalamount_base) FILTER (WHERE createdon >= ${ts(q3)} AND createdon < ${ts(q2)}) AS q3,
    sum(totalamount_base) FILTER (WHERE createdon >= ${ts(q4)} AND createdon < ${ts(q3)}) AS q4
  FROM ${csv("invoices.csv", { invoiceid: "VARCHAR", customerid: "VARCHAR", totalamount_base: "DECIMAL(18,2)", statecode: "INTEGER", createdon: "TIMESTAMP" })}
  WHERE statecode IN (${states}) AND createdon < ${ASOF}
  GROUP BY customerid
), opp AS (
  SELECT customerid AS id,
    sum(actualvalue_base) FILTER (WHERE statecode = 1 AND actualclosedate >= ${START} AND actualclosedate < ${ASOF}) AS won,
    max(actualclosedate) FILTER (WHERE statecode = 1 AND actualclosedate >= ${START} AND actualclosedate < ${ASOF}) AS last_won,
    round(sum(coalesce(estimatedvalue_base, 0)::DOUBLE * coalesce(closeprobability, 0) / 100) FILTER (WHERE statecode = 0), 2) AS pipeline
  FROM ${csv("opportunities.csv", { opportunityid: "VARCHAR", customerid: "VARCHAR", statecode: "INTEGER", actualvalue_base: "DECIMAL(18,2)", estimatedvalue_base: "DECIMAL(18,2)", closeprobability: "DOUBLE", actualclosedate: "TIMESTAMP", estimatedclosedate: "TIMESTAMP" })}
  GROUP BY customerid
), act AS (
  SELECT regardingobjectid AS id, max(actualend) AS last_touch
  FROM ${csv("activities.csv", { activityid: "VARCHAR", regardingobjectid: "VARCHAR", activitytypecode: "VARCHAR", statecode: "INTEGER", actualend: "TIMESTAMP" })}
  WHERE statecode = 1 AND activitytypecode IN ('appointment', 'phonecall', 'email') AND actualend < ${ASOF}
  GROUP BY regardingobjectid
), facts AS (
  SELECT a.accountid, a.name,
    coalesce(i.monetary, 0)::DOUBLE AS monetary, coalesce(i.frequency, 0)::DOUBLE AS frequency,
    coalesce(o.won, 0)::DOUBLE AS won, coalesce(o.pipeline, 0) AS pipeline,
    coalesce(floor((epoch_ms(${ASOF}) - epoch_ms(greatest(i.last_invoice, o.last_won))) / 86400000), 1e12) AS recency,
    i.first_invoice, t.last_touch,
    coalesce(i.q0, 0)::DOUBLE AS q0,
    list_median([coalesce(i.q1, 0)::DOUBLE, coalesce(i.q2, 0)::DOUBLE, coalesce(i.q3, 0)::DOUBLE, coalesce(i.q4, 0)::DOUBLE]) AS baseline
  FROM acc a LEFT JOIN inv i ON i.id = a.accountid LEFT JOIN opp o ON o.id = a.accountid LEFT JOIN act t ON t.id = a.accountid
), pct AS (
  SELECT *, ${pctUp("monetary")} AS p_monetary, ${pctUp("frequency")} AS p_frequency, ${pctDown("recency")} AS p_recency,
    ${pctUp("pipeline")} AS p_pipeline, ${pctUp("won")} AS p_won
  FROM facts
), scored AS (
  SELECT *, round((${score}) / ${weightSum}, 6) AS score, (monetary <> 0 OR frequency > 0 OR won > 0 OR pipeline > 0) AS active FROM pct
), ranked AS (
  SELECT score, row_number() OVER (ORDER BY score DESC) AS pos FROM scored WHERE active
), n AS (SELECT count(*) AS n FROM ranked
), cuts AS (SELECT ${cutCols.join(", ")}
), tiered AS (
  SELECT s.*, ${tierCase} AS tier FROM scored s, cuts
)
SELECT accountid, name, tier, printf('%.6f', score) AS score,
  CASE WHEN first_invoice IS NULL OR first_invoice > ${ts(q4)} THEN 'insufficient'
       WHEN baseline > 0 AND q0 <= ${1 - t.dropRatio} * baseline AND baseline - q0 >= ${t.minAbsoluteChange} THEN 'declining'
       WHEN q0 >= ${1 + t.riseRatio} * baseline AND q0 - baseline >= ${t.minAbsoluteChange} THEN 'growing'
       ELSE 'stable' END AS trend,
  round(q0 - baseline, 2) AS trenddelta, active::INTEGER AS activeinwindow, monetary, frequency,
  CASE WHEN recency >= 1e12 THEN NULL ELSE recency END AS recencydays, pipeline, won,
  ${cadence} AS cadencedays, last_touch
FROM tiered
) TO ${q(out)} (HEADER, DELIMITER ',')`;
}

/** CSV to tiers in DuckDB (default threads: one per core), then tier agreement with our output of the same size. */
export async function duckdbSuite(o: SuiteOptions): Promise<Figure[]> {
  const { dir } = await ensureSample(o.size, o.log);
  const out = benchOut(`tiers-duckdb-${o.size}.csv`);
  const sql = tiersSql(dir, out);
  const ms: number[] = [];
  const reps = Math.max(1, repetitions(o.size, o.quick) - 2);
  for (let rep = 0; rep < reps; rep++) {
    rmSync(out, { force: true });
    const t0 = process.hrtime.bigint();
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    await con.run(sql);
    con.closeSync();
    db.closeSync();
    ms.push(msSince(t0));
    o.log(`csv-to-tiers duckdb ${o.size} run ${rep + 1}: ${ms.at(-1)!.toFixed(0)} ms`);
  }
  const p = `csv_to_tiers.${o.size}`;
  const figures: Figure[] = [
    { name: `${p}.duckdb`, value: median(ms), unit: "ms" },
    { name: `${p}.duckdb_peak_rss`, value: peakRssMb(), unit: "MB" },
  ];
  const ours = oursTiersFile(o.size);
  if (existsSync(ours)) {
    // Not timed: the share of accounts both sides put in the same tier (a check that the peer does the same job).
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    const r = await con.runAndReadAll(
      `SELECT count(*) FILTER (WHERE a.tier = b.tier)::DOUBLE / count(*) AS agree, count(*) AS n
       FROM read_csv(${q(ours)}, header = true, all_varchar = true) a JOIN read_csv(${q(out)}, header = true, all_varchar = true) b USING (accountid)`,
    );
    const [agree] = r.getRows()[0] as [number, bigint];
    figures.push({ name: `${p}.tier_agreement`, value: 100 * agree, unit: "%" });
    con.closeSync();
    db.closeSync();
  }
  return figures;
}

if (require.main === module) childMain(duckdbSuite);

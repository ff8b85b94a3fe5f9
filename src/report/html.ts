import type { MovementMatrix, ReportData, TouchRhythmRow } from "./model";
import { distributionChart, esc, paretoChart, tierColor } from "./svg";

const money = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const count = new Intl.NumberFormat("en-US");
const pct = (x: number | null): string => (x === null ? "n/a" : `${(x * 100).toFixed(1)} %`);
const days = (x: number | null): string => (x === null ? "–" : `${x.toFixed(0)} days`);

/** A date for people: "1 January 2024" (UTC, as the engine's dates are). */
export function humanDate(iso: string): string {
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(iso),
  );
}

/** The instant the window ends as people say it: asOf at midnight is the end of the day before. */
function windowEnd(iso: string): string {
  const t = Date.parse(iso);
  return new Date(t).getUTCHours() === 0 && new Date(t).getUTCMinutes() === 0
    ? `the end of ${humanDate(new Date(t - 1).toISOString())}`
    : humanDate(iso);
}

const STYLE = `
body{font-family:"Segoe UI",system-ui,-apple-system,sans-serif;color:#201F1E;margin:0;background:#FAF9F8}
main{max-width:980px;margin:0 auto;padding:24px;background:#FFFFFF}
h1{font-size:28px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid #E1DFDD;padding-bottom:4px}
p.meta{color:#484644;margin:0 0 16px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:14px}
th,td{border:1px solid #C8C6C4;padding:4px 10px;text-align:right}
th[scope=row],td.text,th.text{text-align:left}
thead th{background:#F3F2F1}
caption{text-align:left;font-weight:600;padding:4px 0}
figure{margin:8px 0}figcaption{font-size:14px;color:#484644}
svg{max-width:100%;height:auto}
.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;vertical-align:middle}
td.diag{background:#F3F2F1;font-weight:600}
.note{color:#484644;font-size:14px}
`;

/** The whole report as one HTML document: no script, no external reference (charts are inline SVG). */
export function renderReportHtml(d: ReportData): string {
  const title = `Quarterly tier review as of ${humanDate(d.asOf)}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${esc(title)}</h1>
<p class="meta">Method ${esc(d.method)}, ${d.windowMonths}-month window up to ${esc(windowEnd(d.asOf))}. ${count.format(d.population)} active accounts, ${count.format(d.activeInWindow)} of them active in the window (the population the tier cut is taken over); net revenue ${money.format(d.netRevenue)}. Tiers are confidential: do not share this report with customers.</p>
${distributionSection(d)}
${paretoSection(d)}
${movementSection(d)}
${decliningSection(d)}
${overdueSection(d)}
${touchRhythmSection(d)}
</main>
</body>
</html>
`;
}

function distributionSection(d: ReportData): string {
  const rows = d.distribution
    .map(
      (r, i) =>
        `<tr><th scope="row" class="text"><span class="swatch" style="background:${tierColor(i)}" aria-hidden="true"></span>${esc(r.tier)}</th><td>${count.format(r.accounts)}</td><td>${count.format(r.activeAccounts)}</td><td>${pct(r.accountShare)}</td><td>${money.format(r.revenue)}</td><td>${pct(r.revenueShare)}</td></tr>`,
    )
    .join("\n");
  return `<section aria-labelledby="dist-h">
<h2 id="dist-h">Tier distribution</h2>
<figure>${distributionChart(d.distribution, "dist-chart")}
<figcaption>Solid bars: share of the accounts active in the window; hatched bars: share of net revenue in the window.</figcaption></figure>
<table id="distribution"><caption>Accounts and revenue per computed tier; shares of accounts are over the ${count.format(d.activeInWindow)} accounts active in the window, the population the cut is taken over</caption>
<thead><tr><th scope="col" class="text">Tier</th><th scope="col">Accounts</th><th scope="col">Active in window</th><th scope="col">Share of active in window</th><th scope="col">Revenue</th><th scope="col">Share of revenue</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</section>`;
}

function paretoSection(d: ReportData): string {
  const c = d.pareto;
  const rows = c.cuts
    .map(
      (x) =>
        `<tr><th scope="row" class="text">${esc(x.tier)}</th><td>${count.format(x.accounts)}</td><td>${pct(x.rankShare)}</td><td>${pct(x.curveShare)}</td></tr>`,
    )
    .join("\n");
  return `<section aria-labelledby="pareto-h">
<h2 id="pareto-h">Pareto curve</h2>
<figure>${paretoChart(c, "pareto-chart")}
<figcaption>Cumulative share of positive revenue held by the largest accounts; dashed lines mark where each tier ends (accounts in that tier or a higher one).</figcaption></figure>
<table id="pareto-cuts"><caption>Tier cuts on the curve (${count.format(c.activeAccounts)} accounts active in the window, positive revenue ${money.format(c.positiveRevenue)})</caption>
<thead><tr><th scope="col" class="text">Down to tier</th><th scope="col">Accounts</th><th scope="col">Share of accounts</th><th scope="col">Revenue of the largest that many</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</section>`;
}

function movementSection(d: ReportData): string {
  const head = `<section aria-labelledby="move-h">\n<h2 id="move-h">Tier movement</h2>\n`;
  if (!d.movement && !d.movementComputed)
    return `${head}<p class="note">No previous run given (<code>--previous tiers.csv</code> from the last quarter's <code>tiering rank</code>), so there is no movement to show.</p>\n</section>`;
  const source = esc(d.previousSource ?? "the previous run");
  const stored = d.movement
    ? `<p class="note">Tiers accounts hold (after hysteresis and overrides), against ${source}: ${movementSummary(d.movement)}.</p>\n${movementTable(d.movement, "movement", "Previous stored tier (rows) by stored tier now (columns); the diagonal is unchanged")}\n`
    : "";
  const computed = d.movementComputed
    ? `<h3>Computed tiers (before hysteresis and overrides)</h3>\n<p class="note">What the score alone would give, against ${source}: ${movementSummary(d.movementComputed)}. Hysteresis keeps most of these moves from reaching the accounts.</p>\n${movementTable(d.movementComputed, "movement-computed", "Previous computed tier (rows) by computed tier now (columns); the diagonal is unchanged")}\n`
    : "";
  return `${head}${stored}${computed}</section>`;
}

function touchRhythmSection(d: ReportData): string {
  const row = (r: TouchRhythmRow): string =>
    `<tr><th scope="row" class="text">${esc(r.tier)}</th><td>${r.cadenceDays} days</td><td>${days(r.growing.medianDays)}</td><td>${count.format(r.growing.accounts)}</td><td>${days(r.declining.medianDays)}</td><td>${count.format(r.declining.accounts)}</td></tr>`;
  return `<section aria-labelledby="rhythm-h">
<h2 id="rhythm-h">Touch rhythm and growth</h2>
<p class="note">Per tier, the median days between the last three touches of accounts whose trend is growing and of those declining: the rhythm that goes with the best customers, next to the tier policy's cadence. Accounts with fewer than two touches are left out.</p>
<table id="touch-rhythm"><caption>Real touch intervals of growing and declining accounts</caption>
<thead><tr><th scope="col" class="text">Tier</th><th scope="col">Policy cadence</th><th scope="col">Growing: median interval</th><th scope="col">Growing accounts</th><th scope="col">Declining: median interval</th><th scope="col">Declining accounts</th></tr></thead>
<tbody>
${d.touchRhythm.map(row).join("\n")}
</tbody></table>
</section>`;
}

function movementSummary(m: MovementMatrix): string {
  const parts = [
    `${count.format(m.unchanged)} unchanged`,
    `${count.format(m.promoted)} promoted`,
    `${count.format(m.demoted)} demoted`,
    `${count.format(m.entered)} new`,
    `${count.format(m.left)} gone`,
  ];
  if (m.unknownTier) parts.push(`${count.format(m.unknownTier)} with a tier the model does not know`);
  return parts.join(", ");
}

function movementTable(m: MovementMatrix, id: string, caption: string): string {
  const head = m.to.map((t) => `<th scope="col">${esc(t)}</th>`).join("");
  const body = m.from
    .map((from, r) => {
      const cells = m.counts[r]
        .map((v, c) => `<td${r === c && r < m.from.length - 1 ? ' class="diag"' : ""}>${count.format(v)}</td>`)
        .join("");
      return `<tr><th scope="row" class="text">${esc(from)}</th>${cells}</tr>`;
    })
    .join("\n");
  return `<table id="${id}"><caption>${esc(caption)}</caption>
<thead><tr><th scope="col" class="text">Was \\ now</th>${head}</tr></thead>
<tbody>
${body}
</tbody></table>`;
}

function decliningSection(d: ReportData): string {
  const rows = d.declining
    .map(
      (r) =>
        `<tr><td class="text">${esc(r.name || r.accountid)}</td><td class="text">${esc(r.tier)}</td><td>${money.format(r.monetary)}</td><td>${money.format(r.q0)}</td><td>${money.format(r.baseline)}</td><td>${money.format(r.delta)}</td></tr>`,
    )
    .join("\n");
  const shown =
    d.decliningTotal > d.declining.length
      ? ` (largest ${d.declining.length} of ${count.format(d.decliningTotal)})`
      : "";
  return `<section aria-labelledby="decl-h">
<h2 id="decl-h">Top accounts with a declining trend</h2>
${
  d.decliningTotal
    ? `<table id="declining"><caption>Accounts above the lowest tier whose last quarter fell against their own baseline${shown}</caption>
<thead><tr><th scope="col" class="text">Account</th><th scope="col" class="text">Tier</th><th scope="col">Revenue (window)</th><th scope="col">Last quarter</th><th scope="col">Baseline</th><th scope="col">Change</th></tr></thead>
<tbody>
${rows}
</tbody></table>`
    : `<p class="note">No account above the lowest tier is declining.</p>`
}
</section>`;
}

function overdueSection(d: ReportData): string {
  const rows = d.overdue
    .map(
      (r) =>
        `<tr><td class="text">${esc(r.name || r.accountid)}</td><td class="text">${esc(r.nextTouchDue)}</td><td>${count.format(r.overdueDays)}</td><td class="text">${esc(r.channel)} every ${r.cadenceDays} days</td></tr>`,
    )
    .join("\n");
  const shown =
    d.overdueTotal > d.overdue.length ? ` (most overdue ${d.overdue.length} of ${count.format(d.overdueTotal)})` : "";
  return `<section aria-labelledby="over-h">
<h2 id="over-h">${esc(d.topTier)} accounts with an overdue touch</h2>
${
  d.overdueTotal
    ? `<table id="overdue"><caption>${esc(d.topTier)} accounts whose next touch is past due${shown}</caption>
<thead><tr><th scope="col" class="text">Account</th><th scope="col" class="text">Next touch due</th><th scope="col">Days overdue</th><th scope="col" class="text">Cadence</th></tr></thead>
<tbody>
${rows}
</tbody></table>`
    : `<p class="note">Every ${esc(d.topTier)} account is within its touch cadence.</p>`
}
</section>`;
}

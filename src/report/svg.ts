import type { ParetoCurve, TierShareRow } from "./model";

/** Inline SVG charts drawn here, so the report needs no script, font or network to show them. */

export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const f = (x: number): string => (Math.round(x * 10) / 10).toString();
const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** Colours with ≥ 4.5:1 contrast on white (WCAG 2.1 AA), one per tier, in rank order. */
export const TIER_COLORS = ["#7A5600", "#005A9E", "#0B6A0B", "#605E5C", "#8E24AA", "#B71C1C"];
export const tierColor = (index: number): string => TIER_COLORS[index % TIER_COLORS.length];

/** Two bars per tier: share of accounts (solid) and share of revenue (hatched), 0–100 %. */
export function distributionChart(rows: readonly TierShareRow[], id: string): string {
  const W = 640;
  const left = 56;
  const right = 16;
  const top = 28;
  const group = 56;
  const bar = 20;
  const H = top + rows.length * group + 36;
  const plot = W - left - right;
  const x = (v: number): number => left + Math.max(0, Math.min(1, v)) * plot;
  const parts: string[] = [];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(
      `<line x1="${f(x(t))}" y1="${top - 6}" x2="${f(x(t))}" y2="${H - 30}" stroke="#C8C6C4" stroke-width="1"/>`,
    );
    parts.push(
      `<text x="${f(x(t))}" y="${H - 14}" text-anchor="middle" font-size="12" fill="#323130">${t * 100} %</text>`,
    );
  }
  rows.forEach((r, i) => {
    const y = top + i * group;
    const c = tierColor(i);
    parts.push(
      `<text x="${left - 8}" y="${y + bar + 4}" text-anchor="end" font-size="14" font-weight="600" fill="#201F1E">${esc(r.tier)}</text>`,
    );
    parts.push(
      `<rect x="${left}" y="${y}" width="${f(x(r.accountShare) - left)}" height="${bar}" fill="${c}"><title>${esc(r.tier)}: ${r.accounts} accounts, ${pct(r.accountShare)} of accounts</title></rect>`,
    );
    const rev = r.revenueShare ?? 0;
    parts.push(
      `<rect x="${left}" y="${y + bar + 2}" width="${f(x(rev) - left)}" height="${bar}" fill="url(#${id}-hatch-${i})" stroke="${c}" stroke-width="1.5"><title>${esc(r.tier)}: ${r.revenueShare === null ? "n/a" : pct(rev)} of revenue</title></rect>`,
    );
    parts.push(
      `<text x="${f(x(r.accountShare) + 4)}" y="${y + 15}" font-size="12" fill="#201F1E">${pct(r.accountShare)} of accounts</text>`,
    );
    parts.push(
      `<text x="${f(x(rev) + 4)}" y="${y + bar + 17}" font-size="12" fill="#201F1E">${r.revenueShare === null ? "n/a" : pct(rev)} of revenue</text>`,
    );
  });
  const defs = rows
    .map(
      (_, i) =>
        `<pattern id="${id}-hatch-${i}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#FFFFFF"/><rect width="3" height="6" fill="${tierColor(i)}"/></pattern>`,
    )
    .join("");
  return svg(id, W, H, "Tier distribution", describeDistribution(rows), `<defs>${defs}</defs>${parts.join("")}`);
}

function describeDistribution(rows: readonly TierShareRow[]): string {
  return rows
    .map(
      (r) =>
        `${r.tier}: ${pct(r.accountShare)} of accounts, ${r.revenueShare === null ? "revenue share n/a" : `${pct(r.revenueShare)} of revenue`}`,
    )
    .join("; ");
}

/** Cumulative share of revenue against share of accounts (largest first), with a dashed line at each tier cut. */
export function paretoChart(curve: ParetoCurve, id: string): string {
  const W = 640;
  const H = 400;
  const left = 56;
  const right = 20;
  const top = 20;
  const bottom = 48;
  const pw = W - left - right;
  const ph = H - top - bottom;
  const x = (v: number): number => left + v * pw;
  const y = (v: number): number => top + (1 - v) * ph;
  const parts: string[] = [];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${left}" y1="${f(y(t))}" x2="${W - right}" y2="${f(y(t))}" stroke="#E1DFDD"/>`);
    parts.push(
      `<text x="${left - 6}" y="${f(y(t) + 4)}" text-anchor="end" font-size="12" fill="#323130">${t * 100} %</text>`,
    );
    parts.push(
      `<text x="${f(x(t))}" y="${H - bottom + 18}" text-anchor="middle" font-size="12" fill="#323130">${t * 100} %</text>`,
    );
  }
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${H - bottom}" stroke="#605E5C"/>`);
  parts.push(`<line x1="${left}" y1="${H - bottom}" x2="${W - right}" y2="${H - bottom}" stroke="#605E5C"/>`);
  parts.push(
    `<text x="${f(left + pw / 2)}" y="${H - 8}" text-anchor="middle" font-size="12" fill="#323130">share of accounts active in the window, largest revenue first</text>`,
  );
  curve.cuts.forEach((c, i) => {
    const cx = f(x(c.rankShare));
    parts.push(
      `<line x1="${cx}" y1="${top}" x2="${cx}" y2="${H - bottom}" stroke="${tierColor(i)}" stroke-width="1.5" stroke-dasharray="5 4"/>`,
    );
    parts.push(
      `<circle cx="${cx}" cy="${f(y(c.curveShare))}" r="4" fill="${tierColor(i)}"><title>${esc(c.tier)} cut: top ${c.accounts} accounts (${pct(c.rankShare)}) hold ${pct(c.curveShare)} of revenue</title></circle>`,
    );
    parts.push(
      `<text x="${f(x(c.rankShare) + 4)}" y="${top + 14 + i * 16}" font-size="12" fill="${tierColor(i)}">${esc(c.tier)} cut ${pct(c.rankShare)} → ${pct(c.curveShare)}</text>`,
    );
  });
  const d = curve.points.map(([a, b], i) => `${i ? "L" : "M"}${f(x(a))} ${f(y(b))}`).join("");
  parts.push(`<path d="${d}" fill="none" stroke="#201F1E" stroke-width="2"/>`);
  const desc = curve.activeAccounts
    ? `${curve.activeAccounts} accounts active in the window. ` +
      curve.cuts
        .map(
          (c) =>
            `${c.tier} cut after ${c.accounts} accounts (${pct(c.rankShare)}), which hold ${pct(c.curveShare)} of revenue`,
        )
        .join("; ")
    : "No account was active in the window.";
  return svg(id, W, H, "Pareto curve: cumulative revenue by account rank", desc, parts.join(""));
}

function svg(id: string, w: number, h: number, title: string, desc: string, body: string): string {
  return `<svg id="${id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-labelledby="${id}-title ${id}-desc" focusable="false"><title id="${id}-title">${esc(title)}</title><desc id="${id}-desc">${esc(desc)}</desc>${body}</svg>`;
}

/*
 * Inline SVG charts for the demo dashboard, drawn the way the quarterly report draws its charts
 * (src/report/svg.ts): the same tier colours, the same <svg role="img"> with a <title> and a <desc> that says in
 * words what the picture shows, no script, font or network needed.
 */

export const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const f = (x) => (Math.round(x * 10) / 10).toString();
const pct = (x) => `${(x * 100).toFixed(1)} %`;

/** src/report/svg.ts TIER_COLORS: ≥ 4.5:1 contrast on white, one per tier, in rank order. */
export const TIER_COLORS = ["#7A5600", "#005A9E", "#0B6A0B", "#605E5C", "#8E24AA", "#B71C1C"];
export const tierColor = (index) => TIER_COLORS[index % TIER_COLORS.length];
const UP = "#0B6A0B";
const DOWN = "#A4262C";

function svg(id, w, h, title, desc, body) {
  return `<svg id="${id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-labelledby="${id}-title ${id}-desc" focusable="false"><title id="${id}-title">${esc(title)}</title><desc id="${id}-desc">${esc(desc)}</desc>${body}</svg>`;
}

/** The tier pyramid: one centred bar per tier, its width the tier's share of the accounts, the best tier on top. */
export function pyramidChart(rows, id, title) {
  const W = 480;
  const bar = 34;
  const top = 8;
  const H = top + rows.length * (bar + 6) + 8;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const total = rows.reduce((s, r) => s + r.value, 0) || 1;
  const mid = 200;
  const parts = rows.map((r, i) => {
    const w = Math.max(2, (r.value / max) * 360);
    const y = top + i * (bar + 6);
    return (
      `<rect x="${f(mid - w / 2)}" y="${y}" width="${f(w)}" height="${bar}" fill="${tierColor(r.index)}"><title>${esc(r.label)}: ${r.value} accounts (${pct(r.value / total)})</title></rect>` +
      `<text x="${f(mid + w / 2 + 8)}" y="${y + bar / 2 + 5}" font-size="13" fill="#201F1E"><tspan font-weight="600">${esc(r.label)}</tspan> ${r.value} (${pct(r.value / total)})</text>`
    );
  });
  const desc = rows.map((r) => `${r.label}: ${r.value} accounts, ${pct(r.value / total)}`).join("; ");
  return svg(id, W, H, title, desc, parts.join(""));
}

/** Horizontal bars, one per category; each bar's colour is its tier's, or the one given. */
export function barChart(rows, id, title, unit) {
  const W = 480;
  const left = 64;
  const bar = 24;
  const top = 8;
  const H = top + rows.length * (bar + 8) + 8;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const parts = rows.map((r, i) => {
    const y = top + i * (bar + 8);
    const w = (r.value / max) * (W - left - 110);
    return (
      `<text x="${left - 8}" y="${y + bar / 2 + 5}" text-anchor="end" font-size="13" font-weight="600" fill="#201F1E">${esc(r.label)}</text>` +
      `<rect x="${left}" y="${y}" width="${f(Math.max(w, r.value ? 2 : 0))}" height="${bar}" fill="${r.color ?? tierColor(r.index)}"><title>${esc(r.label)}: ${r.value} ${unit}</title></rect>` +
      `<text x="${f(left + w + 6)}" y="${y + bar / 2 + 5}" font-size="12" fill="#201F1E">${r.value} ${esc(unit)}</text>`
    );
  });
  const desc = rows.map((r) => `${r.label}: ${r.value} ${unit}`).join("; ");
  return svg(id, W, H, title, desc, parts.join(""));
}

/** src/report/svg.ts distributionChart: per tier, its share of the accounts (solid) and of the revenue (hatched). */
export function distributionChart(rows, id, title) {
  const W = 480;
  const left = 56;
  const right = 16;
  const top = 28;
  const group = 56;
  const bar = 20;
  const H = top + rows.length * group + 36;
  const plot = W - left - right;
  const x = (v) => left + Math.max(0, Math.min(1, v)) * plot;
  const parts = [];
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
    const c = tierColor(r.index);
    parts.push(
      `<text x="${left - 8}" y="${y + bar + 4}" text-anchor="end" font-size="14" font-weight="600" fill="#201F1E">${esc(r.label)}</text>`,
    );
    parts.push(
      `<rect x="${left}" y="${y}" width="${f(x(r.accountShare) - left)}" height="${bar}" fill="${c}"><title>${esc(r.label)}: ${r.accounts} accounts, ${pct(r.accountShare)} of accounts</title></rect>`,
    );
    parts.push(
      `<rect x="${left}" y="${y + bar + 2}" width="${f(x(r.revenueShare) - left)}" height="${bar}" fill="url(#${id}-hatch-${r.index})" stroke="${c}" stroke-width="1.5"><title>${esc(r.label)}: ${pct(r.revenueShare)} of revenue</title></rect>`,
    );
    parts.push(
      `<text x="${f(Math.min(x(r.accountShare) + 4, W - 150))}" y="${y + 15}" font-size="12" fill="#201F1E">${pct(r.accountShare)} of accounts</text>`,
    );
    parts.push(
      `<text x="${f(Math.min(x(r.revenueShare) + 4, W - 150))}" y="${y + bar + 17}" font-size="12" fill="#201F1E">${pct(r.revenueShare)} of revenue</text>`,
    );
  });
  const defs = rows
    .map(
      (r) =>
        `<pattern id="${id}-hatch-${r.index}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#FFFFFF"/><rect width="3" height="6" fill="${tierColor(r.index)}"/></pattern>`,
    )
    .join("");
  const desc = rows
    .map((r) => `${r.label}: ${pct(r.accountShare)} of accounts, ${pct(r.revenueShare)} of revenue`)
    .join("; ");
  return svg(id, W, H, title, desc, `<defs>${defs}</defs>${parts.join("")}`);
}

/** Tier movements per month: promotions to the right (green), demotions to the left (red), one row per month. */
export function movementChart(rows, id, title) {
  const W = 480;
  const top = 8;
  const bar = 18;
  const mid = 260;
  const H = top + rows.length * (bar + 8) + 8;
  const max = Math.max(1, ...rows.flatMap((r) => [r.up, r.down]));
  const scale = (v) => (v / max) * 150;
  const parts = rows.map((r, i) => {
    const y = top + i * (bar + 8);
    return (
      `<text x="8" y="${y + bar / 2 + 5}" font-size="12" font-weight="600" fill="#201F1E">${esc(r.label)}</text>` +
      `<rect x="${f(mid - scale(r.down))}" y="${y}" width="${f(scale(r.down))}" height="${bar}" fill="${DOWN}"><title>${esc(r.label)}: ${r.down} demotions</title></rect>` +
      `<rect x="${mid}" y="${y}" width="${f(scale(r.up))}" height="${bar}" fill="${UP}"><title>${esc(r.label)}: ${r.up} promotions</title></rect>` +
      `<text x="${f(mid - scale(r.down) - 4)}" y="${y + bar / 2 + 5}" text-anchor="end" font-size="12" fill="${DOWN}">−${r.down}</text>` +
      `<text x="${f(mid + scale(r.up) + 4)}" y="${y + bar / 2 + 5}" font-size="12" fill="${UP}">+${r.up}</text>`
    );
  });
  parts.push(`<line x1="${mid}" y1="${top - 4}" x2="${mid}" y2="${H - 4}" stroke="#605E5C"/>`);
  const desc = rows.map((r) => `${r.label}: ${r.up} promotions, ${r.down} demotions`).join("; ");
  return svg(id, W, H, title, desc, parts.join(""));
}

import { html, type Html } from './html.js';

/** Charts drawn on the server as SVG: no chart library, nothing for the browser to run. */

export interface Bar {
  label: string;
  value: number;
  /** Where a click on the bar leads. */
  href?: string;
}

const fmt = (n: number) => String(Math.round(n * 10) / 10);

/** Horizontal bars, one per item, the value written after each bar. */
export function barChart(title: string, bars: readonly Bar[], width = 480): Html {
  if (!bars.length) return html`<p class="empty">${title}：暂无数据</p>`;
  const rowH = 26;
  const labelW = 150;
  const valueW = 44;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = bars.length * rowH + 8;
  const rows = bars.map((b, i) => {
    const y = 4 + i * rowH;
    const w = Math.max(2, ((width - labelW - valueW) * b.value) / max);
    const bar = html`<rect class="bar" x="${labelW}" y="${y + 4}" width="${fmt(w)}" height="${rowH - 10}" rx="3"></rect>`;
    return html`<g><text class="label" x="${labelW - 8}" y="${y + rowH / 2 + 4}" text-anchor="end">${b.label}</text>${b.href ? html`<a href="${b.href}">${bar}</a>` : bar}<text class="value" x="${fmt(labelW + w + 6)}" y="${y + rowH / 2 + 4}">${b.value}</text></g>`;
  });
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}"><title>${title}</title>${rows}</svg>`;
}

/** Vertical columns over days (questions per day), the day under each column. */
export function columnChart(title: string, columns: readonly Bar[], width = 480, height = 180): Html {
  if (!columns.length) return html`<p class="empty">${title}：暂无数据</p>`;
  const bottom = 28;
  const top = 18;
  const gap = 4;
  const max = Math.max(1, ...columns.map((c) => c.value));
  const colW = Math.max(4, (width - gap * (columns.length + 1)) / columns.length);
  const cols = columns.map((c, i) => {
    const h = ((height - bottom - top) * c.value) / max;
    const x = gap + i * (colW + gap);
    const y = height - bottom - h;
    return html`<g><rect class="bar" x="${fmt(x)}" y="${fmt(y)}" width="${fmt(colW)}" height="${fmt(Math.max(1, h))}" rx="2"></rect><text class="value" x="${fmt(x + colW / 2)}" y="${fmt(y - 4)}" text-anchor="middle">${c.value}</text><text class="label" x="${fmt(x + colW / 2)}" y="${height - 10}" text-anchor="middle">${c.label}</text></g>`;
  });
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}"><title>${title}</title>${cols}</svg>`;
}

/** One bar split in two shares (answered / unanswered), with the percentages written out. */
export function shareBar(title: string, parts: readonly { label: string; value: number; kind: 'good' | 'bad' }[], width = 480): Html {
  const total = parts.reduce((s, p) => s + p.value, 0);
  if (!total) return html`<p class="empty">${title}：暂无数据</p>`;
  let x = 0;
  const segments = parts.map((p) => {
    const w = (width * p.value) / total;
    const seg = html`<rect class="${p.kind}" x="${fmt(x)}" y="0" width="${fmt(w)}" height="28"></rect>`;
    x += w;
    return seg;
  });
  const legend = parts.map((p, i) => html`<text class="label" x="${i === 0 ? 0 : width}" y="48" text-anchor="${i === 0 ? 'start' : 'end'}">${p.label} ${p.value}（${Math.round((100 * p.value) / total)}%）</text>`);
  return html`<svg class="chart" viewBox="0 0 ${width} 56" role="img" aria-label="${title}"><title>${title}</title>${segments}${legend}</svg>`;
}

/** Yuan as people say it in chat: 100000 → "10万元", 3500000 → "350万元", 5000 → "5000元". */
export function formatYuan(yuan: number): string {
  if (Math.abs(yuan) >= 10_000) return `${trimNumber(yuan / 10_000)}万元`;
  return `${trimNumber(yuan)}元`;
}

export function trimNumber(n: number): string {
  return String(Number(n.toFixed(4)));
}

/** ISO date "2026-12-31" → "2026年12月31日". */
export function formatChineseDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** Replaces {name} placeholders; an unknown name is left visible so a template typo shows in tests. */
export function fillTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

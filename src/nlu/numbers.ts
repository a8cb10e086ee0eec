import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const nzh = require('nzh') as { cn: { decodeS(s: string): number } };

const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** "三百五十万" → 3500000, "两" → 2, "二〇二五" → 2025 (read digit by digit), "350" → 350. */
export function parseNumeral(s: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  if ([...s].every((c) => c in CN_DIGITS) && s.length >= 2) {
    return Number([...s].map((c) => CN_DIGITS[c]).join(''));
  }
  // "一百二", "两百四", "三千五": the last digit counts the next unit down, as people say it.
  const spoken = /^([一二两三四五六七八九])([百千])([一二两三四五六七八九])$/.exec(s);
  if (spoken) return CN_DIGITS[spoken[1]] * (spoken[2] === '百' ? 100 : 1000) + CN_DIGITS[spoken[3]] * (spoken[2] === '百' ? 10 : 100);
  const value = nzh.cn.decodeS(s.replace(/两/g, '二').replace(/〇/g, '零'));
  return Number.isFinite(value) && value > 0 ? value : s === '零' ? 0 : undefined;
}

export const UNIT_FACTOR: Record<string, number> = { 百: 100, 千: 1000, 万: 10_000, 亿: 100_000_000 };

export interface NumberMention {
  value: number;
  /** What the number counts, from the characters after it. */
  kind: 'yuan' | 'year' | 'level' | 'count' | 'percent' | 'ordinal' | 'bare';
  /** For counts: the measure word (家, 场, 次, 个 …). */
  unit?: string;
  start: number;
  end: number;
}

// A numeral: Arabic (with decimals) or a run of Chinese numeral characters.
const NUMERAL = /(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿]+)/gy;
const CN_ONLY_UNITS = /^[百千万亿]+$/;

/** Every number in the text, with what the following characters say it is. */
export function numberMentions(text: string): NumberMention[] {
  const out: NumberMention[] = [];
  let i = 0;
  while (i < text.length) {
    NUMERAL.lastIndex = i;
    const m = NUMERAL.exec(text);
    if (!m || CN_ONLY_UNITS.test(m[1])) {
      i++;
      continue;
    }
    // "八十万一家给…": the digit after 万 counts what follows it, it is not part of the amount.
    const split = /^(.+[万亿])[一二两三四五六七八九]$/.exec(m[1]);
    const numeral = split && /^[家个场间次位名项]/.test(text.slice(i + m[1].length)) ? split[1] : m[1];
    const mention = classify(text, numeral, i);
    if (mention) {
      out.push(mention);
      i = mention.end;
    } else i += numeral.length;
  }
  return out;
}

function classify(text: string, numeral: string, start: number): NumberMention | undefined {
  const isArabic = /^\d/.test(numeral);
  let body = numeral;
  let factor = 1;
  // Arabic digits followed by a magnitude ("350万", "0.035亿").
  let end = start + numeral.length;
  if (isArabic) {
    const unit = /^[百千万亿]+/.exec(text.slice(end))?.[0];
    if (unit) {
      factor = [...unit].reduce((f, u) => f * UNIT_FACTOR[u], 1);
      end += unit.length;
    }
  }
  const before = text.slice(Math.max(0, start - 4), start);
  const after = text.slice(end, end + 6);
  if (before.endsWith('百分之')) {
    const v = parseNumeral(body);
    return v === undefined || !Number.isFinite(v) ? undefined : { value: v, kind: 'percent', start: start - 3, end };
  }
  if (text[start - 1] === '第') {
    const v = parseNumeral(body);
    return v === undefined || !Number.isFinite(v) ? undefined : { value: v, kind: 'ordinal', start, end: end + (/^[条项点次]/.test(after) ? 1 : 0) };
  }
  const value = parseNumeral(body);
  if (value === undefined) return undefined;
  // Decimal magnitudes ("0.035亿") must not leak float noise into yuan.
  const scaled = Math.round(value * factor * 100) / 100;
  // 400 nines is Infinity, which JSON stores as null: such a "number" would corrupt the dialog state.
  if (!Number.isFinite(scaled)) return undefined;
  if (/^%/.test(after)) return { value: scaled, kind: 'percent', start, end: end + 1 };
  // "两个加一块多少", "放一块算": 一块 is "together", not one yuan.
  // "这两块市里一共给多少": 块 after 这/那 counts parts, not yuan.
  const together = (numeral === '一' && /^块/.test(after) && /(?:加|放|合|算|在)$/.test(text.slice(0, start))) || (/^块/.test(after) && /[这那]$/.test(text.slice(0, start)));
  if (/^(元|块)/.test(after) && !together) return { value: scaled, kind: 'yuan', start, end: end + 1 };
  if (factor >= 10_000 || (!isArabic && /[万亿]/.test(numeral))) {
    return { value: scaled, kind: 'yuan', start, end: end + (/^元/.test(after) ? 1 : 0) };
  }
  // "省奖 2500000": a figure this large with no unit is an amount in yuan.
  if (isArabic && factor === 1 && value >= 100_000 && value < 10_000_000_000 && /^\d+$/.test(numeral)) return { value: scaled, kind: 'yuan', start, end };
  if (/^年/.test(after) && factor === 1) {
    const year = yearOf(numeral, value);
    if (year !== undefined) return { value: year, kind: 'year', start, end: end + 1 };
  }
  if (/^级/.test(after) && value <= 10) return { value, kind: 'level', start, end: end + 1 };
  // "一次性", "领一次": how often, not how many events.
  if (/^次性/.test(after) || (/^次/.test(after) && value === 1)) return { value, kind: 'bare', start, end };
  const unit = /^(家|场|次|个|所|名|人|项|批|届)/.exec(after)?.[1];
  if (unit) return { value: scaled, kind: 'count', unit, start, end: end + 1 };
  if (isArabic && numeral.length === 4 && value >= 1990 && value <= 2100) return { value, kind: 'year', start, end };
  return { value: scaled, kind: 'bare', start, end };
}

/** "2025" → 2025, "25" → 2025, "二〇二五" → 2025; durations ("3年") are not years. */
function yearOf(numeral: string, value: number): number | undefined {
  if (value >= 1990 && value <= 2100) return value;
  if (/^\d{2}$/.test(numeral) && value >= 10 && value <= 60) return 2000 + value;
  return undefined;
}

// (旧年: Minnan for 去年.)
export const RELATIVE_YEARS: Record<string, number> = { 大前年: -3, 前年: -2, 去年: -1, 旧年: -1, 上一年: -1, 今年: 0, 本年: 0, 当年: 0, 明年: 1 };

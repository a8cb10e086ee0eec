/**
 * The time a question refers to ("明年一月再办一场", "技改明年才投", "2027年3月", "下个季度",
 * "年底以后"), as a range of Fuzhou dates, so answers can be checked against a document's
 * validity. Pure: the caller passes today's date in the city's time zone.
 */
export interface TimeReference {
  /** First day the reference covers (ISO date). */
  from: string;
  /** Last day it covers (ISO date). */
  to: string;
  /** The words of the question that named the time. */
  words: string;
}

const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** "3", "三", "十二", "十一" → number; undefined when it is not a small number. */
function smallNumber(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  if (s === '十') return 10;
  const m = /^([一二三四五六七八九])?十([一二三四五六七八九])?$/.exec(s);
  if (m) return (m[1] ? CN_DIGITS[m[1]] : 1) * 10 + (m[2] ? CN_DIGITS[m[2]] : 0);
  if (s.length === 1 && CN_DIGITS[s] !== undefined) return CN_DIGITS[s];
  return undefined;
}

/** "二〇二七" / "二零二七" → 2027. */
function chineseYear(s: string): number | undefined {
  if (/^\d{4}$/.test(s)) return Number(s);
  const digits = [...s].map((c) => CN_DIGITS[c]);
  return digits.length === 4 && digits.every((d) => d !== undefined) ? Number(digits.join('')) : undefined;
}

const pad = (n: number) => String(n).padStart(2, '0');
const iso = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const monthRange = (y: number, m: number) => ({ from: iso(y, m, 1), to: iso(y, m, lastDay(y, m)) });
const span = (y1: number, m1: number, y2: number, m2: number) => ({ from: iso(y1, m1, 1), to: iso(y2, m2, lastDay(y2, m2)) });
/** A month counted from (y, m): handles the year boundary. */
function addMonths(y: number, m: number, n: number): [number, number] {
  const k = y * 12 + (m - 1) + n;
  return [Math.floor(k / 12), (k % 12) + 1];
}

const NUM = '(\\d{1,2}|十[一二]?|[一二三四五六七八九])';
const YEAR = '(\\d{4}|[二〇零一二三四五六七八九]{4})';
const FAR = '2100-12-31';

type Rule = { re: RegExp; range: (m: RegExpExecArray, y: number, mo: number) => { from: string; to: string } | undefined };

// Most specific first: the first rule that matches decides.
const RULES: Rule[] = [
  // 2027年3月15日, 2027年3月, 2027年
  {
    re: new RegExp(`${YEAR}年(?:${NUM}月(?:份)?(?:(\\d{1,2})[日号])?)?`),
    range: (m) => {
      const year = chineseYear(m[1]);
      if (!year) return undefined;
      const month = m[2] ? smallNumber(m[2]) : undefined;
      if (month === undefined) return m[2] ? undefined : span(year, 1, year, 12);
      if (month < 1 || month > 12) return undefined;
      const day = m[3] ? Number(m[3]) : undefined;
      return day ? { from: iso(year, month, day), to: iso(year, month, day) } : monthRange(year, month);
    },
  },
  // 年底以后, 年后, 明年以后, 今年以后: everything from the next year on
  { re: /(?:今年)?(?:年底|年末)(?:以后|之后|后)|明年(?:以后|之后|起)|跨年(?:以后|之后)/, range: (_m, y) => ({ from: iso(y + 1, 1, 1), to: FAR }) },
  // 明年一月, 后年3月
  {
    re: new RegExp(`(明年|后年|今年)${NUM}月(?:份)?`),
    range: (m, y) => {
      const month = smallNumber(m[2]);
      if (!month || month > 12) return undefined;
      return monthRange(y + { 今年: 0, 明年: 1, 后年: 2 }[m[1] as '今年' | '明年' | '后年'], month);
    },
  },
  { re: /(明年|后年)(?:年初|初|开年|开春)/, range: (m, y) => { const t = y + (m[1] === '明年' ? 1 : 2); return span(t, 1, t, 3); } },
  { re: /(明年|后年)(?:年底|底|年末)/, range: (m, y) => { const t = y + (m[1] === '明年' ? 1 : 2); return monthRange(t, 12); } },
  { re: /(明年|后年)上半年/, range: (m, y) => { const t = y + (m[1] === '明年' ? 1 : 2); return span(t, 1, t, 6); } },
  { re: /(明年|后年)下半年/, range: (m, y) => { const t = y + (m[1] === '明年' ? 1 : 2); return span(t, 7, t, 12); } },
  { re: /明年|来年|下一年/, range: (_m, y) => span(y + 1, 1, y + 1, 12) },
  { re: /后年/, range: (_m, y) => span(y + 2, 1, y + 2, 12) },
  {
    re: /下(?:个|一个|一)?季度/,
    range: (_m, y, mo) => {
      const [sy, sm] = addMonths(y, mo - ((mo - 1) % 3), 3);
      const [ey, em] = addMonths(sy, sm, 2);
      return span(sy, sm, ey, em);
    },
  },
  { re: /下下(?:个)?月/, range: (_m, y, mo) => { const [a, b] = addMonths(y, mo, 2); return monthRange(a, b); } },
  { re: /下(?:个|一个)?月/, range: (_m, y, mo) => { const [a, b] = addMonths(y, mo, 1); return monthRange(a, b); } },
  {
    re: new RegExp(`${NUM}个月(?:以后|之后|后)`),
    range: (m, y, mo) => {
      const n = smallNumber(m[1]);
      if (!n) return undefined;
      const [a, b] = addMonths(y, mo, n);
      return monthRange(a, b);
    },
  },
  { re: /半年(?:以后|之后|后)/, range: (_m, y, mo) => { const [a, b] = addMonths(y, mo, 6); return monthRange(a, b); } },
  { re: /(?:今年)?(?:年底|年末)/, range: (_m, y) => monthRange(y, 12) },
];

/** The time the text refers to, relative to `today` (ISO, Fuzhou); null when it names none. */
export function timeReference(text: string, today: string): TimeReference | null {
  const [y, mo] = today.split('-').map(Number);
  for (const rule of RULES) {
    const m = rule.re.exec(text);
    if (!m) continue;
    const range = rule.range(m, y, mo);
    if (range) return { ...range, words: m[0] };
  }
  return null;
}

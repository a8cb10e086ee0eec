import type { Replies, ReplyKey } from '../dialog/replies.js';
import type { TimeRange } from './question-stats.js';

/** Fuzhou's offset from UTC (China has no daylight saving): days start at local midnight. */
export const CITY_UTC_OFFSET_MINUTES = 8 * 60;
const OFFSET_MS = CITY_UTC_OFFSET_MINUTES * 60_000;
export const DAY_MS = 86_400_000;
/** What "/统计" means without a period. */
export const DEFAULT_DAYS = 7;
const MAX_DAYS = 3660;

export interface Period {
  range: TimeRange;
  /** How the reply names it ("最近7天", "本月"). */
  label: string;
}

export function startOfDay(t: number): number {
  return Math.floor((t + OFFSET_MS) / DAY_MS) * DAY_MS - OFFSET_MS;
}

/** Local calendar parts of an instant, for the reply templates. */
export function localParts(t: number): { year: number; month: number; day: number; hour: string; minute: string; weekday: number } {
  const d = new Date(t + OFFSET_MS);
  return {
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
    hour: String(d.getUTCHours()).padStart(2, '0'), minute: String(d.getUTCMinutes()).padStart(2, '0'),
    weekday: d.getUTCDay(),
  };
}

// Counted periods ("7天", "2周", "3个月"): the number and its unit are command syntax, not replies.
const COUNTED = /^(\d{1,4})\s*(天|日|周|星期|个月|月)$/;
const UNIT_DAYS: Record<string, number> = { 天: 1, 日: 1, 周: 7, 星期: 7, 个月: 30, 月: 30 };

/**
 * Reads a period argument of a staff command, as of `now`. Named periods are recognised by the
 * same words the replies use for them, so rewording a label in replies.yaml keeps them in step.
 * Returns null when the argument is not a period.
 */
export function parsePeriod(arg: string, now: number, replies: Replies): Period | null {
  const text = arg.replace(/\s+/g, '');
  const today = startOfDay(now);
  const to = now + 1;
  const recent = (days: number): Period => ({
    range: { from: today - (days - 1) * DAY_MS, to },
    label: replies.render('staffPeriodRecent', { days }),
  });
  if (!text) return recent(DEFAULT_DAYS);
  const counted = COUNTED.exec(text);
  if (counted) {
    const days = Number(counted[1]) * UNIT_DAYS[counted[2]];
    return days >= 1 && days <= MAX_DAYS ? recent(days) : null;
  }
  const { day, weekday } = localParts(now);
  const named: [ReplyKey, () => TimeRange][] = [
    ['staffPeriodToday', () => ({ from: today, to })],
    ['staffPeriodYesterday', () => ({ from: today - DAY_MS, to: today })],
    ['staffPeriodThisWeek', () => ({ from: today - ((weekday + 6) % 7) * DAY_MS, to })],
    ['staffPeriodThisMonth', () => ({ from: today - (day - 1) * DAY_MS, to })],
    ['staffPeriodAll', () => ({ from: 0, to })],
  ];
  for (const [key, range] of named) {
    const label = replies.render(key);
    if (text === label.replace(/\s+/g, '')) return { range: range(), label };
  }
  return null;
}

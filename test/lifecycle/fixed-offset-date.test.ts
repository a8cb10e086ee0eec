// "Today" in Fuzhou is computed by arithmetic (UTC+8) instead of Intl, which would load its
// time-zone data: the date must be the one Intl gives, at every hour, around midnight in Fuzhou
// and in UTC, on leap days and across the years; other zones and older times still go to Intl.
import { describe, expect, it } from 'vitest';
import { fixedOffsetDate, todayIn } from '../../src/dialog/answers.js';

const intl = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });
const HOUR = 3_600_000;

/** Every hour from start for count hours, and a minute before and after each. */
function hoursFrom(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i * HOUR).flatMap((t) => [t - 60_000, t, t + 60_000]);
}

/** Deterministic times spread over 1992–2100 (a fixed-seed LCG, no Math.random). */
function spreadTimes(count: number): number[] {
  let seed = 20261202;
  const from = Date.UTC(1992, 0, 1);
  const span = Date.UTC(2100, 0, 1) - from;
  return Array.from({ length: count }, () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return from + Math.floor((seed / 2 ** 31) * span);
  });
}

describe('the date in Fuzhou without Intl', () => {
  it('is the date Intl gives around midnights, leap days and the first fixed year', () => {
    const times = [
      ...hoursFrom(Date.UTC(1992, 0, 1, 1), 48),
      ...hoursFrom(Date.UTC(2026, 11, 30), 72),
      ...hoursFrom(Date.UTC(2028, 1, 28), 72),
      ...hoursFrom(Date.UTC(2100, 1, 27), 72),
    ];
    for (const t of times) expect(fixedOffsetDate(t, 'Asia/Shanghai'), new Date(t).toISOString()).toBe(intl.format(t));
  });

  it('is the date Intl gives at times spread over a century', () => {
    for (const t of spreadTimes(20_000)) expect(fixedOffsetDate(t, 'Asia/Shanghai'), new Date(t).toISOString()).toBe(intl.format(t));
  });

  it('leaves other zones, times before 1992 and years past 9998 to Intl', () => {
    expect(fixedOffsetDate(Date.UTC(2026, 0, 1), 'Europe/Berlin')).toBeUndefined();
    expect(fixedOffsetDate(Date.UTC(2026, 0, 1), 'constructor')).toBeUndefined();
    expect(fixedOffsetDate(Date.UTC(1991, 11, 31, 23), 'Asia/Shanghai')).toBeUndefined();
    expect(fixedOffsetDate(Date.UTC(9999, 5, 1), 'Asia/Shanghai')).toBeUndefined();
    expect(todayIn(Date.UTC(1990, 6, 1, 15, 30))).toBe(intl.format(Date.UTC(1990, 6, 1, 15, 30)));
    expect(todayIn(Date.UTC(2026, 0, 1, 12), 'America/New_York')).toBe('2026-01-01');
  });

  it('is what todayIn answers for the default zone', () => {
    expect(todayIn(Date.UTC(2026, 11, 31, 16))).toBe('2027-01-01');
    expect(todayIn(Date.UTC(2026, 11, 31, 15, 59))).toBe('2026-12-31');
  });
});

// The time a question refers to, relative to the city's date: a pure function of text and today.
import { describe, expect, it } from 'vitest';
import { timeReference } from '../../src/nlu/time-reference.js';

const TODAY = '2026-12-01';

describe('timeReference', () => {
  it.each([
    ['明年一月我们再办一场对接会', '2027-01-01', '2027-01-31'],
    ['技改明年才投', '2027-01-01', '2027-12-31'],
    ['2027年3月申报', '2027-03-01', '2027-03-31'],
    ['二〇二七年三月份', '2027-03-01', '2027-03-31'],
    ['2027年3月15日开会', '2027-03-15', '2027-03-15'],
    ['下个季度办', '2027-01-01', '2027-03-31'],
    ['年底以后还有吗', '2027-01-01', '2100-12-31'],
    ['今年年底前投完', '2026-12-01', '2026-12-31'],
    ['下个月', '2027-01-01', '2027-01-31'],
    ['3个月后', '2027-03-01', '2027-03-31'],
    ['明年上半年', '2027-01-01', '2027-06-30'],
    ['明年年初', '2027-01-01', '2027-03-31'],
    ['后年', '2028-01-01', '2028-12-31'],
  ])('"%s" → %s … %s', (text, from, to) => {
    expect(timeReference(text, TODAY)).toMatchObject({ from, to });
  });

  it('keeps the words that named the time', () => {
    expect(timeReference('明年一月我们再办一场对接会', TODAY)?.words).toBe('明年一月');
  });

  it('counts from the given date, crossing the year boundary', () => {
    expect(timeReference('下个季度', '2026-11-15')).toMatchObject({ from: '2027-01-01', to: '2027-03-31' });
    expect(timeReference('下个季度', '2026-08-31')).toMatchObject({ from: '2026-10-01', to: '2026-12-31' });
    expect(timeReference('下个月', '2026-01-31')).toMatchObject({ from: '2026-02-01', to: '2026-02-28' });
  });

  it.each(['技改补助需要什么条件', '小巨人配套奖励多少', '省里奖了80万', '2场对接会'])('finds no time in "%s"', (text) => {
    expect(timeReference(text, TODAY)).toBeNull();
  });

  it('ignores a month that does not exist', () => {
    expect(timeReference('2027年13月', TODAY)).toBeNull();
  });
});

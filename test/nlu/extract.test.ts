import { beforeAll, describe, expect, it } from 'vitest';
import { loadNlu, type Nlu } from '../../src/nlu/index.js';

let nlu: Nlu;
beforeAll(async () => {
  nlu = await loadNlu({ segmenter: 'rs-jieba' });
});
const now = new Date('2026-11-25T12:00:00+08:00');
const facts = (text: string, pendingField?: string) => nlu.parse(text, { now, pendingField }).slots.facts;

describe('amounts in every way people write them', () => {
  it.each([
    ['今年技改投了350万', 3_500_000],
    ['技改投资三百五十万元', 3_500_000],
    ['技改投资0.35亿', 35_000_000],
    ['设备投资3,500,000元', 3_500_000],
    ['技改投资３５０万', 3_500_000],
    ['技改投了四百万', 4_000_000],
  ])('%s → techInvestment %d', (text, yuan) => {
    expect(facts(text).techInvestment).toBe(yuan);
  });

  it('a bare number answering an amount question is read in 万', () => {
    expect(facts('500', 'techInvestment').techInvestment).toBe(5_000_000);
    expect(facts('0.035亿', 'techInvestment').techInvestment).toBe(3_500_000);
  });

  it('the provincial award and the investment in one message go to their own fields', () => {
    const f = facts('省里奖了80万，技改投了500万');
    expect(f.provincialAward).toBe(800_000);
    expect(f.techInvestment).toBe(5_000_000);
  });
});

describe('counts, years, levels, tiers and measure references', () => {
  it('reads event counts', () => {
    const f = facts('办了3场对接会，每场35家企业和6家银行');
    expect(f).toMatchObject({ events: 3, eventEnterprises: 35, eventBanks: 6 });
    expect(facts('办了两场政银企对接会').events).toBe(2);
  });

  it('resolves relative years against today and ignores years that are not about recognition', () => {
    expect(facts('去年认定的省级专精特新').recognizedYear).toBe(2025);
    expect(facts('25年', 'recognizedYear').recognizedYear).toBe(2025);
    expect(facts('我们是2025年首次认定的省级专精特新，今年技改投了350万').recognizedYear).toBe(2025);
    expect(facts('今年技改投了350万').recognizedYear).toBeUndefined();
  });

  it('reads levels and tiers by their common names', () => {
    expect(facts('数字化二级').digitalLevel).toBe(2);
    expect(facts('2级', 'digitalLevel').digitalLevel).toBe(2);
    expect(facts('我们是国家级专精特新小巨人').tier).toBe('little_giant');
    expect(facts('单项冠军').tier).toBe('champion');
    expect(facts('省级', 'tier').tier).toBe('provincial');
    expect(facts('都不是', 'tier').tier).toBe('none');
    // "省级奖励" is an amount's source, not the enterprise's tier.
    expect(facts('省级奖励给了60万').tier).toBeUndefined();
  });

  it('names measures by ordinal', () => {
    expect(nlu.parse('第四条是什么').measures[0]).toBe('4');
    expect(nlu.parse('措施三讲的啥').measures[0]).toBe('3');
    expect(nlu.parse('第7条原文').measures[0]).toBe('7');
  });

  it('answers yes and no in their usual forms', () => {
    for (const yes of ['是', '是的', '对', '没错']) expect(facts(yes, 'industrial').industrial).toBe(true);
    for (const no of ['不是', '否', '没有']) expect(facts(no, 'industrial').industrial).toBe(false);
    expect(nlu.parse('不清楚', { pendingField: 'industrial' }).slots.unknownFields).toEqual(['industrial']);
  });
});

describe('understanding despite script, typos and decoration', () => {
  it.each([
    ['專精特新企業技改補貼門檻', '3.1'],
    ['数字化转形有啥补贴', '4'],
    ['技改门坎是多少', '3.1'],
    ['@政策助手 小巨人配套奖励多少', '1'],
    ['小巨人配套奖励多少😀😀', '1'],
  ])('%s → measure %s', (text, measure) => {
    const p = nlu.parse(text);
    expect(p.intent).not.toBe('fallback');
    expect(p.measures[0]).toBe(measure);
  });

  it('falls back on questions outside the measures, including other cities', () => {
    for (const text of ['明天会下雨吗', '给我讲个笑话', '厦门的专精特新补贴多少', '房贷利率多少']) {
      const p = nlu.parse(text);
      expect(p.intent, text).toBe('fallback');
      expect(p.measures, text).toEqual([]);
    }
  });
});

describe('answers that only look like yes or no', () => {
  it('reads Latin yes/no words only when they stand alone', () => {
    expect(facts('n', 'industrial').industrial).toBe(false);
    expect(facts('yes', 'industrial').industrial).toBe(true);
    for (const text of ['NaN', 'null', 'yolo', 'nope123']) expect(facts(text, 'industrial').industrial, text).toBeUndefined();
  });

  it('never reports a confidence above 1', () => {
    for (const text of ['有效期到什么时候', '帮我算算能拿多少补贴', '小巨人配套奖励多少钱能拿多少']) {
      expect(nlu.parse(text).confidence, text).toBeLessThanOrEqual(1);
    }
  });
});

// The award rules as design.md states them. These are the figures an enterprise acts on,
// so each case pins the exact amount (or the exact refusal) the policy text implies.
import { describe, expect, it } from 'vitest';
import { enterpriseRules, evaluateRule, evaluateRules, formatYuan, nextFieldToAsk, type Facts } from '../../policy/index.js';
import { loadFuzhouDocument } from './load-document.js';

const doc = loadFuzhouDocument();

function evaluate(ruleId: string, facts: Facts) {
  const rule = doc.awards.find((r) => r.id === ruleId);
  if (!rule) throw new Error(`no award rule ${ruleId} in the document`);
  return evaluateRule(doc, rule, facts);
}

describe('小巨人 matching award (measure 1)', () => {
  it('pays 50% of the provincial award on first recognition, showing the arithmetic', () => {
    const o = evaluate('little-giant-matching', { tier: 'little_giant', firstTime: true, provincialAward: 600_000 });
    expect(o.status).toBe('eligible');
    expect(o.yuan).toBe(300_000);
    expect(o.basis).toContain('× 50%');
    expect(o.rule.measure).toBe('1');
  });

  it('pays nothing for a repeat recognition', () => {
    const o = evaluate('little-giant-matching', { tier: 'little_giant', firstTime: false, provincialAward: 600_000 });
    expect(o.status).toBe('not_eligible');
    expect(o.yuan).toBeNull();
  });
});

describe('provincial first-recognition award (measure 1)', () => {
  const qualifying = { tier: 'provincial', firstTime: true, industrial: true, recognizedYear: 2025 };

  it('pays 100000 yuan once to a first-time 工信企业 recognized in 2025', () => {
    const o = evaluate('provincial-first-recognition', qualifying);
    expect(o.status).toBe('eligible');
    expect(o.yuan).toBe(100_000);
  });

  it('does not apply to recognitions in 2024 (the award starts in 2025)', () => {
    const o = evaluate('provincial-first-recognition', { ...qualifying, recognizedYear: 2024 });
    expect(o.status).toBe('not_eligible');
    expect(o.yuan).toBeNull();
  });

  it('does not apply to an enterprise that is not a 工信企业', () => {
    const o = evaluate('provincial-first-recognition', { ...qualifying, industrial: false });
    expect(o.status).toBe('not_eligible');
    expect(o.yuan).toBeNull();
  });
});

describe('政银企 matchmaking event award (measure 2.1)', () => {
  it('pays 50000 yuan per event with ≥30 enterprises and ≥5 banks', () => {
    expect(evaluate('matchmaking-event', { events: 1, eventEnterprises: 30, eventBanks: 5 }).yuan).toBe(50_000);
    const two = evaluate('matchmaking-event', { events: 2, eventEnterprises: 30, eventBanks: 5 });
    expect(two.status).toBe('eligible');
    expect(two.yuan).toBe(100_000);
  });

  it('pays nothing with 29 enterprises or with 4 banks', () => {
    expect(evaluate('matchmaking-event', { events: 1, eventEnterprises: 29, eventBanks: 5 }).status).toBe('not_eligible');
    expect(evaluate('matchmaking-event', { events: 1, eventEnterprises: 30, eventBanks: 4 }).status).toBe('not_eligible');
  });
});

describe('technical upgrade (measure 3.1)', () => {
  it('admits a provincial-or-above enterprise investing 3,000,000 yuan, with no invented amount', () => {
    for (const tier of ['provincial', 'little_giant', 'champion']) {
      const o = evaluate('tech-upgrade', { tier, techInvestment: 3_000_000 });
      expect(o.status, tier).toBe('eligible');
      expect(o.yuan, tier).toBeNull();
    }
  });

  it('refuses 2,999,999 yuan and says the threshold is 300万', () => {
    const o = evaluate('tech-upgrade', { tier: 'provincial', techInvestment: 2_999_999 });
    expect(o.status).toBe('not_eligible');
    expect(o.basis).toContain('300万');
  });

  it('does not apply to an innovative SME, however large the investment', () => {
    const o = evaluate('tech-upgrade', { tier: 'innovative', techInvestment: 10_000_000 });
    expect(o.status).toBe('not_eligible');
    expect(o.outOfScope).toBe(true);
  });
});

describe('digital transformation (measure 4)', () => {
  it('admits level 2 and refuses level 1', () => {
    expect(evaluate('digital-transformation', { tier: 'provincial', digitalLevel: 2 }).status).toBe('eligible');
    expect(evaluate('digital-transformation', { tier: 'provincial', digitalLevel: 1 }).status).toBe('not_eligible');
  });
});

describe('industrial cluster (measure 9)', () => {
  it('caps a national cluster at 300000 and a provincial one at 150000, without a fixed amount', () => {
    const national = evaluate('industrial-cluster', { clusterLevel: 'national' });
    const provincial = evaluate('industrial-cluster', { clusterLevel: 'provincial' });
    expect([national.maxYuan, national.yuan]).toEqual([300_000, null]);
    expect([provincial.maxYuan, provincial.yuan]).toEqual([150_000, null]);
  });
});

describe('no invented figures', () => {
  it('gives yuan null for every rule whose document text has no amount, even when eligible', () => {
    const unspecified = doc.awards.filter((r) => r.amount.kind === 'unspecified');
    expect(unspecified.map((r) => r.id).sort()).toEqual(['digital-transformation', 'tech-upgrade']);
    const profile = { tier: 'provincial', techInvestment: 5_000_000, digitalLevel: 3 };
    for (const rule of unspecified) {
      const o = evaluateRule(doc, rule, profile);
      expect(o.status, rule.id).toBe('eligible');
      expect(o.yuan, rule.id).toBeNull();
      expect(o.maxYuan, rule.id).toBeUndefined();
      expect(o.basis, rule.id).toContain('未列明金额');
    }
  });

  it('takes every amount and percentage in the rules from the text of their measure', () => {
    for (const rule of doc.awards) {
      const text = doc.measure(rule.measure)!.text;
      const a = rule.amount;
      const figures =
        a.kind === 'fixed' || a.kind === 'perUnit' ? [formatYuan(a.yuan)]
        : a.kind === 'percentOf' ? [`${a.percent}%`]
        : a.kind === 'capByValue' ? Object.values(a.caps).map(formatYuan)
        : [];
      // Yuan thresholds too (the 300万元 of technical upgrade): a wrong one refuses real applicants.
      const thresholds = rule.when.filter((c) => c.min !== undefined && doc.fieldKind(c.field) === 'yuan').map((c) => formatYuan(c.min!));
      for (const f of [...figures, ...thresholds]) expect(text, `${rule.id}: ${f}`).toContain(f);
    }
  });
});

describe('nextFieldToAsk', () => {
  const next = (facts: Facts, unknown: string[] = []) =>
    nextFieldToAsk(doc, evaluateRules(doc, enterpriseRules(doc), facts, unknown), unknown);

  it('asks a provincial enterprise whether this is its first recognition', () => {
    expect(next({ tier: 'provincial' })).toBe('firstTime');
  });

  it('skips year and 工信企业 once a repeat recognition rules the award out', () => {
    expect(next({ tier: 'provincial', firstTime: false })).toBe('techInvestment');
  });

  it('asks a first-time 小巨人 for its provincial award, which sets the amount', () => {
    expect(next({ tier: 'little_giant', firstTime: true })).toBe('provincialAward');
  });

  it('does not ask again for a field the enterprise said it does not know', () => {
    expect(next({ tier: 'provincial', firstTime: false }, ['techInvestment'])).toBe('digitalLevel');
  });

  it('asks nothing when no enterprise rule can apply', () => {
    expect(next({ tier: 'none' })).toBeNull();
  });
});

describe('formatYuan', () => {
  it('writes amounts as people say them in chat', () => {
    expect(formatYuan(100_000)).toBe('10万元');
    expect(formatYuan(3_500_000)).toBe('350万元');
    expect(formatYuan(5000)).toBe('5000元');
  });
});

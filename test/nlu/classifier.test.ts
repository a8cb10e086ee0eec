import { describe, expect, it } from 'vitest';
import { trainClassifier, type Features } from '../../src/nlu/classifier.js';

const f = (...names: string[]): Features => new Map(names.map((n) => [n, 1 / Math.sqrt(names.length)]));

describe('the intent classifier', () => {
  const examples = [
    ...['多少', '多少钱', '奖多少'].map((w) => ({ label: 'amount', features: f('w:' + w, 'f:question') })),
    ...['谁管', '哪个部门', '找谁'].map((w) => ({ label: 'units', features: f('w:' + w, 'f:question') })),
    ...['天气', '股票', '笑话'].map((w) => ({ label: 'fallback', features: f('w:' + w) })),
  ];

  it('learns from its examples and ranks every label', () => {
    const model = trainClassifier(examples);
    expect(model.predict(f('w:多少', 'f:question')).label).toBe('amount');
    expect(model.predict(f('w:找谁', 'f:question')).label).toBe('units');
    const p = model.predict(f('w:天气'));
    expect(p.label).toBe('fallback');
    expect(p.ranked.map((r) => r.label).sort()).toEqual(['amount', 'fallback', 'units']);
    expect(p.ranked.reduce((n, r) => n + r.probability, 0)).toBeCloseTo(1, 6);
  });

  it('gives the same model for the same data (no Math.random in training)', () => {
    const a = trainClassifier(examples).predict(f('w:多少', 'w:谁管'));
    const b = trainClassifier(examples).predict(f('w:多少', 'w:谁管'));
    expect(a).toEqual(b);
  });

  it('answers a message with no known feature by the priors, not by crashing', () => {
    const p = trainClassifier(examples).predict(f('w:从未见过'));
    expect(Number.isFinite(p.probability)).toBe(true);
  });
});

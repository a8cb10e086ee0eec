import { describe, it, expect } from 'vitest';
import {
  accuracy,
  confusions,
  inScopeFallbacks,
  parseLabelledQuestions,
  scoresByLabel,
  type Outcome,
} from '../../scripts/nlu-metrics.js';

// Five questions, small enough to work every figure out by hand:
//   amount:     3 gold, 2 right, 1 predicted as conditions
//   conditions: 1 gold, predicted as fallback
//   fallback:   1 gold, right
const outcomes: Outcome[] = [
  { text: '技改补多少', gold: 'measure.amount', predicted: 'measure.amount' },
  { text: '集群奖励最多多少', gold: 'measure.amount', predicted: 'measure.amount' },
  { text: '小巨人配套多少', gold: 'measure.amount', predicted: 'measure.conditions' },
  { text: '投了250万够不够', gold: 'measure.conditions', predicted: 'fallback' },
  { text: '讲个笑话', gold: 'fallback', predicted: 'fallback' },
];

describe('accuracy', () => {
  it('is the share of exact matches', () => {
    expect(accuracy(outcomes)).toBeCloseTo(3 / 5);
  });

  it('is 0 for an empty set rather than NaN', () => {
    expect(accuracy([])).toBe(0);
  });
});

describe('scoresByLabel', () => {
  const byLabel = new Map(scoresByLabel(outcomes).map((s) => [s.label, s]));

  it('computes precision, recall and F1 per label', () => {
    const amount = byLabel.get('measure.amount');
    expect(amount?.support).toBe(3);
    expect(amount?.precision).toBeCloseTo(2 / 2);
    expect(amount?.recall).toBeCloseTo(2 / 3);
    expect(amount?.f1).toBeCloseTo((2 * 1 * (2 / 3)) / (1 + 2 / 3));

    const fallback = byLabel.get('fallback');
    expect(fallback?.support).toBe(1);
    expect(fallback?.precision).toBeCloseTo(1 / 2);
    expect(fallback?.recall).toBeCloseTo(1);
  });

  it('scores a label that is never right as 0 across the board', () => {
    expect(byLabel.get('measure.conditions')).toEqual({
      label: 'measure.conditions',
      support: 1,
      precision: 0,
      recall: 0,
      f1: 0,
    });
  });

  it('lists a label that is only ever predicted, with support 0', () => {
    const scores = scoresByLabel([{ text: '你好', gold: 'greeting', predicted: 'help' }]);
    expect(scores.map((s) => [s.label, s.support, s.precision])).toEqual([
      ['greeting', 1, 0],
      ['help', 0, 0],
    ]);
  });

  it('orders measure ids numerically', () => {
    const measureOutcomes = ['10', '2.1', '9', '2'].map((id) => ({ text: id, gold: id, predicted: id }));
    expect(scoresByLabel(measureOutcomes).map((s) => s.label)).toEqual(['2', '2.1', '9', '10']);
  });
});

describe('confusions', () => {
  it('counts each gold → predicted pair, most frequent first, with at most N examples', () => {
    const repeated: Outcome[] = [
      ...outcomes,
      { text: '技改门槛', gold: 'measure.conditions', predicted: 'fallback' },
      { text: '够吗', gold: 'measure.conditions', predicted: 'fallback' },
    ];
    expect(confusions(repeated, 2)).toEqual([
      { gold: 'measure.conditions', predicted: 'fallback', count: 3, examples: ['投了250万够不够', '技改门槛'] },
      { gold: 'measure.amount', predicted: 'measure.conditions', count: 1, examples: ['小巨人配套多少'] },
    ]);
  });

  it('is empty when everything is right', () => {
    expect(confusions(outcomes.filter((o) => o.gold === o.predicted))).toEqual([]);
  });
});

describe('inScopeFallbacks', () => {
  it('keeps only in-scope questions that were answered with fallback', () => {
    expect(inScopeFallbacks(outcomes).map((o) => o.text)).toEqual(['投了250万够不够']);
  });
});

describe('parseLabelledQuestions', () => {
  it('reads one record per line and skips blank lines', () => {
    const jsonl = '{"text":"你好","intent":"greeting","measures":[]}\n\n{"text":"技改补多少","intent":"measure.amount","measures":["3.1"]}\n';
    expect(parseLabelledQuestions(jsonl)).toEqual([
      { text: '你好', intent: 'greeting', measures: [] },
      { text: '技改补多少', intent: 'measure.amount', measures: ['3.1'] },
    ]);
  });

  it('names the line of a malformed record', () => {
    const jsonl = '{"text":"你好","intent":"greeting","measures":[]}\n{"text":"技改","intent":"measure.content"}\n';
    expect(() => parseLabelledQuestions(jsonl)).toThrow(/line 2/);
  });
});

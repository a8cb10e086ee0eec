// Keeps the labelled set usable as a yardstick: well-formed, labelled with known names,
// no repeated questions, and enough questions for every intent and measure.
import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { parseLabelledQuestions } from '../../scripts/nlu-metrics.js';

const questions = parseLabelledQuestions(
  readFileSync(new URL('./labelled-questions.jsonl', import.meta.url), 'utf8'),
);

const MEASURE_INTENTS = [
  'measure.content',
  'measure.amount',
  'measure.conditions',
  'measure.units',
  'measure.apply',
  'measure.fulltext',
];
const OTHER_INTENTS = [
  'measures.list',
  'policy.validity',
  'policy.status',
  'eligibility.start',
  'greeting',
  'help',
  'thanks',
  'fallback',
];
const MEASURE_IDS = ['1', '2', '2.1', '2.2', '3', '3.1', '3.2', '3.3', '4', '5', '6', '7', '8', '9', '10'];
// "2" and "3" are allowed for questions about the whole measure, but are not required.
const MEASURES_NEEDING_QUESTIONS = MEASURE_IDS.filter((id) => id !== '2' && id !== '3');

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

describe('labelled NLU question set', () => {
  it('has at least 260 questions, none repeated', () => {
    expect(questions.length).toBeGreaterThanOrEqual(260);
    const repeated = [...countBy(questions.map((q) => q.text.trim()))].filter(([, n]) => n > 1);
    expect(repeated).toEqual([]);
  });

  it('has no two questions that differ only in numbers, punctuation or the @mention', () => {
    const skeleton = (text: string) =>
      text.replace(/^@\S+/, '').replace(/[\d０-９零一二两三四五六七八九十百千万亿\s\p{P}]/gu, '');
    const repeated = [...countBy(questions.map((q) => skeleton(q.text)))].filter(([, n]) => n > 1);
    expect(repeated).toEqual([]);
  });

  it('uses only known intents and measure ids', () => {
    const known = new Set([...MEASURE_INTENTS, ...OTHER_INTENTS]);
    expect(questions.filter((q) => !known.has(q.intent))).toEqual([]);
    expect(questions.filter((q) => q.measures.some((id) => !MEASURE_IDS.includes(id)))).toEqual([]);
  });

  it('names exactly one measure for measure intents and none otherwise', () => {
    const wrong = questions.filter((q) =>
      MEASURE_INTENTS.includes(q.intent) ? q.measures.length !== 1 : q.measures.length !== 0,
    );
    expect(wrong).toEqual([]);
  });

  it('has at least 10 questions per intent and 25 fallbacks', () => {
    const perIntent = countBy(questions.map((q) => q.intent));
    for (const intent of [...MEASURE_INTENTS, ...OTHER_INTENTS]) {
      expect(perIntent.get(intent) ?? 0, intent).toBeGreaterThanOrEqual(10);
    }
    expect(perIntent.get('fallback') ?? 0).toBeGreaterThanOrEqual(25);
  });

  it('has at least 8 questions per measure', () => {
    const perMeasure = countBy(questions.flatMap((q) => q.measures));
    for (const id of MEASURES_NEEDING_QUESTIONS) {
      expect(perMeasure.get(id) ?? 0, `measure ${id}`).toBeGreaterThanOrEqual(8);
    }
  });
});

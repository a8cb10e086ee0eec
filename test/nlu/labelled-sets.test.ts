// The labelled sets are the yardstick of understanding: well-formed, labelled with names the
// bot knows, large enough, and the frozen held-out part shares no question with the training part.
import { describe, expect, it } from 'vitest';
import { loadNlu } from '../../src/nlu/index.js';
import { heldOutSet, trainingSet, type LabelledSet } from '../../scripts/nlu-eval.js';

const training = trainingSet();
const heldOut = heldOutSet();
const nlu = await loadNlu();
const intents = new Set(nlu.intentScopes.keys());
const measures = new Set(nlu.doc.measures.map((m) => m.id));

const textsOf = (set: LabelledSet): string[] => [...set.questions.map((q) => q.text), ...set.conversations.flatMap((c) => c.turns.map((t) => t.text))];

describe.each([['training', training], ['held-out', heldOut]] as const)('the %s set', (_name, set) => {
  it('uses only known intents and measure ids', () => {
    const items = [...set.questions, ...set.conversations.flatMap((c) => c.turns)];
    expect(items.filter((q) => !intents.has(q.intent)).map((q) => q.text)).toEqual([]);
    expect(items.filter((q) => q.measures.some((m) => !measures.has(m))).map((q) => q.text)).toEqual([]);
  });

  it('asks no question twice', () => {
    const seen = new Set<string>();
    const twice = set.questions.map((q) => q.text).filter((t) => (seen.has(t) ? true : (seen.add(t), false)));
    expect(twice).toEqual([]);
  });

  it('names a measure for every measure question', () => {
    const scoped = set.questions.filter((q) => nlu.intentScopes.get(q.intent) === 'measure');
    expect(scoped.filter((q) => q.measures.length === 0).map((q) => q.text)).toEqual([]);
  });
});

describe('training and held-out together', () => {
  it('hold at least 1,000 questions and 60 follow-up conversations, a quarter of the questions held out', () => {
    expect(training.questions.length + heldOut.questions.length).toBeGreaterThanOrEqual(1000);
    expect(training.conversations.length + heldOut.conversations.length).toBeGreaterThanOrEqual(60);
    expect(heldOut.questions.length / (training.questions.length + heldOut.questions.length)).toBeGreaterThanOrEqual(0.25);
  });

  it('share no question: a held-out question never reaches the model', () => {
    // The model learns from the training questions only (follow-up turns such as "原文发我" may recur).
    const trained = new Set(training.questions.map((q) => q.text));
    expect(textsOf(heldOut).filter((t) => trained.has(t))).toEqual([]);
  });

  it('cover every out-of-scope kind with at least 300 training questions', () => {
    expect(training.questions.filter((q) => q.intent === 'fallback').length).toBeGreaterThanOrEqual(300);
  });
});

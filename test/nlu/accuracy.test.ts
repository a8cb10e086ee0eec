import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadNlu, SEGMENTER_NAMES } from '../../src/nlu/index.js';
import { accuracy, inScopeFallbacks, parseLabelledQuestions } from '../../scripts/nlu-metrics.js';

const questions = parseLabelledQuestions(readFileSync(new URL('./labelled-questions.jsonl', import.meta.url), 'utf8'));

// The bar for the labelled set: 95% intent accuracy with each segmenter, and no
// in-scope question answered with the fallback. `npm run eval:nlu` prints the full report.
describe.each(SEGMENTER_NAMES)('labelled questions with %s', (segmenter) => {
  it('meets the accuracy bar and never falls back on an in-scope question', async () => {
    const nlu = await loadNlu({ segmenter });
    const predictions = questions.map((q) => ({ ...q, predicted: nlu.parse(q.text) }));
    const pairs = predictions.map((p) => ({ gold: p.intent, predicted: p.predicted.intent, text: p.text }));
    expect(accuracy(pairs)).toBeGreaterThanOrEqual(0.95);
    expect(inScopeFallbacks(pairs)).toEqual([]);
  });
});

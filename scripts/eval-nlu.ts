// How well the bot understands questions it was not trained on, like `rasa test nlu`.
//   npm run eval:nlu [-- --folds 5] [--segmenter rs-jieba|nodejieba] [--show-training-errors] [--json report.json]
// Two figures, never mixed:
//   - cross-validation on the training set (intents/training): each fold is answered by a model
//     trained on the other folds. Tuning looks at these.
//   - the frozen held-out set (test/nlu/heldout): answered by the model trained on all the
//     training data. Nobody tunes on it; its failures are not printed. It is the figure to quote.
// Exits 1 when a held-out figure is below its bar in scripts/nlu-thresholds.ts.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { SegmenterName } from '../src/nlu/index.js';
import { confusions, scoresByLabel, type Outcome } from './nlu-metrics.js';
import { MIN_HELDOUT_ANSWERS, MIN_HELDOUT_FOLLOWUPS } from './nlu-thresholds.js';
import {
  evalEngine, heldOutSet, intentRate, rate, scoreFollowUps, scoreQuestions, stratifiedFolds, trainingSet, type Scored,
} from './nlu-eval.js';


const { values } = parseArgs({
  options: {
    folds: { type: 'string', default: '5' },
    segmenter: { type: 'string', default: 'rs-jieba' },
    'show-training-errors': { type: 'boolean', default: false },
    json: { type: 'string' },
    'cv-only': { type: 'boolean', default: false },
  },
});
const segmenter = values.segmenter as SegmenterName;
const k = Number(values.folds);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function table(title: string, scored: readonly Scored[]): void {
  const outcomes: Outcome[] = scored.map((s) => ({ text: s.text, gold: s.gold, predicted: s.predicted }));
  console.log(`\n${title}`);
  console.log('  intent                 support  precision  recall   f1');
  for (const row of scoresByLabel(outcomes)) {
    console.log(`  ${row.label.padEnd(22)} ${String(row.support).padStart(7)}  ${pct(row.precision).padStart(9)}  ${pct(row.recall).padStart(6)}  ${pct(row.f1).padStart(6)}`);
  }
}

function outOfScope(scored: readonly Scored[]): { precision: number; recall: number } {
  const tp = scored.filter((s) => s.gold === 'fallback' && s.predicted === 'fallback').length;
  const predicted = scored.filter((s) => s.predicted === 'fallback').length;
  const gold = scored.filter((s) => s.gold === 'fallback').length;
  return { precision: predicted ? tp / predicted : 0, recall: gold ? tp / gold : 0 };
}

function confusionLines(scored: readonly Scored[], withExamples: boolean): void {
  const list = confusions(scored.map((s) => ({ text: s.text, gold: s.gold, predicted: s.predicted })));
  console.log('  confusions (gold → predicted):');
  for (const c of list.slice(0, 15)) console.log(`    ${String(c.count).padStart(3)}  ${c.gold} → ${c.predicted}${withExamples ? `   e.g. ${c.examples[0]}` : ''}`);
}

/** Rows: gold intent; columns: predicted, abbreviated; only intents that occur. */
function confusionMatrix(scored: readonly Scored[]): void {
  const labels = [...new Set(scored.flatMap((s) => [s.gold, s.predicted]))].sort();
  const short = (l: string) => l.replace(/^measures?\./, '').replace(/^policy\./, '').replace(/^eligibility\./, 'elig.').slice(0, 6);
  console.log('  confusion matrix (rows gold, columns predicted):');
  console.log(`  ${''.padEnd(20)}${labels.map((l) => short(l).padStart(7)).join('')}`);
  for (const g of labels) {
    const row = labels.map((p) => scored.filter((s) => s.gold === g && s.predicted === p).length);
    if (row.every((n) => n === 0)) continue;
    console.log(`  ${g.padEnd(20)}${row.map((n) => (n ? String(n) : '.').padStart(7)).join('')}`);
  }
}

function byKind(scored: readonly Scored[]): string {
  const kinds = new Map<string, Scored[]>();
  for (const s of scored) for (const kd of s.kind) kinds.set(kd, [...(kinds.get(kd) ?? []), s]);
  return [...kinds].sort((a, b) => a[0].localeCompare(b[0])).map(([kd, xs]) => `${kd} ${pct(rate(xs))} (${xs.length})`).join(', ');
}

// Cross-validation on the training set.
const training = trainingSet();
const folds = stratifiedFolds(training.questions, k);
const cv: Scored[] = [];
const cvFollow: ReturnType<typeof scoreFollowUps> = [];
const convFolds = training.conversations.map((c, i) => ({ c, fold: i % k }));
const t0 = performance.now();
for (let f = 0; f < k; f++) {
  const e = await evalEngine({ segmenter, training: folds.filter((_, i) => i !== f).flat() });
  cv.push(...scoreQuestions(e, folds[f]));
  cvFollow.push(...scoreFollowUps(e, convFolds.filter((x) => x.fold === f).map((x) => x.c)));
}
const cvMs = (performance.now() - t0) / k;

console.log(`Cross-validation, ${k} folds, ${training.questions.length} training questions, ${training.conversations.length} conversations (${segmenter}):`);
console.log(`  intent accuracy ${pct(intentRate(cv))}, answer accuracy ${pct(rate(cv))}, follow-up answer accuracy ${pct(rate(cvFollow))} (${cvFollow.length} turns)`);
const cvOos = outOfScope(cv);
console.log(`  out of scope: precision ${pct(cvOos.precision)}, recall ${pct(cvOos.recall)}`);
console.log(`  answer accuracy by kind: ${byKind(cv)}`);
table('  per intent (cross-validation):', cv);
confusionMatrix(cv);
confusionLines(cv, true);
if (values['show-training-errors']) {
  console.log('\n  wrong answers (cross-validation):');
  for (const s of cv.filter((x) => x.problems.length)) console.log(`    ${s.gold} → ${s.predicted} | ${s.text} | ${s.problems.join('; ')}`);
  // A follow-up turn is shown after the turn it follows, which it cannot be read without.
  for (const s of cvFollow.filter((x) => x.problems.length)) console.log(`    ${s.gold} → ${s.predicted} | ${s.before} ⟶ ${s.text} | ${s.problems.join('; ')} [${s.id}]`);
}

// The frozen held-out set: figures only.
if (values['cv-only']) process.exit(0);
const heldOut = heldOutSet();
const trainStart = performance.now();
const full = await evalEngine({ segmenter });
const loadMs = performance.now() - trainStart;
const ho = scoreQuestions(full, heldOut.questions);
const hoFollow = scoreFollowUps(full, heldOut.conversations);
const hoOos = outOfScope(ho);
console.log(`\nHeld-out (frozen, never tuned on), ${heldOut.questions.length} questions, ${heldOut.conversations.length} conversations (${segmenter}):`);
console.log(`  intent accuracy ${pct(intentRate(ho))}, answer accuracy ${pct(rate(ho))}, follow-up answer accuracy ${pct(rate(hoFollow))} (${hoFollow.length} turns), follow-up intent accuracy ${pct(intentRate(hoFollow))}`);
console.log(`  out of scope: precision ${pct(hoOos.precision)}, recall ${pct(hoOos.recall)}`);
console.log(`  answer accuracy by kind: ${byKind(ho)}`);
table('  per intent (held-out):', ho);
confusionMatrix(ho);
confusionLines(ho, false);
console.log(`\nLoad and train: ${loadMs.toFixed(0)} ms with all training data; ${cvMs.toFixed(0)} ms per fold including scoring.`);

const figures = {
  segmenter,
  crossValidation: { folds: k, questions: cv.length, intentAccuracy: intentRate(cv), answerAccuracy: rate(cv), followUpAccuracy: rate(cvFollow), outOfScope: cvOos },
  heldOut: { questions: ho.length, intentAccuracy: intentRate(ho), answerAccuracy: rate(ho), followUpAccuracy: rate(hoFollow), followUpIntentAccuracy: intentRate(hoFollow), outOfScope: hoOos },
};
if (values.json) writeFileSync(values.json, JSON.stringify(figures, null, 2));
const below = figures.heldOut.answerAccuracy < MIN_HELDOUT_ANSWERS || figures.heldOut.followUpAccuracy < MIN_HELDOUT_FOLLOWUPS;
const bars = `${pct(MIN_HELDOUT_ANSWERS)} for questions, ${pct(MIN_HELDOUT_FOLLOWUPS)} for follow-ups`;
console.log(below ? `\nFAIL: a held-out figure is below its bar (${bars})` : `\nOK: held-out figures at or above their bars (${bars})`);
process.exit(below ? 1 : 0);

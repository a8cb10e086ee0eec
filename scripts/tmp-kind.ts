import { evalEngine, scoreQuestions, stratifiedFolds, trainingSet } from './nlu-eval.js';
const kind = process.argv[2];
const t = trainingSet();
const folds = stratifiedFolds(t.questions, 5);
for (let f = 0; f < 5; f++) {
  const e = await evalEngine({ training: folds.filter((_, i) => i !== f).flat() });
  for (const s of scoreQuestions(e, folds[f].filter((q) => (q.kind ?? []).includes(kind)))) if (s.problems.length) console.log(`${s.gold} → ${s.predicted} | ${s.text} | ${s.problems.join('; ')}`);
}

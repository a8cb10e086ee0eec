import { evalEngine, ask, answerProblems, trainingSet } from './nlu-eval.js';
const e = await evalEngine({});
const set = trainingSet();
let bad = 0;
for (const c of set.conversations) {
  const answers = ask(e, c.turns.map((t) => t.text));
  const probs = c.turns.map((t, i) => answerProblems(t, answers[i]));
  if (probs.slice(1).every((p) => !p.length)) continue;
  bad++;
  console.log(`--- ${c.id}`);
  c.turns.forEach((t, i) => console.log(`  ${t.text}  [want ${t.intent} ${t.measures}] → ${answers[i].intent} ${answers[i].measures} ${probs[i].join('; ')}`));
}
console.log(bad, set.conversations.length);

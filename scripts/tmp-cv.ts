import { loadNlu } from '../src/nlu/index.js';
import { loadNluKnowledge } from '../src/nlu/knowledge.js';
const k = loadNluKnowledge('/work/main/intents');
const data = k.training;
const K = 5;
for (const opt of JSON.parse(process.argv[2])) {
let right = 0, n = 0;
const conf: Record<string, number> = {};
for (let f = 0; f < K; f++) {
  const train = data.filter((_, i) => i % K !== f);
  const test = data.filter((_, i) => i % K === f);
  const nlu = await loadNlu({ training: train, train: opt });
  for (const q of test) {
    const p = nlu.parse(q.text);
    n++; if (p.intent === q.intent) right++; else { const key = `${q.intent}->${p.intent}`; conf[key] = (conf[key] ?? 0) + 1; }
  }
}
console.log(JSON.stringify(opt), 'cv acc', (right / n).toFixed(3));
if (process.argv[3]) console.log(Object.entries(conf).sort((a, b) => b[1] - a[1]).slice(0, 25));
}

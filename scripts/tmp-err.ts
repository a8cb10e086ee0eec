import { loadNlu } from '../src/nlu/index.js';
import { loadNluKnowledge } from '../src/nlu/knowledge.js';
const k = loadNluKnowledge('/work/main/intents');
const data = k.training; const K = 5; const opt = { learningRate: 0.1, l2: 1e-5, epochs: 40 };
const bad: string[] = [];
for (let f = 0; f < K; f++) {
  const nlu = await loadNlu({ training: data.filter((_, i) => i % K !== f), train: opt });
  for (const q of data.filter((_, i) => i % K === f)) { const p = nlu.parse(q.text); if (p.intent !== q.intent) bad.push(`${q.intent.padEnd(18)} ${p.intent.padEnd(18)} ${p.confidence} ${p.measures.join(',')} | ${q.text}`); }
}
console.log(bad.sort().join('\n'));

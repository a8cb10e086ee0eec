import { loadNlu } from '../src/nlu/index.js';
import { loadNluKnowledge } from '../src/nlu/knowledge.js';
const k = loadNluKnowledge('/work/main/intents');
const t0 = performance.now();
const nlu = await loadNlu({});
console.log('load ms', (performance.now() - t0).toFixed(0));
let right = 0; const bad: string[] = [];
for (const q of k.training) { const p = nlu.parse(q.text); if (p.intent === q.intent) right++; else bad.push(`${q.intent} -> ${p.intent} ${p.confidence} ${q.text}`); }
console.log('resub', right / k.training.length);
console.log(bad.slice(0, 20).join('\n'));
for (const t of ['我们是小巨人，首次认定，省里奖励了60万', '数字化评测评了一级能补吗', '企业所得税季度预缴申报截止到哪天', '那个一次性十万块 明年还能再领一次吗']) { const p = nlu.parse(t); console.log(t, p.intent, p.confidence, p.measures, JSON.stringify(p.intentScores).slice(0, 200)); }

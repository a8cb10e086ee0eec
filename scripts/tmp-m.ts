import { loadNlu } from '../src/nlu/index.js';
const nlu = await loadNlu({});
for (const t of process.argv.slice(2)) { const p = nlu.parse(t); console.log(t, p.measureScores, p.slots.facts, p.slots.numbers); }

import { loadNlu } from '../src/nlu/index.js';
const nlu = await loadNlu({});
const p = nlu.parse(process.argv[2]);
console.log(JSON.stringify(p.subjects, null, 1), p.slots.facts);

import { plainNumbers } from '../src/nlu/normalize.js';
for (const t of ['2百8十万', '3百万', '投了300万', '10十']) console.log(t, '→', plainNumbers(t));

import { pinyin } from 'pinyin-pro';
const t = '我们想问下政银其对结会要多少家银行参加还有专精特心企业的奖励';
console.log(pinyin(t, { toneType: 'none', type: 'array' }).join(' '));
const t0 = performance.now();
for (let i = 0; i < 2000; i++) pinyin(t + i, { toneType: 'none', type: 'array' });
console.log(((performance.now() - t0) / 2000 * 1000).toFixed(1), 'us per call');

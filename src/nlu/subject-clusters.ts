import { parseNumeral } from './numbers.js';
import { clauseAround, NUM, type Marker } from './subject-text.js';

// Clusters are counted by their level ("国家级批了一个 省级报了两个成了一个"): the counts a level's
// clause gives, and of the clusters applied for, the ones granted.

const LEVEL_COUNT = new RegExp(`${NUM}\\s*个`, 'g');
const LEVEL_WORDS = /国家级|省级|集群/;
// How a cluster fared: granted, refused or pending.
const FARED = '成功|成了|过了|通过|批下来|获批|批了|待定|没过|失败|落选|评上|拿下|没成';
const OUTCOME = new RegExp(`${FARED}|公示`);
const LEVEL_JUST_BEFORE = /(?:国家级|省级)(?:的)?\s*$/;

/** "国家级批了一个 省级报了两个": counts in clauses that name a level, besides the ones already found. */
export function withLevelCounts(text: string, found: Marker[]): Marker[] {
  const all = [...found];
  for (const m of text.matchAll(LEVEL_COUNT)) {
    if (all.some((f) => m.index >= f.at && m.index < f.end) || text[m.index - 1] === '第') continue;
    const count = parseNumeral(m[1]);
    if (count === undefined || count < 1 || count > 50) continue;
    // "报了两个 成了一个": the granted count follows the applied one without naming the level again.
    const previous = all.filter((f) => f.end <= m.index).at(-1);
    const granted = previous !== undefined && GRANTED.test(text.slice(previous.end, m.index));
    // "两个省级集群 一个已经批下来了 一个还在公示": a clause saying how one fared counts it too.
    const clause = clauseAround(text, m.index);
    // ("两个都拿下了" says it of all of them, "另一个没过" of the rest.)
    const oneFared = count === 1 && text[m.index - 1] !== '另' && OUTCOME.test(clause);
    if (!granted && !LEVEL_WORDS.test(clause) && !oneFared) continue;
    // "国家级集群1个和省级2个": the level just before its count starts that part.
    const level = LEVEL_JUST_BEFORE.exec(text.slice(Math.max(0, m.index - 8), m.index));
    const at = level ? m.index - level[0].length : m.index;
    if (all.some((f) => at < f.end && at >= f.at)) continue;
    all.push({ at, end: m.index + m[0].length, count, named: false });
    all.sort((a, b) => a.at - b.at);
  }
  return all;
}

// "报了两个 成了一个": of those applied for, the ones granted.
export const APPLIED = /(?:报了|申报了?|申请了?|报)[^，,。;；\d\s个一二两三四五六七八九十]{0,14}\s*$/;
const GRANTED = /^[\s，,]*(?:其中|里头|里面|当中|中间)?(?:只|就|才|但|但是)?(?:成了|批了|成功了?|过了|通过了?|获批了?|拿下)\s*$/;
// "省级三个里头成功两个": of the count before, the ones granted, whatever word asked for them.
const WITHIN_GRANTED = /^[\s，,]*(?:里头|里面|当中|之中|中间)/;

export function appliedThenGranted(text: string, markers: Marker[]): Marker[] {
  const out = [...markers];
  for (let i = out.length - 2; i >= 0; i--) {
    // ("申报创建国家级特色产业集群3个 其中成功1个": the level and noun may stand between.)
    const between = text.slice(out[i].end, out[i + 1].at);
    if ((APPLIED.test(text.slice(Math.max(0, out[i].at - 16), out[i].at)) || WITHIN_GRANTED.test(between)) && GRANTED.test(between)) {
      out.splice(i, 2, { ...out[i], count: out[i + 1].count, end: out[i + 1].end });
    }
  }
  return out;
}

export const BOTH_CREATED = /(?:也|又)(?:都)?(?:成功|创建|获批|评上|拿下|批了)|两个都|都(?:成功|拿下|获批|创建|评上|成了|过了|批了|批下来)/;
export const EACH_LEVEL_ONCE = /(?:国家级|省级)[^，,.。]{0,6}(?:和|跟|与|、|,)?(?:国家级|省级)[^，,.。]{0,8}各[^，,.。]{0,6}(?:一个|1个)/;

// "两个集群 国家级没批 省级批了", "国家级个伓过 省级个过了": each level in a clause of its own, told how it fared.
const LEVEL_FARED = new RegExp(`(国家级|省级)[^，,。；;\\s\\d]{0,10}?(?:${FARED}|没批|伓过)`, 'g');

/** The clauses telling how one cluster of each level fared, when the text has exactly one of each. */
export function levelsFared(text: string): string[] {
  const found = [...text.matchAll(LEVEL_FARED)];
  if (found.length !== 2 || found[0][1] === found[1][1]) return [];
  // Each in a clause of its own, with no count in it ("国家级1个成功" is counted elsewhere).
  const clauses = found.map((m) => clauseAround(text, m.index));
  return clauses[0] !== clauses[1] && clauses.every((c) => !/[\d一二两三四五六七八九十]\s*个/.test(c)) ? found.map((m) => m[0]) : [];
}

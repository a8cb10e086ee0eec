import type { FactValue } from '../../policy/index.js';
import { parseNumeral } from './numbers.js';
import { insideParentheses, namedPattern, namesIn, RELATIONAL_NAME } from './subject-names.js';

/** Who an award rule counts: enterprises (家), events (场) or created clusters (个). */
export type SubjectKind = 'enterprise' | 'event' | 'cluster';

/**
 * Subjects that share their facts: "两家子公司都…" is one group of two, "有两场…还有一场…"
 * two groups. Facts are what the group's own words say, on top of what the whole question says.
 */
export interface SubjectGroup {
  kind: SubjectKind;
  count: number;
  /** The group's own words ("有一场只来了20家企业"); empty for the rest of a total. */
  text: string;
  facts: Record<string, FactValue>;
  /** Amounts in the group's words that no field claimed ("一家给了80万"). */
  looseYuan: number[];
  /** What the asker says of the group as a whole: "达标" (true), "没达标", "银行不足5家" (false). */
  verdict?: boolean;
}

export interface SegmentFacts {
  facts: Record<string, FactValue>;
  looseYuan: number[];
}

const NUM = '(\\d+|[一二两三四五六七八九十]+)';
// A counted subject: the number, its measure word, and (for enterprises) what is counted.
const MARKERS: Record<SubjectKind, RegExp> = {
  enterprise: new RegExp(`(?<!同)${NUM}\\s*(?:家|间|个)(?!银行|金融|企业参|单位参|高层次|人才|人|博士|硕士|专家|项目|专利|产品|场景|展|月|亿|w|万)(?:[^\\s,，.。;；]{0,8}?(子公司|分公司|公司|厂子|工厂|厂|企业|单位|客户|会员企业|会员单位|专精特新|小巨人|单项冠军))?`, 'g'),
  // "三场", and one event by its name: "四月那场", "商会那场", "头场".
  // ("搞了3个政银企对接会": 个 of events named right after.)
  event: new RegExp(`${NUM}\\s*(?:场|次(?!性)|个(?=\\s*(?:政银企|银企|产融)?\\s*(?:对接会|对接活动)))|(?:那|这|头|首|末)场(?!次)`, 'g'),
  // "两个省级", and the count after the noun: "国家级集群一个 省级集群两个".
  cluster: new RegExp(`(?<!同)${NUM}\\s*个(?=[^，,.。]{0,4}(?:国家级|省级|集群)|[县区市]{1,3}[^，,.。\\s]{0,10}(?:国家级|省级|集群))|(?:国家级|省级)[^\\s，,.。\\d]{0,8}?集群(?:[^\\s，,.。\\d]{0,6}?(?:成功|获批|创建|申报|通过|批了))?\\s*${NUM}\\s*个(?![^\\s，,.。]{0,4}(?:国家级|省级))`, 'g'),
};
const SAME_AS = /同上|同前|(?:^|[^a-z])同([a-f甲乙丙丁])(?![a-z])/;
const ALL_OF_THEM = /^[^，,。\d]{0,4}(?:都|均|全|各|一起|一共|合计|加起来|总共|合起来)/;
const CORRECTED = /^[\s,，]*(?:不对|不是|错了|说错了|搞错了|更正)[\s,，]*(?:是|应该是|其实是)?\s*$/;
const BARE_COUNT = new RegExp(`^${NUM}\\s*个$`);
const EVENT_STATS = /银行|金融机构|对接|参会|来了/;
const EXHIBITION = /参展|展会|展览|博览会|交易会|广交会/;
const TOOK_ALONG = /(?:组织|组|带|带领|牵头|拉)了?\s*$/;

interface Marker {
  at: number;
  end: number;
  count: number;
  /** Names what is counted ("两家子公司"), as a total does. */
  named: boolean;
}

function markersOf(text: string, kind: SubjectKind, districts: readonly string[] = []): Marker[] {
  const out: Marker[] = [];
  const pattern = namedPattern(kind, districts);
  if (pattern) {
    const named = namesIn(text, pattern).map((n) => ({ ...n, named: true }));
    if (named.length >= 2) {
      const counted = markersOf(text.replace(pattern, (w) => ' '.repeat(w.length)), kind);
      // "仓山跟晋安一个国家级一个省级": counts after the names that share them out say who has what.
      const after = counted.filter((m) => m.at >= named[named.length - 1].end);
      const sum = (ms: Marker[]) => ms.reduce((n, m) => n + m.count, 0);
      if (after.length >= 2 && sum(after) === sum(named)) return after;
      // "国家级集群两个（马尾、长乐），省级集群一个（闽侯）": the names only say which ones were counted.
      // "省级集群3个（分别在闽清、罗源、连江）" too.
      if ((counted.length >= 2 || sum(counted) === named.length) && named.every((m) => insideParentheses(text, m.at))) return counted;
      // "长乐两个省级 连江两个省级": a count right after a name is how many that place has.
      // ("长乐福清两个县都…" counts the places.)
      const own = named.map((n) => ({ ...n, count: counted.find((m) => m.at >= n.end && m.at <= n.end + 1 && m.count > 1 && !PLACES_COUNTED.test(text.slice(m.end)))?.count ?? n.count }));
      return [...counted.filter((m) => m.count > 1 && m.at < named[0].at).slice(0, 1), ...own];
    }
  }
  for (const m of text.matchAll(MARKERS[kind])) {
    const at = m.index;
    // "第二场…": one of the events counted, whatever its number.
    const figure = kind === 'cluster' ? m[1] ?? m[2] : m[1];
    const count = figure === undefined || text[at - 1] === '第' ? 1 : /^\d/.test(figure) ? Number(figure) : parseNumeral(figure);
    if (count === undefined || count < 1 || count > 50) continue;
    const clause = clauseAround(text, at);
    // "市里10万一家": the rule's rate per enterprise, not an enterprise.
    if (kind === 'enterprise' && count === 1 && RATE_BEFORE.test(text.slice(Math.max(0, at - 6), at)) && RATE_AFTER.test(text.slice(at + m[0].length))) continue;
    // "就是一场五万对吧": the rule's rate per event, not an event.
    if (kind === 'event' && /^\s*(?:\d+(?:\.\d+)?|[一二两三四五六七八九十]+)\s*(?:万|元|块)/.test(text.slice(at + m[0].length))) continue;
    // "第一次评上", "一次" are how often, not events; "第一场" is one of the events counted.
    if (kind === 'event' && m[0].endsWith('次') && (text[at - 1] === '第' || count === 1)) continue;
    // "40家企业6家银行" are the attendance of an event, not enterprises asking.
    if (kind === 'enterprise' && ((count >= 10 && EVENT_STATS.test(text)) || (EVENT_STATS.test(clause) && m[2] === '企业'))) continue;
    // "企业40家银行6家": the figure follows what the event counted.
    if (kind === 'enterprise' && EVENT_STATS.test(text) && /(?:银行|金融机构|机构|企业)\s*$/.test(text.slice(Math.max(0, at - 4), at))) continue;
    // "组织了6家制造企业参加全国性展会": the exhibitors an organiser took along, not enterprises asking.
    if (kind === 'enterprise' && EXHIBITION.test(clause) && TOOK_ALONG.test(text.slice(Math.max(0, at - 4), at))) continue;
    // "国家级批了一个": in a question about clusters, an unnamed 个 counts clusters, not enterprises.
    if (kind === 'enterprise' && m[0].includes('个') && m[2] === undefined && KIND_WORDS.cluster.test(text)) continue;
    out.push({ at, end: at + m[0].length, count, named: m[2] !== undefined });
  }
  if (kind !== 'cluster') return out;
  const clusters = KIND_WORDS.cluster.test(text) ? appliedThenGranted(text, withLevelCounts(text, out)) : out;
  // "两个区 一个两个省级集群 一个一个国家级": a count right before another counts the districts, not clusters.
  return clusters.filter((m, i) => !(clusters[i + 1] && clusters[i + 1].at === m.end && BARE_COUNT.test(text.slice(m.at, m.end))));
}

const RATE_BEFORE = /(?:\d|[一二两三四五六七八九十百])\s*(?:万|元|块)(?:钱)?\s*$/;
// (Unless what follows says more of one firm: "一百万一家省奖五十万" are two firms' amounts.)
const RATE_AFTER = /^\s*(?:$|[,.;!?，。；！？]|总共|一共|合计|的话|算|乘|[x×*])/;
const PLACES_COUNTED = /^\s*(?:县|区|市|地方|地区|单位|都|各|均)/;
const LEVEL_COUNT = new RegExp(`${NUM}\\s*个`, 'g');
const LEVEL_WORDS = /国家级|省级|集群/;

/** "国家级批了一个 省级报了两个": counts in clauses that name a level, besides the ones already found. */
function withLevelCounts(text: string, found: Marker[]): Marker[] {
  const all = [...found];
  for (const m of text.matchAll(LEVEL_COUNT)) {
    if (all.some((f) => m.index >= f.at && m.index < f.end) || text[m.index - 1] === '第') continue;
    const count = parseNumeral(m[1]);
    if (count === undefined || count < 1 || count > 50) continue;
    // "报了两个 成了一个": the granted count follows the applied one without naming the level again.
    const previous = all.filter((f) => f.end <= m.index).at(-1);
    const granted = previous !== undefined && GRANTED.test(text.slice(previous.end, m.index));
    if (!granted && !LEVEL_WORDS.test(clauseAround(text, m.index))) continue;
    all.push({ at: m.index, end: m.index + m[0].length, count, named: false });
    all.sort((a, b) => a.at - b.at);
  }
  return all;
}

// "报了两个 成了一个": of those applied for, the ones granted.
const APPLIED = /(?:报了|申报了?|申请了?|报)[^，,。;；\d\s个一二两三四五六七八九十]{0,14}\s*$/;
const GRANTED = /^[\s，,]*(?:其中|里头|里面|当中|中间)?(?:只|就|才|但|但是)?(?:成了|批了|成功了?|过了|通过了?|获批了?|拿下)\s*$/;
// "省级三个里头成功两个": of the count before, the ones granted, whatever word asked for them.
const WITHIN_GRANTED = /^[\s，,]*(?:里头|里面|当中|之中|中间)/;

function appliedThenGranted(text: string, markers: Marker[]): Marker[] {
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

// "工信企业有七家", "小巨人两家": the count said after what it counts.
// "（共6家，均为首次认定…）": a total said on its own.
const NOUN_BEFORE = /(?:企业|公司|厂|单位|小巨人|专精特新|单项冠军)(?:有|共有|一共有?|总共有?|共)?\s*$|(?:^|[（(，,、\s])(?:共|共计|合计|一共|总共)\s*$|(?:辖区|区里|县里|全区|全县|园区)(?:内|里)?(?:有|共有)?\s*$|(?:我们|阮|咱们?|集团)(?:这边|这里|下面|旗下)?(?:有|共有)\s*$/;
// "两家加起来", "两家都是": a count of enterprises the whole question is about.
const COUNT_FOR_ALL = /^(?:都|各|均|加起来|加一起|一共|总共|合计|分别|合起来)/;

/** "两家加起来": enterprises by their own measure word ("这两个都能拿吗" counts measures, not firms). */
function countsEveryone(text: string, m: Marker): boolean {
  return text.slice(m.at, m.end).includes('家') && COUNT_FOR_ALL.test(text.slice(m.end).trimStart());
}

const CLAUSE_BREAK = /[,.;!?:，。；！？：\s]/;

/** "首次省级专精特新 工信类 十二家 奖励总额": a count that is a clause of its own counts the enterprises described. */
function standsAlone(text: string, m: Marker): boolean {
  return clauseAround(text, m.at) === text.slice(m.at, m.end);
}

/** The clause around a position: between the nearest breaks (commas, stops, spaces). */
function clauseBounds(text: string, at: number): [number, number] {
  let s = at;
  while (s > 0 && !CLAUSE_BREAK.test(text[s - 1])) s--;
  let e = at;
  while (e < text.length && !CLAUSE_BREAK.test(text[e])) e++;
  return [s, e];
}

const SENTENCE_BREAK = /[.;!?。；！？]/;

function sentenceEnd(text: string, from: number): number {
  let e = from;
  while (e < text.length && !SENTENCE_BREAK.test(text[e])) e++;
  return e;
}

function clauseAround(text: string, at: number): string {
  const [s, e] = clauseBounds(text, at);
  return text.slice(s, e);
}

// "仓山区和长乐区都…", "我们和子公司都是…", "公司A和公司B各…": two subjects named, one count.
const SUBJECT_NOUN = '(?:区|县|市|公司|子公司|企业|厂|单位|我们|那家|他们|协会|商会)';
const PAIR = new RegExp(`[\\u4e00-\\u9fa5a-z]{0,6}?${SUBJECT_NOUN}[a-z]?(?:和|跟|与|同)[\\u4e00-\\u9fa5a-z]{0,6}?${SUBJECT_NOUN}[a-z]?(?:都|各|均|也都)`);
const KIND_WORDS: Record<SubjectKind, RegExp> = { cluster: /集群/, event: /对接|场/, enterprise: /./ };

// "母子公司今年各自首次…": a parent and its subsidiary, two enterprises.
const PARENT_AND_CHILD = /母子(?:两家)?(?:公司|企业)?[^，,。]{0,8}?(?:都|各|均)/;

// PAIR needs a joining word and one of 都/各/均: a text without them is not scanned for it.
const PAIR_JOIN = /[和跟与同]/;
const PAIR_ALL = /[都各均]/;

function pairCount(text: string, kind: SubjectKind): number {
  if (kind === 'enterprise' && PARENT_AND_CHILD.test(text)) return 2;
  const m = PAIR_JOIN.test(text) && PAIR_ALL.test(text) ? PAIR.exec(text) : null;
  if (!m) return 0;
  // The pair counts what its clause is about: clusters, events, or else enterprises.
  const after = clauseAround(text, m.index + m[0].length) + text.slice(m.index, m.index + m[0].length);
  const about = (['cluster', 'event'] as SubjectKind[]).find((k) => KIND_WORDS[k].test(after)) ?? 'enterprise';
  return about === kind ? 2 : 0;
}

// "只有一家是工信企业", "共十一家，其中工信企业八家": the rest are not.
const ONLY = /只有|仅有|只是|仅|其中/;
const REST = /^(?:其余|剩下|剩余|其他|另外)/;
const ADDED = /(?:又|再|另外|另(?=\s)|还有|加上|多了|再加|(?<![参增追])加|\+)(?:办了|搞了|开了|组织了|举办了)?\s*$/;
// "还有", "另外" also introduce the last part of a total ("三场…两场…还有一场…").
const WEAKLY_ADDED = /(?:另外|还有)\s*$/;
// Between two parts: nothing, or only a joining word ("长乐福清两个县都…", "闽侯、长乐…").
const ONLY_JOINING = /^[\s和跟与同及,]*$/;
// The count in a marker's words ("两个" in "国家级集群两个").
const COUNT_WORDS = new RegExp(`${NUM}\\s*(?:家|间|个|场|次)`);

/** District names as patterns, built once per list: any name, and a name just before a count. */
const placePatternCache = new WeakMap<readonly string[], { names: RegExp; before: RegExp }>();
function placePatterns(districts: readonly string[]): { names: RegExp; before: RegExp } | null {
  if (!districts.length) return null;
  let p = placePatternCache.get(districts);
  if (!p) {
    const place = `(?:${districts.join('|')})(?:区|县|市)?`;
    p = { names: new RegExp(place, 'g'), before: new RegExp(`${place}(?:的|有|这边|那边)?\\s*$`) };
    placePatternCache.set(districts, p);
  }
  return p;
}
const JOINED = /(?:和|跟|与|同|及|、|,)\s*$/;

/**
 * The groups of one kind in a question. A first marker is the total when later markers split
 * it ("三场…有两场…还有一场"); parts that do not add up to the total leave a remainder group
 * with the question's shared facts only ("两家…只有一家是工信企业": the other is not).
 */
// "参会企业分别为35、42、28家，银行分别为6、5、7家", "企业数30/45/28 银行数5/4/6": one event per position.
const LISTED = /([\u4e00-\u9fa5]{1,4}?)(?:数量|数|个数)?(?:分别)?(?:为|是|有)?\s*((?:\d+\s*家?\s*(?:[,/\s]|和|及|与)\s*)+\d+)\s*家?/g;
// "银行均为8家": the same figure for every event.
const SAME_FOR_ALL = /([\u4e00-\u9fa5]{1,4}?)(?:均为|均是|都是|都为|每场都是|均超过|都超过|均有|都有|每场都有|各)\s*(\d+)\s*家/g;

/** Events given as parallel lists of figures, each read as "35家企业 6家银行" by the caller's extractor. */
function listedEvents(text: string, factsOf: (segment: string) => SegmentFacts): SubjectGroup[] {
  const lists = [...text.matchAll(LISTED)].map((m) => ({ noun: m[1], values: m[2].split(/[,/\s]|和|及|与/).map((v) => v.replace(/\D/g, '')).filter(Boolean) }));
  const longest = Math.max(0, ...lists.map((l) => l.values.length));
  if (longest < 2 || lists.some((l) => l.values.length !== longest)) return [];
  const constants = [...text.matchAll(SAME_FOR_ALL)].map((m) => ({ noun: m[1], values: Array<string>(longest).fill(m[2]) }));
  const all = [...lists, ...constants];
  return Array.from({ length: longest }, (_, i) => {
    const words = all.map((l) => `${l.noun}${l.values[i]}家`).join(" ");
    return { kind: 'event' as const, count: 1, text: `第${i + 1}场（${words}）`, ...factsOf(`对接会${words}`) };
  });
}

// "32家企业6家银行 … 45家企业2家银行": each attendance said is one event, whether or not the events were counted.
const FIGURE = '(\\d+|[一二两三四五六七八九十百]+)';
const ATTENDANCE = new RegExp(`(?<!(?:银行|金融机构)\\s*)${FIGURE}\\s*家\\s*(?:参会)?企业|企业(?:数|数量)?(?:有|为|是|来了|到了|到场)?\\s*${FIGURE}\\s*家(?!\\s*(?:银行|金融机构)(?!\\s*${FIGURE}))`, 'g');
const BANKS = new RegExp(`${FIGURE}\\s*(?:家|间|个)\\s*(?:银行|金融机构)|(?:银行|金融机构)[^\\d，,。；;一二两三四五六七八九十]{0,6}${FIGURE}\\s*(?:家|间|个)`, 'g');
// "每场30家企业5家银行": one attendance said of several events.
const EVERY_EVENT = /每场|每次|各场|每一场/;

/**
 * Events told apart by their attendance ("商会那场三十二家企业六家银行园区那场四十家企业三家银行"):
 * one event per enterprise count, each running to the last bank count before the next. Only when
 * banks are counted too (a matchmaking event) and no other number of events is said.
 */
function attendanceEvents(text: string, declared: number, factsOf: (segment: string) => SegmentFacts): SubjectGroup[] {
  const firms = [...text.matchAll(ATTENDANCE)];
  if (firms.length < 2 || (declared > 1 && declared !== firms.length) || EVERY_EVENT.test(text)) return [];
  // Banks are looked for with the enterprise counts blanked out: "企业30家银行5家" is 30 firms, 5 banks.
  let rest = text;
  for (const m of firms) rest = rest.slice(0, m.index) + ' '.repeat(m[0].length) + rest.slice(m.index + m[0].length);
  const banks = [...rest.matchAll(BANKS)];
  // "制造业企业25家 服务业企业10家 银行6家": parts of one attendance, not events, when fewer banks are
  // counted and no more than one event is spoken of ("我们那场…合作方那场…" are two).
  if (!banks.length || (banks.length < firms.length && (text.match(/场/g) ?? []).length < 2)) return [];
  const ownBanks = firms.map((m, i) => banks.filter((b) => b.index > m.index && b.index < (firms[i + 1]?.index ?? text.length)).at(-1));
  const ends = firms.map((m, i) => { const b = ownBanks[i]; return b ? b.index + b[0].length : m.index + m[0].length; });
  return firms.map((m, i) => {
    const start = Math.max(i ? ends[i - 1] : 0, clauseBounds(text, m.index)[0]);
    const b = ownBanks[i];
    // Read from the figures alone: the words around them ("一家组织的是", "银行只来了") count nothing else.
    const stats = `对接会 ${m[1] ?? m[2]}家企业${b ? ` ${b[1] ?? b[2]}家银行` : ''}`;
    return { kind: 'event' as const, count: 1, text: text.slice(start, ends[i]).trim(), ...factsOf(stats) };
  });
}

const EACH_ORGANISER = new RegExp(`${NUM}\\s*(?:个|家)[\\u4e00-\\u9fa5]{0,4}?各(?:自)?[^，,。\\s]{0,8}$`);
const BOTH_CREATED = /(?:也|又)(?:都)?(?:成功|创建|获批|评上|拿下|批了)|两个都|都(?:成功|拿下|获批|创建|评上)/;
const EACH_LEVEL_ONCE = /(?:国家级|省级)[^，,.。]{0,6}(?:和|跟|与|、|,)?(?:国家级|省级)[^，,.。]{0,8}各[^，,.。]{0,6}(?:一个|1个)/;

// "a b c d e 五家", "甲 乙 丙 丁 四家企业": a roll call of named enterprises, then how many they are.
const ROLL_CALL = new RegExp(`(?<![a-z])([甲乙丙丁戊]{2,5}|[a-f]{2,5}(?![a-z])|[a-f甲乙丙丁戊](?:[\\s、,，和]+[a-f甲乙丙丁戊])+)\\s*${NUM}\\s*(?:家|个|间)`);
const NAME_RUN = /(?<![a-z\u4e00-\u9fa5])[a-f甲乙丙丁戊](?:[和、,]?[a-f甲乙丙丁戊])*(?![a-z])|(?<=其中)[a-f甲乙丙丁戊](?:[和、,]?[a-f甲乙丙丁戊])*(?![a-z])/g;

/**
 * "a b c d e 五家 2025首次省级专精特新 其中e家不是工信企业", "甲 乙 丙 丁 四家…其中甲乙首次…丙丁是复核":
 * the names mentioned again each get what follows them; the names not mentioned again share the rest.
 */
function rollCallGroups(text: string, factsOf: (segment: string) => SegmentFacts): SubjectGroup[] {
  const call = ROLL_CALL.exec(text);
  if (!call) return [];
  // "甲乙丙三家": names written together are one character each.
  const names = /^[甲乙丙丁戊]+$/.test(call[1]) ? [...call[1]] : call[1].split(/[\s、,，和]+/).filter(Boolean);
  const count = /^\d/.test(call[2]) ? Number(call[2]) : parseNumeral(call[2]);
  if (count !== names.length || new Set(names).size !== names.length) return [];
  const after = call.index + call[0].length;
  const runs = [...text.slice(after).matchAll(NAME_RUN)]
    .map((m) => ({ at: after + m.index, names: [...m[0].replace(/[和、,]/g, '')] }))
    .filter((r) => r.names.every((n) => names.includes(n)));
  if (!runs.length) return [];
  const groups: SubjectGroup[] = runs.map((r, i) => {
    const segment = text.slice(r.at, runs[i + 1]?.at ?? sentenceEnd(text, r.at)).trim();
    return { kind: 'enterprise' as const, count: r.names.length, text: segment, ...factsOf(segment) };
  });
  const said = new Set(runs.flatMap((r) => r.names));
  const rest = names.filter((n) => !said.has(n)).length;
  // "其中e家不是工信企业": the others are.
  const only = groups.find((g, i) => ONLY.test(text.slice(Math.max(0, runs[i].at - 3), runs[i].at)));
  const negated = only ? Object.fromEntries(Object.entries(only.facts).filter(([, v]) => typeof v === 'boolean').map(([f, v]) => [f, !v])) : {};
  return rest ? [...groups, { kind: 'enterprise', count: rest, text: '', facts: negated, looseYuan: [] }] : groups;
}

// "今年又首次评上小巨人", "下半年又…": a later step of the same enterprise.

/**
 * "今年先评上省级专精特新 下半年又首次认定小巨人 两个加起来": one enterprise recognised at two
 * levels, each level a subject of its own (each is paid by its own rule). The second level's
 * clause must say it came later; both must say the enterprise got the level, not ask about it.
 */
export function levelSteps(text: string, levelField: string, stepWords: readonly string[], factsOf: (segment: string) => SegmentFacts): SubjectGroup[] {
  // Reading every clause is costly: only a text with a word of a later step is read.
  if (!stepWords.some((w) => text.includes(w))) return [];
  const clauses = [...text.matchAll(/[^,.;!?:，。；！？：\s]+/g)].map((c) => ({ index: c.index, words: c[0], facts: factsOf(c[0]).facts }));
  const levelAt = clauses.map((c) => ({ at: c.index, facts: c.facts }))
    .filter((c) => c.facts[levelField] !== undefined && c.facts[levelField] !== 'none');
  const second = levelAt.findIndex((c, i) => i > 0 && c.facts[levelField] !== levelAt[0].facts[levelField]);
  // The step word leads the second level's clause, after a few words at most ("下半年又…").
  const leads = (words: string) => stepWords.some((w) => { const i = words.indexOf(w); return i >= 0 && i <= 4; });
  if (second < 1 || !leads(clauses.find((c) => c.index === levelAt[second].at)!.words)) return [];
  const got = (facts: Record<string, FactValue>) => Object.keys(facts).some((f) => f !== levelField);
  const first = text.slice(0, levelAt[second].at).trim();
  // The second level's words run to its last clause that says something ("省奖60万"), not into the question.
  const saying = clauses.filter((c) => c.index >= levelAt[second].at && Object.keys(c.facts).length);
  const last = saying.at(-1)!;
  const then = text.slice(levelAt[second].at, last.index + last.words.length).trim();
  const parts = [first, then].map((segment) => ({ kind: 'enterprise' as const, count: 1, text: segment, ...factsOf(segment) }));
  return parts.every((p) => got(p.facts)) ? parts : [];
}

export function subjectGroups(text: string, kind: SubjectKind, factsOf: (segment: string) => SegmentFacts, districts: readonly string[] = []): SubjectGroup[] {
  if (kind === 'enterprise') {
    const called = rollCallGroups(text, factsOf);
    if (called.length) return called;
  }
  if (kind === 'event') {
    const listed = listedEvents(text, factsOf);
    if (listed.length) return listed;
    const declared = markersOf(text, kind).find((m) => m.count > 1)?.count ?? 0;
    const attended = attendanceEvents(text, declared, factsOf);
    if (attended.length) return attended;
  }
  // "国家级集群省级集群各成功创建了一个": one of each level.
  if (kind === 'cluster' && EACH_LEVEL_ONCE.test(text)) {
    return ['国家级', '省级'].map((level) => ({ kind, count: 1, text: `${level}集群`, ...factsOf(`${level}集群`) }));
  }
  const markers = markersOf(text, kind, districts);
  // "去年创建省级集群成功 今年国家级也成功了", "国家级…省级…两个都拿下了": one cluster of each level.
  if (kind === 'cluster' && !markers.length && /集群/.test(text) && text.includes('国家级') && text.includes('省级') && BOTH_CREATED.test(text)) {
    return ['国家级', '省级'].map((level) => ({ kind, count: 1, text: `${level}集群`, ...factsOf(`${level}集群`) }));
  }
  // "这两个县各牵头办了一场": one event for each organiser counted.
  if (kind === 'event' && markers.length === 1 && markers[0].count === 1) {
    const each = EACH_ORGANISER.exec(text.slice(Math.max(0, markers[0].at - 16), markers[0].at));
    const organisers = each ? (/^\d/.test(each[1]) ? Number(each[1]) : parseNumeral(each[1])) : undefined;
    if (organisers !== undefined && organisers > 1 && organisers <= 50) return [{ kind, count: organisers, text: '', facts: {}, looseYuan: [] }];
  }
  const pair = pairCount(text, kind);
  if (!markers.length) return pair ? [{ kind, count: pair, text: '', facts: {}, looseYuan: [] }] : [];
  // "工信企业有两家 不对 是三家": a count corrected in the same message.
  for (let i = markers.length - 1; i > 0; i--) {
    if (CORRECTED.test(text.slice(markers[i - 1].end, markers[i].at))) markers.splice(i - 1, 2, { ...markers[i - 1], count: markers[i].count, end: markers[i].end });
  }
  // "一个国家级一个省级 两个集群都评上": a last count that is the sum of the ones before, said of all of them.
  const last = markers[markers.length - 1];
  // "母子两家…市里两家一起配多少", "两间公司 一间… 另一间… 这两间各给多少" too.
  // "两个子公司…一个…一个… 两个都能拿吗": a last count that repeats the first, said of all of them, too.
  const sumBefore = markers.slice(0, -1).reduce((n, m) => n + m.count, 0);
  if (markers.length >= 2 && last.count > 1 && (last.count === sumBefore || (markers.length >= 3 && last.count === markers[0].count))
    && (ALL_OF_THEM.test(text.slice(last.end)) || /这些?\s*$/.test(text.slice(0, last.at)))) markers.pop();
  const [first, ...rest] = markers;
  // "三场…有两场…还有一场": the first is the total; "一个国家级一个省级": every marker is a part.
  // "两场…下半年又一场": a part added on is not a part of the first count.
  const before = (m: Marker) => text.slice(Math.max(0, m.at - 6), m.at);
  const restSum = rest.reduce((n, m) => n + m.count, 0);
  const addedBy = rest.filter((m) => ADDED.test(before(m)));
  // "还有一场" that makes the parts add up exactly to the first count closes the total.
  // "两个集群成功：一个国家级一个省级。另外还有一个省级没通过": the parts before the added one make up the first count.
  const beforeAdded = rest.slice(0, rest.findIndex((m) => addedBy.includes(m)));
  const totalThenAdded = addedBy.length > 0 && first.count > 1 && beforeAdded.length > 1 && beforeAdded.reduce((n, m) => n + m.count, 0) === first.count;
  const added = addedBy.length > 0 && !totalThenAdded && !(restSum === first.count && addedBy.every((m) => WEAKLY_ADDED.test(before(m))));
  // "2025年首评的十二家，2024年首评的五家": parts saying otherwise than the first are not inside it.
  // What a part's clause says besides its count ("国家级集群两个" says 国家级).
  const said = new Map<Marker, Record<string, FactValue>>();
  const saidOf = (m: Marker) => {
    if (!said.has(m)) {
      const [s, e] = clauseBounds(text, m.at);
      // "两个省级集群一个国家级集群": a cluster's words follow its count, up to the next one.
      if (kind === 'cluster') {
        const next = markers.find((o) => o.at > m.at);
        // "国家级集群两个 省级一个": a count after its level has the level before it, in its clause.
        const from = markers.some((o) => o !== m && o.at >= s && o.at < m.at) ? m.at : s;
        said.set(m, factsOf(text.slice(from, m.end).replace(COUNT_WORDS, ' ') + text.slice(m.end, Math.min(e, next?.at ?? e))).facts);
        return said.get(m)!;
      }
      // Every count in the clause is blanked: "两场一场达标一场没达标" says no event count of its own.
      let clause = text.slice(s, e);
      // (Blanked to the same length, so the later counts' positions still hold.)
      for (const o of markers) if (o.at >= s && o.end <= e) clause = clause.slice(0, o.at - s) + text.slice(o.at, o.end).replace(COUNT_WORDS, (w) => ' '.repeat(w.length)) + clause.slice(o.end - s);
      said.set(m, factsOf(clause).facts);
    }
    return said.get(m)!;
  };
  const contradicts = rest.some((m) => Object.entries(saidOf(m)).some(([f, v]) => saidOf(first)[f] !== undefined && saidOf(first)[f] !== v));
  // "仓山3家 晋安2家": counts each labelled by a place are side by side, not one inside the other.
  const places = placePatterns(districts);
  const placed = (m: Marker) => places !== null && places.before.test(text.slice(Math.max(0, m.at - 6), m.at));
  const sideBySide = placed(first) && rest.every(placed);
  const isTotal = totalThenAdded || (!added && !contradicts && !sideBySide && first.count > 1 && rest.length > 0 && restSum <= first.count);
  // "对接会一场银行5家企业40家 办了三场": one event described, then how many there were like it.
  if (kind === 'event' && !added && markers.length === 2 && first.count === 1 && rest[0].count > 1
    && !Object.keys(saidOf(rest[0])).length && Object.keys(saidOf(first)).length) {
    const segment = clauseAround(text, first.at);
    return [{ kind, count: rest[0].count, text: segment, ...factsOf(segment) }];
  }
  const parts = isTotal ? rest : markers.length > 1 ? markers : [];
  // "省里给小巨人奖励100万，首次；另外还有俩…工信企业": the enterprise described first, then the ones added to it.
  if (kind === 'enterprise' && markers.length === 1 && ADDED.test(before(first))) {
    const [cs, ce] = clauseBounds(text, first.at);
    const lead = text.slice(0, cs).trim();
    const leadFacts = factsOf(lead);
    if (lead && Object.keys(leadFacts.facts).length) {
      const segment = text.slice(cs, sentenceEnd(text, ce));
      return [{ kind, count: 1, text: lead, ...leadFacts }, { kind, count: first.count, text: segment, ...factsOf(segment) }];
    }
  }
  if (!parts.length) {
    // One count for everyone: "两家子公司都…", "办了两场，每场都…".
    if (first.count < 2) return pair ? [{ kind, count: pair, text: '', facts: {}, looseYuan: [] }] : [];
    if (kind === 'enterprise' && !first.named && !pair && !countsEveryone(text, first) && !standsAlone(text, first) && !NOUN_BEFORE.test(text.slice(Math.max(0, first.at - 6), first.at))) return [];
    return [{ kind, count: first.count, text: '', facts: {}, looseYuan: [] }];
  }
  const groups: SubjectGroup[] = parts.map((m, i) => {
    // A part's words: its clause ("2024年一家", "还有一场只来了20家企业"), cut at a neighbour part in the same clause.
    const [cs, ce] = clauseBounds(text, m.at);
    const prev = parts[i - 1];
    const next = parts[i + 1];
    const start = prev && prev.end > cs ? m.at : cs;
    // A part runs on to the next part's clause ("3月那场企业31家、银行5家；9月那场…"), the last to its sentence's end.
    const end = next ? (next.at < ce ? next.at : Math.max(ce, clauseBounds(text, next.at)[0] - 1)) : sentenceEnd(text, ce);
    const segment = text.slice(start, end);
    // "高新区申报国家级的没成功": a cluster part is about clusters without saying "集群".
    return { kind, count: m.count, text: segment, ...factsOf(kind === 'cluster' && !segment.includes('集群') ? `${segment} 集群` : segment) };
  });
  // "仓山区和长乐区都成功创建了国家级集群": a part joined to the next says nothing of its own.
  // "长乐福清两个县都…", "闽侯、长乐、福清三个县区都…" too.
  for (let i = groups.length - 2; i >= 0; i--) {
    const between = text.slice(parts[i].end, parts[i + 1].at);
    const joined = JOINED.test(groups[i].text) || ONLY_JOINING.test(places ? between.replace(places.names, '') : between);
    if (joined && !Object.keys(groups[i].facts).length) groups[i] = { ...groups[i], facts: groups[i + 1].facts };
  }
  // "B公司 同上但不是首次", "C公司 同A": a part said to be like another takes its facts under its own.
  groups.forEach((g, i) => {
    const like = SAME_AS.exec(g.text);
    if (!like || i === 0) return;
    const model = like[1] ? groups.find((o) => o !== g && o.text.trimStart().toLowerCase().startsWith(like[1].toLowerCase())) : groups[i - 1];
    if (model) g.facts = { ...model.facts, ...g.facts };
  });
  // "子公司…母公司在杭州": a relative named only as a place to be, with nothing said of it, is no subject.
  const described = groups.filter((g, i) => !(RELATIONAL_NAME.test(text.slice(parts[i].at, parts[i].end)) && !Object.keys(g.facts).length && !g.looseYuan.length));
  if (described.length < groups.length) return described.length > 1 ? described : pair ? [{ kind, count: pair, text: '', facts: {}, looseYuan: [] }] : [];
  const remaining = isTotal ? first.count - parts.reduce((n, m) => n + m.count, 0) : 0;
  // "只有一家是工信企业": the rest are not, whether left unsaid or named ("其余3家…").
  const only = groups.find((g) => ONLY.test(g.text));
  const negated = only ? Object.fromEntries(Object.entries(only.facts).filter(([, v]) => typeof v === 'boolean').map(([f, v]) => [f, !v])) : {};
  for (const g of groups) if (g !== only && REST.test(g.text)) g.facts = { ...negated, ...g.facts };
  // "一共报了四个集群 其中国家级一个成功 省级…成功两个": the rest of clusters applied for were not granted.
  const appliedRest = kind === 'cluster' && APPLIED.test(text.slice(Math.max(0, first.at - 16), first.at));
  if (remaining > 0 && !appliedRest) groups.push({ kind, count: remaining, text: '', facts: negated, looseYuan: [] });
  return isTotal ? groups : withSubsets(withCountedParts(groups));
}

/**
 * "集团三家子公司 一家小巨人… 另外两家省专精特新 一家2023年认定的一家2025年": parts right after a group
 * that add up to its count, saying nothing against it, are that group told apart (each with the
 * group's facts under its own); a first count that the parts then add up to is their total.
 */
function withCountedParts(groups: SubjectGroup[]): SubjectGroup[] {
  let out = groups;
  for (let i = 0; i < out.length - 2; i++) {
    const whole = out[i];
    if (whole.count < 2) continue;
    let j = i + 1;
    let sum = 0;
    while (j < out.length && sum < whole.count && out[j].count < whole.count) sum += out[j++].count;
    const parts = out.slice(i + 1, j);
    const against = parts.some((p) => Object.entries(p.facts).some(([f, v]) => whole.facts[f] !== undefined && whole.facts[f] !== v));
    if (sum !== whole.count || parts.length < 2 || against) continue;
    out = [...out.slice(0, i), ...parts.map((p) => ({ ...p, facts: { ...whole.facts, ...p.facts } })), ...out.slice(j)];
  }
  if (out === groups) return groups;
  const [first, ...rest] = out;
  return first.count > 1 && first.count === rest.reduce((n, g) => n + g.count, 0) ? rest : out;
}

const SUBSET = /^\s*其中/;

/**
 * "首次省级专精特新工信企业四家 其中一家是2024年底认定的": a part that starts with 其中 is some of
 * the group before it, with that group's facts under its own; the group keeps the rest.
 */
function withSubsets(groups: SubjectGroup[]): SubjectGroup[] {
  const out = [...groups];
  for (let i = 1; i < out.length; i++) {
    const whole = out[i - 1];
    const part = out[i];
    if (!SUBSET.test(part.text) || !whole.text || whole.count <= part.count) continue;
    out[i - 1] = { ...whole, count: whole.count - part.count };
    out[i] = { ...part, facts: { ...whole.facts, ...part.facts } };
  }
  return out;
}

const SIBLING = /^\s*(?:另外|另|其余|剩下|剩余|还有|其他)/;
// "两家25年首次省专精特新 一家26年首次": a part of a list that starts with its count or its name,
// or says it is like the one before ("今年又认定2家").
const LIST_PART = /^\s*(?:\d+|[一二两三四五六七八九十]+)\s*(?:家|间)|^\s*(?:[a-f](?![a-z])|[甲乙丙丁戊]|[1-9]号)|又|同样/;

/**
 * "5家是2024年评上的省级专精特新 另外2家是2025年首次评上的", "a是2024年评的省专精特新 b和c是2025年":
 * a part that names no level and says only what an enterprise's profile holds is at the level of
 * the part it is set beside.
 */
export function withSiblingLevels(groups: SubjectGroup[], levelField: string, namesLevel: (text: string) => boolean, isProfileField: (field: string) => boolean): SubjectGroup[] {
  const out: SubjectGroup[] = [];
  for (const [i, g] of groups.entries()) out.push(withSiblingLevel(g, i, out[i - 1]));
  return out;

  function withSiblingLevel(g: SubjectGroup, i: number, before: SubjectGroup | undefined): SubjectGroup {
    if (i === 0 || !before || g.facts[levelField] !== undefined || !(SIBLING.test(g.text) || LIST_PART.test(g.text)) || before.facts[levelField] === undefined) return g;
    const fields = Object.keys(g.facts);
    if (namesLevel(g.text) || !fields.length || !fields.every(isProfileField)) return g;
    return { ...g, facts: { [levelField]: before.facts[levelField], ...g.facts } };
  }
}

/** The words of a question outside its groups' own: what every group shares. */
export function sharedText(text: string, groups: readonly SubjectGroup[]): string {
  let out = text;
  for (const g of groups) if (g.text) out = out.replace(g.text, ' ');
  return out;
}

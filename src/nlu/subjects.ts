import type { FactValue } from '../../policy/index.js';
import { parseNumeral } from './numbers.js';
import { APPLIED, appliedThenGranted, BOTH_CREATED, EACH_LEVEL_ONCE, levelsFared, withLevelCounts } from './subject-clusters.js';
import { attendanceEvents, EACH_ORGANISER, listedEvents } from './subject-events.js';
import { colonListGroups, rollCallGroups } from './subject-lists.js';
import { insideParentheses, namedPattern, namesIn, RELATIONAL_NAME } from './subject-names.js';
import {
  clauseAround, clauseBounds, NUM, ONLY, sentenceEnd, type Marker, type SegmentFacts, type SubjectGroup, type SubjectKind,
} from './subject-text.js';

export type { SegmentFacts, SubjectGroup, SubjectKind } from './subject-text.js';
export { levelSteps, withSiblingLevels } from './subject-lists.js';

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
// ("两家10万都能拿吗": the rule's amount may stand between.)
const ALL_OF_THEM = /^(?:[^，,。\d]|\d+(?:\.\d+)?万){0,4}(?:都|均|全|各|一起|一共|合计|加起来|总共|合起来)/;
// "…两场能拿多少": the count said again in the question asks about all of them.
const ASKED_OF_THEM = /^\s*(?:能|可以|可|总共|一共)?(?:拿|领|奖|得|给)?(?:多少|几多|几钱|几个钱)/;
const CORRECTED = /^[\s,，]*(?:不对|不是|错了|说错了|搞错了|更正)[\s,，]*(?:是|应该是|其实是)?\s*$/;
const BARE_COUNT = new RegExp(`^${NUM}\\s*个$`);
const EVENT_STATS = /银行|金融机构|对接|参会|来了/;
const EXHIBITION = /参展|展会|展览|博览会|交易会|广交会/;
const TOOK_ALONG = /(?:组织|组|带|带领|牵头|拉)了?\s*$/;

function markersOf(text: string, kind: SubjectKind, districts: readonly string[] = []): Marker[] {
  const out: Marker[] = [];
  // ("福清的鑫达跟长乐的华锦": places named in a question not about clusters name enterprises.)
  const pattern = kind === 'cluster' && !KIND_WORDS.cluster.test(text) && FIRM_LEVELS.test(text) ? null : namedPattern(kind, districts);
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
    // "这10万是一家一次还是每年都有": how often per enterprise, not an enterprise.
    if (kind === 'enterprise' && count === 1 && PER_ONE.test(text.slice(at + m[0].length))) continue;
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
const FIRM_LEVELS = /专精特新|小巨人|单项冠军|创新型/;
const PER_ONE = /^\s*(?:一次|一回|一份|一笔)/;
// "工信企业有七家", "小巨人两家": the count said after what it counts.
// "（共6家，均为首次认定…）": a total said on its own.
// ("小巨人首次认定3家", "首次认定小巨人的有3家": counted right after the level or its recognition.)
const NOUN_BEFORE = /(?:企业|公司|厂|单位|小巨人|专精特新|单项冠军)的?(?:有|共有|一共有?|总共有?|共)?\s*$|(?:认定|评上|获评|入选|新增)了?\s*$|(?:^|[（(，,、\s])(?:共|共计|合计|一共|总共)\s*$|(?:辖区|区里|县里|全区|全县|园区)(?:内|里)?(?:有|共有)?\s*$|(?:我们|阮|咱们?|集团)(?:这边|这里|下面|旗下)?(?:有|共有)\s*$/;
// "两家加起来", "两家都是": a count of enterprises the whole question is about.
const COUNT_FOR_ALL = /^(?:都|各|均|加起来|加一起|一共|总共|合计|分别|合起来)/;

/** "两家加起来": enterprises by their own measure word ("这两个都能拿吗" counts measures, not firms). */
function countsEveryone(text: string, m: Marker): boolean {
  return text.slice(m.at, m.end).includes('家') && COUNT_FOR_ALL.test(text.slice(m.end).trimStart());
}

/** "首次省级专精特新 工信类 十二家 奖励总额": a count that is a clause of its own counts the enterprises described. */
function standsAlone(text: string, m: Marker): boolean {
  return clauseAround(text, m.at) === text.slice(m.at, m.end);
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
export function subjectGroups(text: string, kind: SubjectKind, factsOf: (segment: string) => SegmentFacts, districts: readonly string[] = []): SubjectGroup[] {
  const counted = countedGroups(text, kind, factsOf, districts);
  // "那场来了42家企业…就是区里办的那场": the event named again by "那场" alone is the same one.
  const groups = counted.length > 1 ? counted.filter((g) => !(g.count === 1 && SAME_ONE_AGAIN.test(g.text) && !Object.keys(g.facts).length)) : counted;
  // "三家公司：…；…；…": items told apart by nothing but their semicolons, when nothing else told them apart.
  if (kind !== 'enterprise' || groups.length > 1 || groups[0]?.text) return groups;
  const listed = colonListGroups(text, factsOf);
  return listed.length ? listed : groups;
}

// ("还有一场只来了四家银行 那场呢": asked about by it too.)
const SAME_ONE_AGAIN = /^(?:那|这)(?:场|次)(?:呢|的话|[?？\s])*$/;

function countedGroups(text: string, kind: SubjectKind, factsOf: (segment: string) => SegmentFacts, districts: readonly string[]): SubjectGroup[] {
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
  if (kind === 'cluster') {
    const fared = levelsFared(text);
    if (fared.length) return fared.map((words) => ({ kind, count: 1, text: words, ...factsOf(words) }));
  }
  const markers = markersOf(text, kind, districts);
  // "去年创建省级集群成功 今年国家级也成功了", "国家级…省级…两个都拿下了": one cluster of each level.
  if (kind === 'cluster' && !markers.length && /集群/.test(text) && text.includes('国家级') && text.includes('省级') && BOTH_CREATED.test(text)) {
    return ['国家级', '省级'].map((level) => ({ kind, count: 1, text: `${level}集群`, ...factsOf(`${level}集群`) }));
  }
  // "这两个县各牵头办了一场": one event for each organiser counted; "四个县各成功申报了1个省级集群" one cluster each.
  if ((kind === 'event' || kind === 'cluster') && markers.length === 1 && markers[0].count === 1) {
    const each = EACH_ORGANISER.exec(text.slice(Math.max(0, markers[0].at - 16), markers[0].at));
    const organisers = each ? (/^\d/.test(each[1]) ? Number(each[1]) : parseNumeral(each[1])) : undefined;
    if (organisers !== undefined && organisers > 1 && organisers <= 50) return [{ kind, count: organisers, text: '', facts: {}, looseYuan: [] }];
  }
  // "四个县各成功申报了1个省级集群": the places counted first, then one cluster each.
  if (kind === 'cluster' && markers.length === 2 && markers[1].count === 1 && PLACES_COUNTED.test(text.slice(markers[0].end))
    && /各/.test(text.slice(markers[0].end, markers[1].at))) {
    const segment = text.slice(markers[1].at, sentenceEnd(text, markers[1].end));
    return [{ kind, count: markers[0].count, text: segment, ...factsOf(segment) }];
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
    && (ALL_OF_THEM.test(text.slice(last.end)) || ASKED_OF_THEM.test(text.slice(last.end)) || /这些?\s*$/.test(text.slice(0, last.at)))) markers.pop();
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

/** The words of a question outside its groups' own: what every group shares. */
export function sharedText(text: string, groups: readonly SubjectGroup[]): string {
  let out = text;
  for (const g of groups) if (g.text) out = out.replace(g.text, ' ');
  return out;
}

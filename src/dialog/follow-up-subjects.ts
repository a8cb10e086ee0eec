import type { FactValue } from '../../policy/index.js';
import type { Nlu, Parse } from '../nlu/index.js';
import { numberMentions, parseNumeral } from '../nlu/numbers.js';
import { RELATED_COMPANY } from '../nlu/subject-names.js';
import type { SubjectGroup, SubjectKind } from '../nlu/subjects.js';

/** A group of subjects an earlier turn counted, with every fact it had (its own over the shared). */
export interface RememberedGroup {
  count: number;
  facts: Record<string, FactValue>;
  text: string;
}

/** The groups of the kind a measure counts, as a turn's answer evaluated them, for later turns. */
export function rememberedGroups(p: Parse, kind: SubjectKind | undefined): RememberedGroup[] | undefined {
  const subjects = kind ? p.subjects[kind] : undefined;
  if (!subjects?.groups.length) return undefined;
  return subjects.groups.map((g) => ({ count: g.count, facts: { ...subjects.shared, ...g.facts }, text: g.text }));
}

const N = '([一二两三四五六七八九十]+|\\d+)';
// "三个都是省级", "两家全是": what follows a count is said of every one of them.
const ALL_OF_THEM = new RegExp(`${N}\\s*(?:个|家|场|间)\\s*(?:都|全|均)`);
// "还有两家子公司", "另一家", "另外一场", "又拉了一家": subjects added to those already counted,
// by the measure word of the kind ("还有一个信息化系统" adds an amount, "再加一家银行" attendance).
const COUNTED_AS: Record<SubjectKind, string> = {
  enterprise: '(?:家|间|个(?=[^，,。]{0,3}(?:厂|公司|企业|单位|朋友|客户)))(?!银行|金融)',
  event: '场',
  cluster: '个',
};
// ("另外那场", "还有个分公司": one, without a figure.)
const addedPattern = (kind: SubjectKind) => new RegExp(`(?:还有|另外|另|又|再)[^\\d一二两三四五六七八九十，,。.]{0,3}?(?:${N}|(?<=另外|另)[那这]|(?<=还有)(?=个))\\s*${COUNTED_AS[kind]}`);
// "其中一家是复核", "其中3家非工信企业", "80万那家", "另一家是2023年评的": one part of the earlier count.
// "有一场其实只来了25家企业": one of them, told apart by what follows.
const PART = new RegExp(`(?:其中|(?<![还另又])有(?=[一二两三四五六七八九十\\d]))${N}?\\s*(?:家|个|间|场)|另一(?:家|个|间|场)|(?:那|那么)?([^\\s,，。]{1,6}?)那(?:家|个|间|场)`);
// "还有一家也评上了": like the ones before.
// (嘛, 攏: Minnan 也, 都.)
const SAME = /一样|同样|相同|[也嘛](?:是|都|攏|评|认定|首次|第一次|头一回|头回|拿|被|获|入选|成功|创建)/;

// A turn that starts by naming another enterprise of the group ("兄弟公司…", "还有我们子公司…").
// ("那我们做生产的那家子公司呢": described first, by what it does.)
const RELATIVE_LEADS = new RegExp(`^(?:那|还有|另外)?(?:我们|阮|咱们?)?(?:的|兜|[^，,。\\s\\d]{1,6}的(?:那家)?)?(?:${RELATED_COMPANY}|关联公司|姐妹公司)`);
// "C公司是做贸易的", "其中子公司是做贸易的", "兄弟公司那边是复核": one enterprise named before, by its name.
// ("不对 c其实也是去年评上的": a letter alone, after a correction's words.)
// ("那要是乙其实是复核的呢": asked as a supposition too.)
const NAMED_LEAD = new RegExp(`^(?:[哦啊噢嗯喔]?对了?|等下|等等|其中|不过|但是?|另外|不对|错了|更正|更正一下|歹势|那?(?:要是|如果|假如|假设))?[\\s,，]*(?:其中)?(?:的)?(${RELATED_COMPANY}|[a-f](?:公司|企业|厂)|[a-f](?![a-z])|[甲乙丙丁](?:公司|企业|厂)?)`);
// "不对 是三家": the total said again, corrected.
const TOTAL_CORRECTED = new RegExp(`(?:不对|错了|等下|等等|其实|应该|说错了|搞错了)[\\s,，]*(?:是|有|一共|总共)${N}\\s*(?:家|个|间|场)`);
// "B公司", "C厂": firms named by a letter.
const LETTER_NAMED = /(?<![a-z])([a-f])(?:公司|企业|厂)/g;
// "那两家呢": the ones just added, by their count.
const THOSE = new RegExp(`(?:那|这)${N}\\s*(?:家|个|场)(?:呢|的话|怎么算|多少|能拿多少)?[?？\\s]*$`);
// "那两家里有一家…": the part counted by that number, before what is said of some of it.
// ("省级那两个有一个没评上" too.)
const WITHIN = new RegExp(`(?:那|这)${N}\\s*(?:家|个|场|间)(?:里|里面|里头|中|当中|之中)?\\s*$`);
// "不对 一个是国家级的": some of those counted before, then what they are.
const SOME_ARE = new RegExp(`(?:^|[\\s,，]|不对|其实|错了)${N}\\s*(?:家|个|间|场)(?:是|其实是|应该是)`);
// "第二场", "第三家": one of the parts by its place.
const ORDINAL = new RegExp(`第${N}\\s*(?:场|家|个|间)`);

const countOf = (s: string | undefined): number => (s === undefined ? 1 : /^\d/.test(s) ? Number(s) : parseNumeral(s) ?? 1);

/**
 * The subjects a follow-up speaks of, read against the earlier turn's: added ones ("还有一个厂是首次
 * 小巨人，省里给了90万") join them; a correction of one part ("不对，其中一家是复核") splits it off with
 * the corrected facts. Undefined when the turn does neither.
 */
export function carriedSubjects(nlu: Nlu, p: Parse, earlier: RememberedGroup[], own: Record<string, FactValue>, kind: SubjectKind, said = '', partFacts?: (text: string) => Record<string, FactValue>): SubjectGroup[] | undefined {
  const text = p.text;
  // ("2023那家其实是2025年": what is said after the words naming a part, not the name's own figure.)
  const saidAfter = (m: RegExpExecArray) => (partFacts ? partFacts(text.slice(m.index + m[0].length)) : {});
  const toGroup = (g: RememberedGroup): SubjectGroup => ({ kind, count: g.count, text: g.text, facts: g.facts, looseYuan: [] });
  const part = PART.exec(text);
  // "其中一家是做贸易的": what is said of one of the subjects counted before sets it apart.
  // (Not when the turn counts its own subjects first: "6家企业…其中4家…" is a question of its own.)
  const ownCount = part !== null && new RegExp(`${N}\\s*${COUNTED_AS[kind]}`).test(text.slice(0, part.index));
  const correcting = p.slots.correction || /其实|更正|等下|等等|漏说/.test(text) || (part !== null && part[0].startsWith('其中') && Object.keys(own).length > 0 && !ownCount);
  // "不对 只有两家是第一次 另一家是前年评的": the earlier count said again in parts, each with its own words.
  const total = earlier.reduce((n, g) => n + g.count, 0);
  // "不对 是一个国家级 另外一个是省级": the earlier total counted again in parts the turn parses itself.
  const ownGroups = p.subjects[kind]?.groups ?? [];
  const ownShared = p.subjects[kind]?.shared ?? {};
  if (correcting && ownGroups.length >= 2 && total > 1 && ownGroups.reduce((n, g) => n + g.count, 0) === total && ownGroups.every((g) => Object.keys(g.facts).length)) {
    const base = earlier.length === 1 ? earlier[0].facts : {};
    return ownGroups.map((g) => ({ ...g, facts: { ...base, ...ownShared, ...g.facts } }));
  }
  // "不对 是三家 漏了一家" after two alike: the total corrected, the one left out like the rest;
  // "等下 是三家 还有一家是做餐饮的": the total corrected by a part with words of its own.
  const recountTo = TOTAL_CORRECTED.exec(text);
  if (recountTo && earlier.length === 1 && countOf(recountTo[1]) > total) {
    const missing = countOf(recountTo[1]) - total;
    const rest = ownGroups.filter((g) => g.count === missing && Object.keys(g.facts).length && !TOTAL_CORRECTED.test(g.text));
    if (rest.length === 1) return [...earlier.map(toGroup), { ...rest[0], facts: { ...earlier[0].facts, ...ownShared, ...rest[0].facts } }];
    if (!Object.keys(own).length) return [{ ...toGroup(earlier[0]), count: countOf(recountTo[1]) }];
  }
  // "B公司和C公司今年首次评上省级专精特新" after A公司's case: firms named for the first time join the ones before.
  const letters = [...text.matchAll(LETTER_NAMED)].map((m) => m[1]);
  // (A list that starts again at A is a question of its own.)
  if (!correcting && letters.length && !letters.includes('a') && ownGroups.length && earlier.length && Object.keys(own).length
    && !letters.some((l) => earlier.some((g) => g.text.includes(l)) || said.includes(l))) {
    return [...earlier.map(toGroup), ...ownGroups.map((g) => ({ ...g, facts: { ...ownShared, ...g.facts } }))];
  }
  // "三个都是省级": said of all the subjects counted before, counted again.
  const allOf = ALL_OF_THEM.exec(text);
  if (allOf && ownGroups.length === 1 && ownGroups[0].count === total && total > 1 && earlier.length > 1 && Object.keys(own).length) {
    // ("国家级那个改报省级了 三个都是省级": the value said after the count, not the one it replaces.)
    const values = valuesIn(nlu, text.slice(allOf.index), own);
    return earlier.map((g) => ({ ...toGroup(g), facts: { ...g.facts, ...values } }));
  }
  const parts = correcting ? recountedParts(text, kind) : [];
  if (parts.length >= 2 && total > 1 && parts.reduce((n, x) => n + x.count, 0) === total) {
    const fields = [...nlu.doc.profileFields, ...nlu.doc.questionFields].map((f) => f.field);
    const base = earlier.length === 1 ? earlier[0].facts : {};
    const factsOf = partFacts ?? ((t: string) => nlu.factsFor(t, fields));
    return parts.map((x) => ({ kind, count: x.count, text: x.text, facts: { ...base, ...factsOf(x.text) }, looseYuan: [] }));
  }
  // "第二场其实后来又来了三家企业", "第一场其实是29家": one of the parts counted one by one, by its place.
  const ordinal = ORDINAL.exec(text);
  const place = ordinal ? countOf(ordinal[1]) - 1 : -1;
  const counted = earlier.reduce((n, g) => n + g.count, 0);
  // "第二家呢", "24年那家呢", "小巨人那块单独算多少": one of the parts, asked about alone.
  const asked = correcting ? undefined : askedPart(nlu, text, earlier, saysNothingNew(own, earlier));
  if (asked) return [asked].map(toGroup);
  // "第三场只来了3家银行" after two: one more, with its own facts (an event's attendance is its own).
  if (ordinal && place === counted && place > 0 && !correcting && Object.keys(own).length) {
    const like = kind === 'event' ? {} : earlier[earlier.length - 1].facts;
    return [...earlier, { count: 1, facts: { ...like, ...own }, text }].map(toGroup);
  }
  // "第二场银行其实只有4家" after "两场 每场…": one of a group counted together.
  if (ordinal && earlier.length === 1 && place > 0 && place < earlier[0].count && (Object.keys(own).length || !p.isQuestion)) {
    const [group] = earlier;
    return [{ ...group, count: group.count - 1 }, { count: 1, facts: { ...group.facts, ...own }, text }].map(toGroup);
  }
  // ("第三场改到明年一月份了": told of the part without a new fact, its words now say so too, as its date.)
  if (ordinal && earlier.length > 1 && earlier.every((g) => g.count === 1) && place >= 0 && place < earlier.length && (Object.keys(own).length || !p.isQuestion)) {
    const target = earlier[place];
    return earlier.map((g, i) => (i === place ? { ...g, facts: withAdded(nlu, text, target.facts, own), text: Object.keys(own).length ? g.text : `${g.text} ${text}` } : g)).map(toGroup);
  }
  // "不对不对 省级的就一个": a level's count corrected, for the one part at that level.
  // ("省级的漏了一个 是三个": a count said to have left one out is a correction of it too.)
  const recount = correcting || LEFT_OUT.test(text) ? LEVEL_RECOUNT.exec(text) : null;
  // (A level's count, not a figure: "实际到场就二十家" recounts attendance, not the events.)
  const levelFacts = Object.entries(own).filter(([f]) => !['count', 'yuan'].includes(nlu.doc.fieldKind(f) ?? ''));
  if (recount && levelFacts.length === 1) {
    const [field, value] = levelFacts[0];
    const at = earlier.flatMap((g, i) => (g.facts[field] === value ? [i] : []));
    if (at.length === 1) return earlier.map((g, i) => (i === at[0] ? { ...g, count: countOf(recount[1]) } : g)).map(toGroup);
  }
  // "省级的是25年认定的" after firms at two levels: said of every firm at that level.
  // (Not "省级的有两家是2024年的": some of them; not "创新型的市里不奖吗": nothing said of them but the level.)
  const atLevel = kind === 'enterprise' && earlier.length > 1 && !part && Object.keys(own).some((f) => nlu.doc.fieldKind(f) !== 'tier') ? groupAtLevel(nlu, text, earlier) : -1;
  if (atLevel >= 0) return earlier.map((g, i) => (i === atLevel ? { ...g, facts: { ...g.facts, ...own } } : g)).map(toGroup);
  // "C公司是做批发贸易的", "啊对 兄弟公司是做贸易的": what is said of an enterprise named before is said of it alone.
  // ("闽侯其实是国家级的": a cluster named by its district.)
  const lead = !Object.keys(own).length ? null : kind === 'enterprise' ? NAMED_LEAD.exec(text) : kind === 'cluster' && !p.subjects.cluster ? districtLead(nlu, text) ?? LEVEL_LEAD.exec(text) : null;
  // ("我们公司和子公司都…" then "子公司是做批发的": one of a group counted together, named in the words before.)
  const together = earlier.length === 1 && earlier[0].count > 1 && !earlier[0].text && said.includes(lead?.[1] ?? '\u0000') ? 0 : -1;
  // (A letter alone names the part its words start with: "c前年…", not any words holding a "c".)
  const names = (g: RememberedGroup) => (/^[a-f]$/.test(lead![1]) ? g.text.trimStart().startsWith(lead![1]) : g.text.includes(lead![1]));
  const namedAt = lead ? Math.max(earlier.findIndex(names), together) : -1;
  if (lead && namedAt >= 0 && !addedPattern(kind).test(text)) {
    const target = earlier[namedAt];
    const split: RememberedGroup[] = [...(target.count > 1 ? [{ ...target, count: target.count - 1 }] : []), { count: 1, facts: { ...target.facts, ...own }, text }];
    return [...earlier.slice(0, namedAt), ...split, ...earlier.slice(namedAt + 1)].map(toGroup);
  }
  // "24年那家今年升了小巨人…": what is said of a part named by what was said of it is said of it alone.
  const namedPart = part?.[2] !== undefined && Object.keys(own).length ? namedGroup(nlu, part[2], earlier) : -1;
  // "那两家里有一家是做物流的": one of the part counted by that number.
  const within = part && Object.keys(own).length ? WITHIN.exec(text.slice(0, part.index)) : null;
  const sized = within ? earlier.flatMap((g, i) => (g.count === countOf(within[1]) ? [i] : [])) : [];
  const withinPart = sized.length === 1 ? sized[0] : -1;
  if ((correcting || namedPart >= 0 || withinPart >= 0) && part && earlier.length) {
    const n = countOf(part[1]);
    // "80万那家": the group whose facts include that figure; "另一家": the last; else the largest.
    const at = part[2] !== undefined ? namedGroup(nlu, part[2], earlier) : withinPart;
    const index = at >= 0 ? at : part[0].startsWith('另') ? earlier.length - 1 : earlier.reduce((best, g, i) => (g.count > earlier[best].count ? i : best), 0);
    const target = earlier[index];
    if (target.count < n) return undefined;
    const split: RememberedGroup[] = [
      ...(target.count > n ? [{ ...target, count: target.count - n }] : []),
      { count: n, facts: withAdded(nlu, text, target.facts, { ...own, ...saidAfter(part) }), text: text },
    ];
    return [...earlier.slice(0, index), ...split, ...earlier.slice(index + 1)].map(toGroup);
  }
  // "前天那场呢 45家企业7家银行" after another event's attendance: an event named anew, with its own attendance, is one more.
  const attendance = Object.keys(own).filter((f) => nlu.doc.fieldKind(f) === 'count');
  if (kind === 'event' && !correcting && part?.[2] !== undefined && namedPart < 0 && earlier.length && attendance.length
    && earlier.every((g) => attendance.every((f) => g.facts[f] !== undefined))) {
    return [...earlier, { count: 1, facts: own, text }].map(toGroup);
  }
  // "再加上马尾国家级的": a cluster added by its district, counted one ("鼓楼那边也成了一个省级的 加上一共": or as counted).
  const clusters = new RegExp(`${N}\\s*个`).exec(text);
  if (kind === 'cluster' && !correcting && earlier.length && /再加上|加上|还有|另外|再加/.test(text) && (!clusters || countOf(clusters[1]) === 1) && Object.keys(own).length) {
    return [...earlier, { count: 1, facts: own, text }].map(toGroup);
  }
  // "不对 一个是国家级的" after two alike: that many of them, with what the turn says of them.
  const someAre = correcting && earlier.length === 1 ? SOME_ARE.exec(text) : null;
  if (someAre && countOf(someAre[1]) < earlier[0].count && Object.keys(own).length) {
    const [group] = earlier;
    const n = countOf(someAre[1]);
    return [{ ...group, count: group.count - n }, { count: n, facts: withAdded(nlu, text, group.facts, own), text }].map(toGroup);
  }
  // "兄弟公司25年首次评上省级专精特新 也是工业企业": one more enterprise, named by how it is related, with facts of its own.
  if (kind === 'enterprise' && !correcting && earlier.length && RELATIVE_LEADS.test(text) && Object.keys(own).length >= 2
    && !new RegExp(`${N}\\s*${COUNTED_AS[kind]}`).test(text)) {
    // ("…子公司呢 也是去年头一次认定": at the same level as the one before, unless it names its own.)
    const tierField = nlu.doc.profileFields.find((f) => f.kind === 'tier')?.field;
    const level = SAME.test(text) && tierField && own[tierField] === undefined ? earlier[earlier.length - 1].facts[tierField] : undefined;
    return [...earlier, { count: 1, facts: level !== undefined && tierField ? { [tierField]: level, ...own } : own, text }].map(toGroup);
  }
  const added = addedPattern(kind).exec(text);
  // "办了两场…下半年又一场": a turn that counts before it adds is a question of its own,
  // unless what it counts is the ones before and the one added ("两家都是 另一家也是首次…").
  const countedBefore = added ? new RegExp(`${N}\\s*${COUNTED_AS[kind]}`).exec(text.slice(0, added.index)) : null;
  const totalAgain = countedBefore !== null && countOf(countedBefore[1]) === total + countOf(added![1]);
  // ("搞了两场 一场来了32家企业6家银行 另一场25家企业8家银行": the turn's own list, each part with its figures.)
  const ownList = countedBefore !== null && ownGroups.length >= 2 && ownGroups.every((g) => Object.keys(g.facts).length)
    && ownGroups.reduce((n, g) => n + g.count, 0) === countOf(countedBefore[1]);
  if (!added || correcting || (countedBefore && !totalAgain) || ownList) return undefined;
  const base = earlier.length ? earlier : [];
  const like = SAME.test(text) ? base[base.length - 1]?.facts ?? {} : {};
  const newGroup: RememberedGroup = { count: countOf(added[1]), facts: { ...like, ...own }, text };
  if (!Object.keys(newGroup.facts).length) return undefined;
  // "还有两家子公司也是去年头回认定的 那两家呢": the ones just added, asked about alone.
  const those = THOSE.exec(text);
  if (those && base.length && countOf(those[1]) === newGroup.count) return [newGroup].map(toGroup);
  return [...base, newGroup].map(toGroup);
}

/** The turn's facts, each enum field read again in part of its words (where it names a value there). */
function valuesIn(nlu: Nlu, words: string, facts: Record<string, FactValue>): Record<string, FactValue> {
  const cues = nlu.lexicon.fieldCues;
  return Object.fromEntries(Object.entries(facts).map(([field, value]) => {
    const def = nlu.doc.field(field) ?? nlu.doc.questionFields.find((f) => f.field === field);
    const values = def && 'values' in def ? (def.values as string[] | undefined) : undefined;
    return [field, values?.find((v) => (cues[`${field}.${v}`] ?? []).some((w) => words.includes(w))) ?? value];
  }));
}

/** A part's facts under what a turn says of it: "又来了三家企业" adds to its count, anything else replaces. */
function withAdded(nlu: Nlu, text: string, before: Record<string, FactValue>, own: Record<string, FactValue>): Record<string, FactValue> {
  const adds = nlu.lexicon.countAddCues.some((w) => text.includes(w));
  const facts = { ...before };
  for (const [field, value] of Object.entries(own)) {
    const was = before[field];
    facts[field] = adds && typeof was === 'number' && typeof value === 'number' && nlu.doc.fieldKind(field) === 'count' ? was + value : value;
  }
  return facts;
}

/** The counts of a kind a turn names ("两家…另一家…"), each with its words up to the next. */
// ("国家级只有一个 另外两个是省级": each count in a clause of its own, with the words before it too.)
function recountedParts(text: string, kind: SubjectKind): { count: number; text: string }[] {
  const counted = new RegExp(`(?:另)?${N}\\s*${COUNTED_AS[kind]}`, 'g');
  const found = [...text.matchAll(counted)];
  const clauses = text.split(/[\s,，。;；]+/).filter((c) => new RegExp(counted.source).test(c));
  if (clauses.length === found.length && clauses.every((c) => [...c.matchAll(counted)].length === 1)) {
    return clauses.map((c) => ({ count: countOf(new RegExp(counted.source).exec(c)![1]), text: c }));
  }
  return found.map((m, i) => ({ count: countOf(m[1]), text: text.slice(m.index, found[i + 1]?.index ?? text.length) }));
}

/** "80万" for 800000: how people name an enterprise by its award. */
function shortAmount(yuan: number): string {
  return yuan >= 10_000 && yuan % 10_000 === 0 ? `${yuan / 10_000}万` : String(yuan);
}

// "第二家呢", "第三场单独多少": a part by its place, asked about and told nothing new.
const ORDINAL_ASKED = new RegExp(`^(?:那|那么)?第${N}\\s*(?:场|家|个|间)(?:呢|的话|单独|能拿|拿多少|多少|怎么算|咋算|算|的|为啥|为什么|怎么|咋|不行|没有|不够|[?？\\s])*$`);
const ORDINAL_LEAD = new RegExp(`^(?:那|那么)?第${N}\\s*(?:场|家|个|间)(?:呢|[^，,。]{0,14}(?:吗|呢|算|没有|不行|哪|啥|什么|奖|拿|补|[?？])$)`);
// "24年那家呢", "刚评那家单独多少", "小巨人那块": a part by what was said of it.
const NAMED_ASKED = /^(?:那|那么)?([^\s,，。]{1,8}?)那(?:家|个|间|场|块|笔)(?:呢|的话|单独|能拿|拿多少|多少|怎么算|咋算|算|的|为啥|为什么|怎么|咋|不行|没有|不够|[?？\s])*$/;
// ("给三十万那家 市里配多少", "复核那家一分都没有吗": a few more words of asking, nothing said of it.)
const NAMED_LEAD_ASKED = /^(?:那|那么|只算|单算|光算)?([^\s,，。]{1,8}?)那(?:家|个|间|场|块|笔)[^\d，,。]{0,10}$/;

// "丙为啥没有", "b公司呢": a part by its letter.
// ("c一分都没有?" too: a few words of asking, no figure, nothing said of it.)
const LETTER_ASKED = /^(?:那|那么|只算|单算|光算)?([甲乙丙丁戊]|[a-f])(?:公司|企业|厂|那家)?(?=呢|为|怎|咋|能|多|单|没|不行|不能|一分|的话|市里|市级|区里|可以|拿|配|奖|补|$)[^\d，,。]{0,8}$/;

const LEFT_OUT = /漏了|漏说|漏掉|少说了|少算了/;
const LEVEL_RECOUNT = new RegExp(`(?:就|只有|只|才|其实是|应该是|是)\\s*${N}\\s*(?:个|家|场)`);
// "省级的是25年认定的", "小巨人那几家": firms named by their level at the start of a turn.
const ENTERPRISE_LEVEL_LEAD = /^(?:那|哦|啊|对了|不对|其实)?[\s,，]*([^\s,，的那]{2,6}?)(?:的|那些|那几家|那批)/;

/** The one earlier group of enterprises at the level a turn starts by naming, else -1. */
function groupAtLevel(nlu: Nlu, text: string, earlier: RememberedGroup[]): number {
  const word = ENTERPRISE_LEVEL_LEAD.exec(text)?.[1];
  const tierField = nlu.doc.profileFields.find((f) => f.kind === 'tier')?.field;
  const tier = word && nlu.doc.tiers.find((t) => t.id !== 'none' && [...t.aliases, ...t.answerAliases].includes(word))?.id;
  if (!tier || !tierField) return -1;
  const at = earlier.flatMap((g, i) => (g.facts[tierField] === tier ? [i] : []));
  return at.length === 1 ? at[0] : -1;
}

// "省级的刚刚公示通过了": a cluster named by its level.
const LEVEL_LEAD = /^(?:那|哦|啊|对了|不对)?[\s,，]*(国家级|省级)/;

/** The district a turn starts with ("闽侯其实是国家级的"), as a match of the name. */
function districtLead(nlu: Nlu, text: string): [string, string] | null {
  const t = text.replace(/^(?:那|哦|啊|对了|不对)[\s,，]*/, '');
  const d = nlu.lexicon.districts.find((x) => t.startsWith(x));
  return d ? [d, d] : null;
}

/** Whether a follow-up asks about one part alone ("第二家呢"): the conversation still has all of them. */
export function asksOnePart(nlu: Nlu, p: Parse, earlier: RememberedGroup[] | undefined): boolean {
  return !!earlier && !p.slots.correction && askedPart(nlu, p.text, earlier, saysNothingNew(p.slots.facts, earlier)) !== undefined;
}

/** Whether a turn's facts only name parts told before ("给三十万那家", "复核那家"), telling nothing new. */
function saysNothingNew(own: Record<string, FactValue>, earlier: RememberedGroup[]): boolean {
  return Object.entries(own).every(([f, v]) => earlier.some((g) => g.facts[f] === v));
}

/**
 * "第一场企业60家银行九家 第二场企业32家银行只有4家 第二场那个能不能奖": the part the question's last
 * clause asks about, among the parts the same message counts (a clause that only asks is no part).
 */
export function partAskedInTurn(nlu: Nlu, text: string, groups: RememberedGroup[]): { asked: RememberedGroup; parts: RememberedGroup[] } | undefined {
  const last = text.trim().split(/[\s,，。;；]+/).at(-1);
  // (By its place only: "小巨人那家怎么算" beside a total asked, "复核那家还有没有份", ask of all of them too.)
  if (!last || !/^(?:那|那么)?第/.test(last) || nlu.lexicon.statedTotalCues.some((w) => text.includes(w))) return undefined;
  const parts = groups.filter((g) => !(g.text.includes(last) && !Object.keys(g.facts).length));
  const asked = askedPart(nlu, last, parts, true);
  return asked ? { asked, parts } : undefined;
}

/** The one part of several a follow-up asks about alone, by its place or by what was said of it. */
function askedPart(nlu: Nlu, text: string, earlier: RememberedGroup[], saysNothing: boolean): RememberedGroup | undefined {
  if (earlier.length < 2) return undefined;
  const t = text.trim();
  // ("第三场刚好三十家也算?": a few more words that give no new fact ask about it too.)
  const ordinal = ORDINAL_ASKED.exec(t) ?? (saysNothing ? ORDINAL_LEAD.exec(t) : null);
  if (ordinal) {
    const place = countOf(ordinal[1]) - 1;
    return earlier.every((g) => g.count === 1) ? earlier[place] : undefined;
  }
  // "那两家呢" after "一家…两家…": the part of that count.
  const those = THOSE.exec(t);
  if (those) {
    const sized = earlier.filter((g) => g.count === countOf(those[1]));
    return sized.length === 1 ? sized[0] : undefined;
  }
  const named = NAMED_ASKED.exec(t)?.[1] ?? (saysNothing ? LETTER_ASKED.exec(t)?.[1] ?? NAMED_LEAD_ASKED.exec(t)?.[1] : undefined);
  return named ? earlier[namedGroup(nlu, named, earlier)] : undefined;
}

/**
 * The one part named by what was said of it: "刚评那家" by its words, "80万那家" by its amount,
 * "24年那家" by its year, "小巨人那块" by its level. -1 when none or several fit.
 */
function namedGroup(nlu: Nlu, named: string, earlier: RememberedGroup[]): number {
  if (nlu.lexicon.talkWords.includes(named)) return -1;
  const only = (fits: (g: RememberedGroup) => boolean) => {
    const found = earlier.flatMap((g, i) => (fits(g) ? [i] : []));
    return found.length === 1 ? found[0] : -1;
  };
  // ("投二百九那家": a bare figure names an amount in 万, as the asker said it before.)
  const amounts = numberMentions(named).flatMap((m) => (m.kind === 'yuan' ? [m.value] : m.kind === 'bare' ? [m.value * 10_000] : []));
  // (A count names a part with its measure word: "银行8家那场", not "8月那场".)
  const names = (f: string, v: number) => (nlu.doc.fieldKind(f) === 'yuan' ? named.includes(shortAmount(v)) || amounts.includes(v) : named.includes(`${v}家`));
  const byAmount = only((g) => Object.entries(g.facts).some(([f, v]) => typeof v === 'number' && names(f, v)));
  if (byAmount >= 0) return byAmount;
  const byWords = only((g) => g.text.includes(named));
  if (byWords >= 0) return byWords;
  const said = Object.entries(nlu.factsFor(named, [...nlu.doc.profileFields, ...nlu.doc.questionFields].map((f) => f.field)));
  return said.length ? only((g) => said.every(([f, v]) => g.facts[f] === v)) : -1;
}


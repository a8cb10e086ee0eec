import { evaluateRules, type FactValue } from '../../policy/index.js';
import { CLARIFY, FALLBACK, SURELY_OUTSIDE, type Nlu, type Parse } from '../nlu/index.js';
import type { SubjectKind } from '../nlu/subjects.js';
import { parseNumeral } from '../nlu/numbers.js';
import { timeReference } from '../nlu/time-reference.js';
import { measuresWithFacts, todayIn } from './answers.js';
import {
  bestMeasureIntent, contextualFacts, countedSubjects, endsConfirming, STATED_TOTAL, fieldsOfMeasure, followUpCount, kindOf, leansOnContext, littleElse,
  replacedFigures, shortQuestionInContext, withSharedFacts,
} from './follow-up-reading.js';
import { asksOnePart, carriedSubjects, partAskedInTurn, rememberedGroups, type RememberedGroup } from './follow-up-subjects.js';

/** What a conversation last asked: a follow-up ("那省级的呢", "这个归谁管") leans on it. */
export interface AskedQuery {
  intent: string;
  measures: string[];
  facts: Record<string, FactValue>;
  at: number;
  /** Turns since the query was last asked or refined. */
  turns: number;
  /** The subjects the answer counted, when it counted any ("两家子公司…"). */
  subjects?: RememberedGroup[];
  /** The words that last gave facts: they name the asker's own enterprise in a later count. */
  said?: string;
  /** Measures answered beside the query's own ("…还牵头办了场对接会"), for a later turn's facts of them. */
  alongside?: string[];
  /** Asked of another place's policy: only a turn that names this city leans on it ("那福州的呢"). */
  elsewhere?: boolean;
  /** The facts before a turn changed the topic's level ("省级集群奖多少" → "那国家级的呢"): "两个都有" counts both. */
  levelBefore?: Record<string, FactValue>;
}

export interface ConversationContext {
  last?: AskedQuery;
  /** The query before the last, for "回到刚才那个". */
  previous?: AskedQuery;
  /** When the list of measures was last shown: "第二个呢" then means its second item. */
  listedAt?: number;
}

export interface ContextLimits {
  maxAgeMs: number;
  maxTurns: number;
}

/** Whether the query is still fresh enough to lean on. */
function usable(q: AskedQuery | undefined, now: number, limits: ContextLimits): q is AskedQuery {
  return !!q && now - q.at <= limits.maxAgeMs && q.turns < limits.maxTurns;
}

export interface Resolved {
  parse: Parse;
  /** The facts the answer uses: the query's facts under this turn's own. */
  facts: Record<string, FactValue>;
  /** The query to remember after this turn, or undefined to leave the context as it is. */
  remember?: AskedQuery;
  backTo?: boolean;
}

/** A turn read against the query it may lean on: what it gives and how it asks. */
interface Reading {
  p: Parse;
  target: AskedQuery;
  targetMeasure: string;
  backTo: boolean;
  own: Record<string, FactValue>;
  /** Values only the query's measure gives a meaning ("那省级的呢" after a cluster question). */
  extra: Record<string, FactValue>;
  hasOwnFacts: boolean;
  elliptical: boolean;
  /** A short measure question ("怎么申请") leans on context; a short out-of-scope one does not. */
  short: boolean;
  counted: number | undefined;
  measureIntent: { label: string; probability: number } | undefined;
  isMeasureIntent: boolean;
  named: string[];
  /** "小巨人呢" after a 技改 question gives a value of the query's own fields: not a new topic. */
  givesOwnFields: boolean;
  /** "又拉了一家": a count of something, which leans on the question even where its rules count nothing. */
  countsSomething: boolean;
  /** "在福清开的也算吧": a place in Fuzhou, said of the case before. */
  namesDistrict: boolean;
  /** "B那家咋算的", "第二场呢": one of the parts counted before, asked about. */
  asksPart: boolean;
  /** "含增值税吗" after a 技改 question: a short turn in the words of the query's own measure. */
  inMeasureWords: boolean;
  /** "多少钱", "金额呢", "找谁": a measure question's own cue words and hardly anything else. */
  asksAspect: boolean;
}

function readingOf(nlu: Nlu, p: Parse, target: AskedQuery, backTo: boolean): Reading {
  const targetMeasure = target.measures[0];
  const own = p.slots.facts;
  const given = contextualFacts(nlu, targetMeasure, p.text);
  const readsFigures = Object.keys({ ...own, ...given }).some((f) => ['count', 'yuan'].includes(nlu.doc.fieldKind(f) ?? ''));
  const extra = readsFigures ? given : { ...replacedFigures(nlu, p.text, target.facts), ...given };
  // A measure named only by words the query's own measure also uses is no other measure.
  const named = p.measures.length && !(targetMeasure && !p.measures.includes(targetMeasure) && wordsOfMeasure(nlu, p.text, targetMeasure)) ? p.measures : [];
  const namedByTopic = named.filter((m) => !p.levelOnly.includes(m));
  return {
    p, target, targetMeasure, backTo, own, extra, named,
    hasOwnFacts: Object.keys(own).length + Object.keys(extra).length > 0,
    // "B那家咋算的", "第二场呢": one of the parts counted before, asked about.
    elliptical: leansOnContext(nlu, p) || backTo || p.slots.correction,
    asksPart: asksOnePart(nlu, p, target.subjects),
    short: p.text.replace(/[\s,.;!?，。？！]+/g, '').length <= 8,
    inMeasureWords: !!targetMeasure && wordsOfMeasure(nlu, p.text, targetMeasure),
    asksAspect: asksAspectOnly(nlu, p),
    counted: followUpCount(nlu, p.text, targetMeasure),
    measureIntent: bestMeasureIntent(p, nlu.intentScopes),
    isMeasureIntent: nlu.intentScopes.get(p.intent) === 'measure',
    givesOwnFields: Object.keys(extra).length > 0 && (namedByTopic.every((m) => m === targetMeasure) || littleElse(nlu, p.text)),
    countsSomething: p.slots.numbers.some((n) => n.kind === 'count'),
    namesDistrict: nlu.lexicon.districts.some((d) => p.text.includes(d)),
  };
}

/** A confident global question ("有效期到什么时候") or a request for the check is not a follow-up. */
function isOwnGlobalQuestion(nlu: Nlu, r: Reading): boolean {
  const { p, measureIntent } = r;
  if (r.isMeasureIntent || p.intent === FALLBACK || p.intent === CLARIFY) return false;
  // "那省里的呢" after a cluster question: a value of the query's own fields and little else.
  if (r.givesOwnFields && littleElse(nlu, p.text)) return false;
  // "我记错了 是25年1月": a correction of the query's own facts, whatever the model makes of the date.
  if (r.givesOwnFields && p.slots.correction) return false;
  const scopes = nlu.intentScopes;
  const social = p.intent === 'greeting' || p.intent === 'thanks' || p.intent === 'help';
  const likelyMeasure = measureIntent !== undefined && measureIntent.probability >= 0.15;
  const weakGlobal = p.intent === 'eligibility.start'
    ? !p.asksForCheck
    : social
      ? p.confidence < 0.6 || r.hasOwnFacts
      : p.confidence < 0.5 || ((likelyMeasure || p.cueIntents.some((i) => scopes.get(i) === 'measure')) && (r.elliptical || r.short));
  // "我们现在组了4家" after a question on 抱团参展.
  // ("投二百九那家是不是就没戏了": one of the parts counted before, asked about.)
  const leaning = r.hasOwnFacts || r.elliptical || r.asksPart || r.counted !== undefined || (r.short && (likelyMeasure || r.countsSomething));
  return !weakGlobal || !leaning;
}

/**
 * "那工业用地一亩多少钱", "那这10万要交企业所得税吗" after a measure question: the model is sure the
 * turn is out of scope, and the turn says more than a level's name and gives the query nothing.
 */
function confidentlyOutside(nlu: Nlu, r: Reading): boolean {
  const { p } = r;
  const outside = nlu.lexicon.outsideCues.some((w) => p.text.includes(w));
  // Words of another domain ("那这30万要交税吗") are out of scope whatever figure they point back at;
  // a new figure keeps the turn on the query ("发票是含税的 不含税是280万").
  // "个税呢" is short, but it names another domain: it is not a level's name and little else.
  // ("工信部对国家级集群本身有没有资金": a level named in another domain's question, the model sure of it, is no fact given.)
  // ("含增值税吗" after a 技改 question: whether the query's own amount counts VAT; "要带啥资料": an aspect
  // of the query's measure and nothing else. Either, however sure the model is.)
  const sure = p.intent === FALLBACK && p.confidence >= SURELY_OUTSIDE && !(r.short && (asksQueryVat(nlu, r) || r.asksAspect));
  // ("等下 增值税专票开错了怎么处理": a correction's words that correct nothing of the query.)
  const correctsQuery = p.slots.correction && (Object.keys(r.own).length > 0 || p.slots.numbers.length > 0);
  if (outside) return !r.backTo && !correctsQuery && (!Object.keys(r.own).length || FIGURE_BACK.test(p.text) || sure);
  // "在福清开的也算吧": a place in Fuzhou keeps the turn on the question before it (an amount asked there,
  // "那高新区租金多少一平", by the amount question's own cue words, does not).
  const here = r.namesDistrict && !p.cueIntents.includes(AMOUNT_INTENT);
  // ("实验室检测一个样多少钱", "标摊多少钱一个": a count the model is sure is not of the query's subjects.)
  return p.intent === FALLBACK && p.confidence >= OUTSIDE_CONFIDENCE && !here && !r.asksPart && !r.backTo && !p.slots.correction && r.counted === undefined && (!r.countsSomething || sure)
    // ("那就是总共五十万了": the answer's total said back.)
    && !Object.keys(r.extra).length && !Object.keys(r.own).length && !littleElse(nlu, p.text) && !POINTS_BACK.test(p.text) && !STATED_TOTAL.test(p.text)
    // "含增值税吗" after a 技改 question: a short turn in the query's measure's own words, unless the model is sure.
    && (sure || !(r.short && (r.inMeasureWords || r.asksAspect)));
}
const OUTSIDE_CONFIDENCE = 0.6;

/** Whether a turn names VAT ("含税", "含增值税") of a measure whose amounts are counted without it. */
function asksQueryVat(nlu: Nlu, r: Reading): boolean {
  const { grossCues, netCues, additiveFields } = nlu.lexicon;
  return [...grossCues, ...netCues].some((w) => r.p.text.includes(w)) && [...fieldsOfMeasure(nlu, r.targetMeasure)].some((f) => additiveFields.includes(f));
}

/** "多少钱", "金额呢", "找谁": a measure question's own cue words and hardly anything else. */
function asksAspectOnly(nlu: Nlu, p: Parse): boolean {
  // (Counted as typed: "要带啥资料" is five characters, though normalised to "要带什么资料".)
  const bare = p.raw.replace(/[\s,.;!?，。？！、呢吗啊呀哦]+/g, '');
  return bare.length <= 5 && p.cueIntents.some((i) => nlu.intentScopes.get(i) === 'measure');
}
const UNITS_INTENT = 'measure.units';
const CONTENT_INTENT = 'measure.content';
const AMOUNT_INTENT = 'measure.amount';
const FREQUENCY_INTENT = 'measure.frequency';
const CONDITIONS_INTENT = 'measure.conditions';
const RULE_ASPECTS = new Set([AMOUNT_INTENT, CONDITIONS_INTENT]);
const TOPICS_COUNTED = ['项', '个'];
// "含税三百万", "是含增值税的": an amount with VAT in it.
const GROSS = /(?<![不无未])含(?:税|增值税|票)/;
const PLACES_COUNTED = /(?:\d+|[一二两三四五六七八九十]+)\s*个\s*(?:区|县|市|地方)/;
// "咋不行", "为啥没有": why a part does not qualify.
const WHY_NOT = /为啥|为什么|凭啥|(?:咋|怎么)(?:不|没)|不行|没有|没份/;
// Questions about the document (its dates, its status) rather than about one measure.
const DOCUMENT_QUESTIONS = new Set(['policy.validity', 'policy.status']);
// "这10万", "那笔三十万": a figure the conversation already has.
const FIGURE_BACK = /[这那]笔?(?:\d|[一二两三四五六七八九十百])/;
// "这钱给企业还是给区里": the money of the query before; "要是拉上另外四家一起去呢": the same case changed.
const POINTS_BACK = /这(?:笔)?钱|这笔|这个钱|这(?:个|项)?(?:奖励|补助|补贴|奖补)|^(?:那)?(?:要是|如果|假如|万一)/;

/**
 * "讲错 上个月已经认定省级专精特新了" after a 技改 question: a level told, not asked, of a measure whose
 * rules read it ("不对 我问的是小巨人" corrects the topic; "是技改补助 投了四百万" brings its own facts).
 */
function tellsLevel(nlu: Nlu, r: Reading): boolean {
  const fields = fieldsOfMeasure(nlu, r.targetMeasure);
  const levelIsFact = [...fields].some((f) => nlu.doc.fieldKind(f) === 'tier');
  const own = Object.keys(r.own);
  const ofTheLevel = own.every((f) => fields.has(f) || ['tier', 'boolean', 'year'].includes(nlu.doc.fieldKind(f) ?? ''));
  const topicCorrected = nlu.lexicon.topicCorrections.some((w) => r.p.text.includes(w));
  return levelIsFact && !r.p.isQuestion && !topicCorrected && ofTheLevel && own.some((f) => nlu.doc.fieldKind(f) === 'tier');
}

/** The measures a correction names instead of the query's, when it asks nothing of its own. */
function correctedTopic(nlu: Nlu, r: Reading): string[] {
  const { p } = r;
  if (tellsLevel(nlu, r)) return [];
  // "不对 我们刚评上省级专精特新" after a 技改 question corrects a fact, not the topic.
  const correcting = nlu.lexicon.topicCorrections.some((w) => p.text.includes(w));
  const named = r.named.length ? r.named : p.mentionedMeasures;
  const asksOwn = r.isMeasureIntent && p.confidence >= 0.5;
  // ("小巨人那家省里是一百万 我报错了" after an answer on a cluster and 小巨人: a fact of one of its measures corrected.)
  const ofQuery = r.hasOwnFacts && named.every((m) => r.target.measures.includes(m) || r.target.alongside?.includes(m));
  return correcting && !asksOwn && !ofQuery && named.length > 0 && !named.includes(r.targetMeasure) ? named : [];
}

/** Facts the query's measure has no use for, or another measure named, start a new topic. */
function startsNewTopic(nlu: Nlu, r: Reading): boolean {
  const { p, targetMeasure } = r;
  if (r.backTo) return false;
  // "省里奖了85w" after a 数字化 question.
  const fields = fieldsOfMeasure(nlu, targetMeasure);
  if (tellsLevel(nlu, r)) return false;
  const foreign = Object.keys(r.own).some((f) => !fields.has(f) && nlu.doc.fieldKind(f) !== 'tier' && nlu.doc.fieldKind(f) !== 'boolean');
  // ("那要是今年评上小巨人了呢" after a 技改 question names 第一条 only by the level: who asks, not a new topic.)
  if (foreign && p.mentionedMeasures.some((m) => m !== targetMeasure && !p.levelOnly.includes(m))) return true;
  return r.named.length > 0 && !r.named.includes(targetMeasure) && !p.mentionedMeasures.includes(targetMeasure) && !r.givesOwnFields;
}

/** "牵头单位也有补吗" after a 抱团参展 question: a short turn using the query's own measure's words stays on it. */
function wordsOfMeasure(nlu: Nlu, text: string, measure: string): boolean {
  const bare = text.replace(/[^\u4e00-\u9fa5]/g, '');
  if (bare.length > 12) return false;
  const own = [measure, ...nlu.doc.children(measure).map((c) => c.id)].map((id) => nlu.doc.measure(id)?.text ?? '').join('');
  for (let i = 0; i + 4 <= bare.length; i++) if (own.includes(bare.slice(i, i + 4))) return true;
  return false;
}

/** Whether the turn lacks what the query has: a measure, an aspect, or the rest of the facts. */
function leansOnQuery(r: Reading): boolean {
  const { p, isMeasureIntent, named, targetMeasure } = r;
  const mentionsOther = p.mentionedMeasures.length > 0 && !p.mentionedMeasures.includes(targetMeasure) && !r.givesOwnFields;
  return (isMeasureIntent && !named.length) || p.contextIntent !== undefined || p.intent === CLARIFY || r.asksPart
    || (!isMeasureIntent && (r.hasOwnFacts || r.elliptical || r.counted !== undefined || r.countsSomething || (r.short && (p.intent !== FALLBACK || r.namesDistrict || r.inMeasureWords || r.asksAspect))) && !mentionsOther)
    || (isMeasureIntent && (named.includes(targetMeasure) || r.givesOwnFields) && (r.elliptical || r.hasOwnFacts || r.short));
}

/** The aspect: what this turn asks, when it asks something; else the query's. */
function aspectOf(nlu: Nlu, r: Reading): string {
  const { p, isMeasureIntent, measureIntent } = r;
  // "第二场咋不行", "B那家咋算的": a part's amount or conditions, whatever else the model guesses.
  if (r.asksPart && !RULE_ASPECTS.has(p.intent)) return WHY_NOT.test(p.text) ? CONDITIONS_INTENT : RULE_ASPECTS.has(r.target.intent) ? r.target.intent : AMOUNT_INTENT;
  const asksOwn = (isMeasureIntent && (p.confidence >= 0.5 || r.backTo) && !(r.hasOwnFacts && r.elliptical && p.text.length <= 16))
    || (p.contextIntent !== undefined && p.confidence <= 0.5);
  if (asksOwn) return isMeasureIntent ? p.intent : p.contextIntent!;
  // "这个以后每年还有吗": a measure question's cue word in a follow-up beats a general guess.
  // (Not in a correction of the query's facts: "四十家是报名数 实际到场就二十家" asks the query again.)
  const correctsFacts = p.slots.correction && r.hasOwnFacts;
  const cued = correctsFacts ? undefined : p.cueIntents.find((i) => nlu.intentScopes.get(i) === 'measure' && i !== 'measure.content');
  // ("金额呢" after a units question: the aspect its own cue word names.)
  if (r.asksAspect && cued) return cued;
  const guessed = measureIntent && measureIntent.probability >= 0.15 && !r.hasOwnFacts ? measureIntent.label : undefined;
  return (isMeasureIntent ? undefined : cued ?? guessed) ?? r.target.intent;
}

/** The query's facts under the turn's own; "还有一个信息化系统投了80万，加起来呢" adds to the earlier amount. */
function factsWithQuery(nlu: Nlu, r: Reading): Record<string, FactValue> {
  const { p, own, target } = r;
  const facts: Record<string, FactValue> = { ...target.facts, ...r.extra, ...own };
  // "假如是含税三百万呢" after 不含税三百万: an amount with VAT in it, its rate unsaid, replaces the
  // net amount with one not known; the answer then says what it needs, not the earlier verdict.
  // "设备其实是含税的": the amount said before had VAT in it, likewise (asked, "是含税的吗", it is a question).
  const figure = p.slots.numbers.some((n) => n.kind === 'yuan');
  const gross = GROSS.test(p.text) && !nlu.lexicon.netCues.some((w) => p.text.includes(w)) && (figure || (!p.isQuestion && !p.slots.numbers.length));
  if (gross) {
    const amounts = [...fieldsOfMeasure(nlu, r.targetMeasure)].filter((f) => nlu.doc.fieldKind(f) === 'yuan' && own[f] === undefined && r.extra[f] === undefined);
    for (const f of amounts) delete facts[f];
  }
  if (!nlu.lexicon.additiveCues.some((w) => p.text.includes(w)) || p.slots.correction) return facts;
  const said = { ...r.extra, ...own };
  const countFields = Object.keys(said).filter((f) => nlu.doc.fieldKind(f) === 'count' && nlu.lexicon.countAddCues.some((w) => p.text.includes(w)));
  for (const field of [...nlu.lexicon.additiveFields, ...countFields]) {
    const before = target.facts[field];
    if (typeof before === 'number' && typeof said[field] === 'number') facts[field] = before + (said[field] as number);
  }
  return facts;
}

/**
 * The subjects the answer counts: added to or corrected from the query's ("还有一个厂…",
 * "其中一家是复核"), else the turn's own groups, else a bare count ("两家呢") of the query's kind.
 */
function subjectsWithQuery(nlu: Nlu, r: Reading, measure: string, intent: string, facts: Record<string, FactValue>): Parse['subjects'] {
  const kind = kindOf(nlu, measure);
  // (The query's subjects are of its own measure's kind: "集群那个单独是多少" after events and a cluster counts no events.)
  const ownKind = kindOf(nlu, r.targetMeasure) === kind;
  const earlier = (ownKind ? r.target.subjects : undefined) ?? [{ count: 1, facts: r.target.facts, text: r.target.said ?? '' }];
  // (A part's words are read as the measure reads them: "国家级只有一个" after clusters is a cluster's level.)
  const fields = [...nlu.doc.profileFields, ...nlu.doc.questionFields].map((f) => f.field);
  const partFacts = (t: string) => ({ ...nlu.factsFor(t, fields), ...contextualFacts(nlu, measure, t) });
  // "两个都有 一共多少" after "省级集群奖多少" → "那国家级的呢": one of each level asked about.
  const levels = kind && bothLevels(nlu, r, measure);
  if (levels && kind) return { [kind]: { shared: {}, groups: levels.map((f) => ({ kind, count: 1, text: levelName(nlu, measure, f), facts: f, looseYuan: [] })) } };
  const carried = kind ? carriedSubjects(nlu, r.p, earlier, { ...r.extra, ...r.own }, kind, r.target.said, partFacts) : undefined;
  if (carried && kind) return { [kind]: { shared: {}, groups: carried } };
  // "阮两间厂攏是…头回省专精特新" → "攏是工信企业": the subjects counted before, with what the turn adds said of all.
  // Only when the turn asks about amounts, conditions or how often (its answer shows their sum), and
  // not when it gives a value they already have otherwise ("省里给的是八十万…" is a question of its own).
  const counted = ownKind ? r.target.subjects : undefined;
  const said = { ...r.extra, ...r.own };
  const restates = counted?.some((g) => Object.entries(said).some(([f, v]) => g.facts[f] !== undefined && g.facts[f] !== v));
  // ("两个区加起来呢" after a cluster in each of two districts counts those places again, not new clusters.)
  // ("两家加起来一共多少" after one firm and then another: the count of those already counted, asked as a total.)
  // (The count itself, "两场", is no new fact of them, though one of them said "还有一场".)
  const totalAgain = counted !== undefined && counted.length > 1 && r.counted === counted.reduce((n, g) => n + g.count, 0)
    && Object.entries(said).every(([f, v]) => v === r.counted && nlu.doc.fieldKind(f) === 'count')
    && nlu.lexicon.statedTotalCues.some((w) => r.p.text.includes(w));
  const placesAgain = (kind === 'cluster' && counted?.length === r.counted && PLACES_COUNTED.test(r.p.text)) || totalAgain;
  if (kind && counted?.length && (!restates || totalAgain) && (RULE_ASPECTS.has(intent) || intent === FREQUENCY_INTENT) && (r.counted === undefined || placesAgain) && (!Object.keys(r.p.subjects).length || placesAgain) && measure === r.targetMeasure) {
    return { [kind]: { shared: {}, groups: counted.map((g) => ({ kind, count: g.count, text: g.text, facts: { ...g.facts, ...said }, looseYuan: [] })) } };
  }
  // The turn's own groups keep their facts to themselves: "有一场只来了三家银行" is not said of the rest.
  if (r.counted === undefined || Object.keys(r.p.subjects).length) return withSharedFacts(r.p.subjects, { ...r.target.facts, ...r.extra });
  return countedSubjects(nlu, measure, r.counted, facts);
}

/** The fields that tell a measure's levels apart: an enterprise's tier, a cluster's level. */
const levelFields = (nlu: Nlu, measure: string) => [...fieldsOfMeasure(nlu, measure)].filter((f) => ['tier', 'enum'].includes(nlu.doc.fieldKind(f) ?? ''));

/** Whether a turn moved the topic to another level of the same measure ("那国家级的呢"). */
function levelChanged(nlu: Nlu, measure: string, before: Record<string, FactValue>, after: Record<string, FactValue>): boolean {
  return levelFields(nlu, measure).some((f) => before[f] !== undefined && after[f] !== undefined && before[f] !== after[f]);
}

/** The facts of each level, when a turn asks about both levels the topic has been asked at. */
function bothLevels(nlu: Nlu, r: Reading, measure: string): Record<string, FactValue>[] | undefined {
  const { p, target } = r;
  if (!target.levelBefore || measure !== r.targetMeasure || r.hasOwnFacts || Object.keys(r.extra).length) return undefined;
  const text = p.text.toLowerCase();
  const both = nlu.lexicon.bothLevelsCues.some((w) => text.includes(w)) && nlu.lexicon.statedTotalCues.some((w) => text.includes(w));
  return both ? [target.levelBefore, target.facts] : undefined;
}

/** A level as people name it, to label its part of an answer: "省级专精特新", "国家级集群". */
function levelName(nlu: Nlu, measure: string, facts: Record<string, FactValue>): string {
  for (const f of levelFields(nlu, measure)) {
    const v = facts[f];
    if (v === undefined) continue;
    const name = nlu.doc.fieldKind(f) === 'tier' ? nlu.doc.tiers.find((t) => t.id === v)?.aliases[0] : nlu.lexicon.fieldCues[`${f}.${String(v)}`]?.[0];
    if (name) return name;
  }
  return '';
}

/** A turn that stands on its own: it becomes the query, when it is a measure question. */
function freshTurn(nlu: Nlu, q: Parse, now: number): Resolved {
  const own = q.slots.facts;
  if (q.otherPlace && q.elsewhere) {
    return { parse: q, facts: { ...own }, remember: { ...q.elsewhere, facts: { ...own }, at: now, turns: 0, elsewhere: true } };
  }
  const isQuery = nlu.intentScopes.get(q.intent) === 'measure' && q.measures.length > 0;
  const kind = isQuery ? kindOf(nlu, q.measures[0]) : undefined;
  const groups = rememberedGroups(q, kind);
  // "…第二场企业32家银行只有4家 第二场那个能不能奖": one of the parts, asked about in the same message.
  const inTurn = kind && groups && groups.length >= 2 && RULE_ASPECTS.has(q.intent) ? partAskedInTurn(nlu, q.text, groups) : undefined;
  const parse = inTurn && kind ? { ...q, subjects: { ...q.subjects, [kind]: { shared: {}, groups: [inTurn.asked].map((g) => ({ kind, count: g.count, text: g.text, facts: g.facts, looseYuan: [] })) } } } : q;
  return {
    parse, facts: { ...own },
    remember: isQuery
      ? { intent: q.intent, measures: q.measures, facts: { ...own }, at: now, turns: 0, subjects: inTurn?.parts ?? groups, ...(Object.keys(own).length ? { said: q.raw } : {}), ...alongsideOf(nlu, q) }
      : undefined,
  };
}

/**
 * A turn read in its conversation: a measure, an aspect or facts it lacks come from the last
 * query; whatever it names itself replaces the query's (a correction replaces the slot it names).
 */
export function resolveFollowUp(nlu: Nlu, asked: Parse, ctx: ConversationContext, now: number, limits: ContextLimits): Resolved {
  const listed = ctx.listedAt !== undefined && now - ctx.listedAt <= limits.maxAgeMs ? listedMeasure(nlu, asked) : undefined;
  if (listed) return freshTurn(nlu, { ...asked, intent: bestMeasureIntent(asked, nlu.intentScopes)?.label ?? CONTENT_INTENT, measures: [listed], mentionedMeasures: [listed], needsMeasure: false, confidence: Math.max(asked.confidence, 0.6) }, now);
  const backTo = nlu.lexicon.backReferences.some((w) => asked.text.includes(w));
  // Another place's question is leaned on only by a turn naming this city ("那福州的呢"); any other turn leans past it.
  const home = nlu.lexicon.homePlaceWords.some((w) => asked.text.includes(w));
  const here = (q: AskedQuery | undefined) => (q && (!q.elsewhere || home) && usable(q, now, limits) ? q : undefined);
  const lastQuery = backTo ? here(ctx.previous) ?? here(ctx.last) : here(ctx.last) ?? (ctx.last?.elsewhere ? here(ctx.previous) : undefined);
  // "集群那个单独是多少" after an answer on events and a cluster: the query, about the one measure it names.
  const target = lastQuery && focusedQuery(lastQuery, asked);
  // "那厦门呢": another place's policy, whatever the topic before.
  if (!target || asked.otherPlace) return freshTurn(nlu, asked, now);
  // "厦门对专精特新有啥奖励" → "那福州的呢": the same general question, here.
  if (target.elsewhere && !target.measures.length && littleElse(nlu, asked.text)) return freshTurn(nlu, { ...asked, intent: target.intent, confidence: Math.max(asked.confidence, 0.6) }, now);
  // "钱发给谁": a short question placed nowhere asks about the topic before it.
  const guess = bestMeasureIntent(asked, nlu.intentScopes);
  // "钱是给协会还是给来参会的企业": whom the query's money goes to, asked of the query's measure.
  const recipient = !asked.measures.length && nlu.lexicon.recipientCues.some((w) => asked.text.includes(w)) && !nlu.lexicon.outsideCues.some((w) => asked.text.includes(w));
  // "找市工信局对接是吧", "那就是找工信局是吧 还要不要找财政局": a responsible unit named, asked of the topic before.
  // (Asked by a question word, or confirmed by "…是吧", "…对吧".)
  const confirms = endsConfirming(nlu, asked.text);
  const namesUnit = !asked.measures.length && asked.text.length <= 24 && (asked.isQuestion || confirms) && unitWords(nlu).some((w) => asked.text.includes(w))
    && nlu.intentScopes.get(asked.intent) !== 'measure' && !nlu.lexicon.outsideCues.some((w) => asked.text.includes(w));
  const p = recipient || namesUnit
    ? { ...asked, intent: UNITS_INTENT, contextIntent: undefined, confidence: Math.max(asked.confidence, 0.6) }
    // (The cue words' own measure question, "归哪个部门" → units, before the model's guess.)
    : guess && !asked.measures.length && shortQuestionInContext(nlu, asked)
      ? asked.contextIntent ? { ...asked, intent: asked.contextIntent, contextIntent: undefined, confidence: Math.max(asked.confidence, 0.6) } : { ...asked, intent: guess.label, contextIntent: undefined }
      : asked;
  const r = readingOf(nlu, p, target, backTo);
  // "不对 我问的是小巨人" after a cluster question: the same question, about the measure it names.
  const corrected = correctedTopic(nlu, r);
  if (corrected.length) {
    return freshTurn(nlu, { ...p, intent: target.intent, measures: corrected, mentionedMeasures: corrected, needsMeasure: false, confidence: Math.max(p.confidence, 0.6) }, now);
  }
  if (confidentlyOutside(nlu, r)) return freshTurn(nlu, { ...p, intent: FALLBACK, measures: [], needsMeasure: false, contextIntent: undefined }, now);
  // "技改补助要啥条件" → "啥时候截止": the document's dates, said of the measure asked about.
  // "要是推到明年一月份办呢", "明年2月那场还算吗": the query asked again of a time after the document's end
  // (the answer then says the end date), not a question about the document's dates.
  const newTopic = startsNewTopic(nlu, r);
  // "打错字了 是2026年1月" after a question dated 2027: the date corrected, the same question.
  // (The time the turn names, on the city's date, read once: after the end, or corrected.)
  const time = RULE_ASPECTS.has(target.intent) && !r.named.length && !newTopic ? timeReference(p.text, todayIn(now)) : null;
  const askedLater = !!time && (time.from > nlu.doc.validUntil || p.slots.correction);
  if (!askedLater && isOwnGlobalQuestion(nlu, r) && DOCUMENT_QUESTIONS.has(p.intent) && !p.mentionedMeasures.length && r.short) {
    return freshTurn(nlu, { ...p, mentionedMeasures: target.measures.slice(0, 1) }, now);
  }
  const across = acrossTopics(nlu, r, newTopic, here(ctx.previous), now);
  if (across) return across;
  const focused = target !== lastQuery;
  if (!askedLater && (isOwnGlobalQuestion(nlu, r) || newTopic || (!leansOnQuery(r) && !focused && !tellsLevel(nlu, r)))) return freshTurn(nlu, p, now);
  const intent = askedLater && !RULE_ASPECTS.has(p.intent) ? target.intent : aspectOf(nlu, r);
  const figured = r.named.length ? undefined : measureOfFigure(nlu, target, p);
  const measures = figured ? [figured, ...target.measures.filter((m) => m !== figured)]
    : backTo || !r.named.length || r.givesOwnFields ? target.measures : [r.targetMeasure, ...r.named.filter((m) => m !== r.targetMeasure)];
  const facts = factsWithQuery(nlu, r);
  // "这两个分别找谁" after a 技改 turn and a 数字化 turn: both topics, each answered.
  const earlier = here(ctx.previous);
  const both = nlu.lexicon.bothTopicCues.some((w) => p.text.includes(w)) && !r.named.length && earlier && earlier.measures[0] && !measures.includes(earlier.measures[0]);
  const parse: Parse = {
    ...p, intent, measures, needsMeasure: false, contextIntent: undefined, alternatives: undefined,
    slots: { ...p.slots, facts }, mentionedMeasures: both ? [...measures, earlier.measures[0]] : withQueryMeasures(r, intent, measures),
    subjects: subjectsWithQuery(nlu, r, measures[0], intent, facts),
    confidence: Math.max(p.confidence, 0.6),
  };
  const said = Object.keys(r.own).length ? p.raw : target.said;
  const kind = kindOf(nlu, measures[0]);
  // "第二家呢" answers one part; the next turn may ask about all of them again.
  const subjects = r.asksPart && measures[0] === r.targetMeasure ? target.subjects : rememberedGroups(parse, kind);
  // "兄弟单位也是首次 奖了四十万呢": the firm added is asked about alone; all of them are remembered.
  const added = kind && measures[0] === r.targetMeasure ? addedAlone(nlu, r, kind, parse.subjects[kind]) : undefined;
  if (added && kind) parse.subjects = { ...parse.subjects, [kind]: added };
  const levelBefore = measures[0] !== target.measures[0] ? undefined : levelChanged(nlu, measures[0], target.facts, facts) ? target.facts : target.levelBefore;
  return { parse, facts, remember: { intent, measures, facts, at: now, turns: target.turns + 1, subjects, ...(said ? { said } : {}), ...alongsideOf(nlu, parse), ...(levelBefore ? { levelBefore } : {}) }, backTo };
}

/**
 * The subjects a turn adds to the query's, when it asks about them and not about all together
 * ("另一家省里奖了四十呢"; not "还有一家也是首次 两家一共呢", "加起来多少").
 */
// ("两家一共呢": the subjects counted; "四家银行" counts attendance, not events.)
const COUNT_WORD: Record<SubjectKind, string> = { enterprise: '(?:家|间)(?!银行|金融)', event: '场', cluster: '个' };
type SubjectsOfKind = NonNullable<Parse['subjects'][keyof Parse['subjects']]>;

function addedAlone(nlu: Nlu, r: Reading, kind: SubjectKind, all: SubjectsOfKind | undefined): SubjectsOfKind | undefined {
  const before: { facts: Record<string, FactValue>; count?: number }[] = r.target.subjects ?? [{ facts: r.target.facts }];
  if (!all || all.groups.length <= before.length) return undefined;
  // (The same groups before, not one of them split: "要是其中2场银行只来4家呢" is about the parts of all.)
  if (!all.groups.slice(0, before.length).every((g, i) => g.facts === before[i].facts && g.count === (before[i].count ?? 1))) return undefined;
  const text = r.p.text;
  // ("我们还有个分公司是24年认定的 也能拿吗": asked along with the ones before.)
  const asks = /呢[?？\s]*$/.test(text) || (r.p.isQuestion && !text.includes('也'));
  const together = [...nlu.lexicon.statedTotalCues, ...nlu.lexicon.countTotalCues, ...nlu.lexicon.eachCues, '一起'].some((w) => text.includes(w)) || new RegExp(`[两二三四五六七八九十几]\\s*${COUNT_WORD[kind]}`).test(text);
  return asks && !together ? { ...all, groups: all.groups.slice(before.length) } : undefined;
}

/**
 * "40万是一次性的吗" after an answer on two measures: the one whose amount, on the query's facts,
 * is the figure the turn names (a figure the asker gave before names nothing).
 */
function measureOfFigure(nlu: Nlu, target: AskedQuery, p: Parse): string | undefined {
  if (target.measures.length < 2) return undefined;
  const given = new Set(Object.values(target.facts));
  const figures = p.slots.numbers.filter((n) => n.kind === 'yuan' && !given.has(n.value)).map((n) => n.value);
  if (!figures.length) return undefined;
  const found = target.measures.filter((m) => evaluateRules(nlu.doc, nlu.doc.rulesFor(m), target.facts).some((o) => o.yuan !== null && figures.includes(o.yuan)));
  return found.length === 1 ? found[0] : undefined;
}

/**
 * "对接会其实只来了四家银行" after an answer on 对接会 and 小巨人: facts given of one of the query's
 * measures leave the others in the answer, each on its own facts.
 */
function withQueryMeasures(r: Reading, intent: string, measures: string[]): string[] {
  const all = [...r.target.measures, ...(r.target.alongside ?? [])];
  if (!r.hasOwnFacts || !RULE_ASPECTS.has(intent) || all.length < 2 || r.asksPart) return measures;
  return [...measures, ...all.filter((m) => !measures.includes(m))];
}

/** The measures a parse mentions beside its own, to remember (one named only by a level, when its facts were given). */
function alongsideOf(nlu: Nlu, p: Parse): { alongside?: string[] } {
  const withFacts = measuresWithFacts(nlu.doc, p);
  const alongside = p.mentionedMeasures.filter((m) => !p.measures.includes(m) && (!p.levelOnly.includes(m) || withFacts.includes(m)));
  return alongside.length ? { alongside } : {};
}

/**
 * The query turned to one of its later measures, when a turn names that one alone: asked about
 * without facts ("集群那个单独是多少"), or given facts of it, or of one mentioned beside the query
 * ("对接会来了31家企业 5家银行" after "首次省级专精特新 另外还牵头办了场对接会").
 */
function focusedQuery(q: AskedQuery, asked: Parse): AskedQuery {
  const [named, ...more] = asked.measures;
  if (more.length || !named) return q;
  const same = (m: string) => m === named || m.startsWith(named + '.');
  const facts = Object.keys(asked.slots.facts).length > 0;
  // ("C这个月刚评上省级专精特新呢": a level named is a fact of the asker, not the measure it names.)
  if (facts && asked.levelOnly.includes(named)) return q;
  const answered = q.measures.slice(1).find(same);
  const to = facts ? answered ?? q.alongside?.find(same) : answered;
  if (!to) return q;
  return { ...q, measures: [to, ...q.measures.filter((m) => m !== to)], alongside: q.alongside?.filter((m) => m !== to), subjects: undefined };
}

const unitWordsOf = new WeakMap<Nlu, string[]>();

/** The document's responsible units as people name them: "市工信局" and "工信局". */
function unitWords(nlu: Nlu): string[] {
  let words = unitWordsOf.get(nlu);
  if (!words) {
    const units = nlu.doc.topMeasures().flatMap((m) => nlu.doc.unitsOf(m.id)).filter((u) => u.endsWith('局'));
    words = [...new Set(units.flatMap((u) => [u, u.replace(/^市/, '')]))].filter((w) => w.length >= 3);
    unitWordsOf.set(nlu, words);
  }
  return words;
}

/** A remembered query's subjects as a parse holds them: the groups of the kind its measure counts. */
function subjectsOfQuery(nlu: Nlu, q: AskedQuery): Parse['subjects'] {
  const kind = kindOf(nlu, q.measures[0]);
  if (!kind || !q.subjects?.length) return {};
  return { [kind]: { shared: {}, groups: q.subjects.map((g) => ({ kind, count: g.count, text: g.text, facts: g.facts, looseYuan: [] })) } };
}

/**
 * "我们还牵头办了场对接会…加起来一共能拿多少" after a 小巨人 question (a new topic's case added to the
 * one before), "两块加一起总共多少" after a second topic: one answer over both topics, each measure on
 * its own facts and subjects, and their sum.
 */
function acrossTopics(nlu: Nlu, r: Reading, newTopic: boolean, previous: AskedQuery | undefined, now: number): Resolved | undefined {
  const { p, target } = r;
  if (r.backTo || !nlu.lexicon.acrossTopicsCues.some((w) => p.text.toLowerCase().includes(w))) return undefined;
  const asksAmount = p.intent === AMOUNT_INTENT || p.cueIntents.includes(AMOUNT_INTENT) || r.measureIntent?.label === AMOUNT_INTENT;
  if (!asksAmount) return undefined;
  const hasFacts = (q: AskedQuery) => Object.keys(q.facts).length > 0 || !!q.subjects?.length;
  let earlier: AskedQuery;
  let later: { measures: string[]; facts: Record<string, FactValue>; subjects: Parse['subjects'] };
  // (A turn that names the query's measure again, or gives the facts of two measures itself, is a question of its own.)
  const addsAnother = r.named.length > 0 && !r.named.some((m) => target.measures.includes(m)) && measuresWithFacts(nlu.doc, p).length < 2;
  if (newTopic && RULE_ASPECTS.has(target.intent) && addsAnother && r.hasOwnFacts) {
    earlier = target;
    later = { measures: r.named, facts: { ...r.own }, subjects: p.subjects };
  } else if (!newTopic && previous && !r.named.length && !r.hasOwnFacts && r.counted === undefined && !r.asksPart
    // ("两项合计": a count of the topics, not of subjects.)
    && p.slots.numbers.every((n) => n.kind !== 'count' || TOPICS_COUNTED.includes(n.unit ?? ''))
    && previous.measures[0] && !target.measures.includes(previous.measures[0])) {
    earlier = previous;
    later = { measures: target.measures, facts: target.facts, subjects: subjectsOfQuery(nlu, target) };
  } else {
    return undefined;
  }
  if (!hasFacts(earlier)) return undefined;
  const both = [...new Set([...earlier.measures, ...later.measures])];
  const facts = { ...earlier.facts, ...later.facts };
  const draft: Parse = {
    ...p, intent: AMOUNT_INTENT, measures: both, mentionedMeasures: both, needsMeasure: false, contextIntent: undefined, alternatives: undefined,
    slots: { ...p.slots, facts }, subjects: { ...subjectsOfQuery(nlu, earlier), ...later.subjects }, confidence: Math.max(p.confidence, 0.6),
  };
  // The measures the facts compute come first: a topic with no amount of its own adds nothing to the sum.
  const computed = measuresWithFacts(nlu.doc, draft);
  const measures = [...computed, ...both.filter((m) => !computed.includes(m))];
  const parse = { ...draft, measures, mentionedMeasures: measures };
  return {
    parse, facts,
    remember: { intent: AMOUNT_INTENT, measures, facts, at: now, turns: 0, subjects: rememberedGroups(parse, kindOf(nlu, measures[0])), said: p.raw },
  };
}

// "第二个呢", "那第三项讲啥": an item of the list just shown, by its place.
const LIST_ITEM = /^(?:那|那么)?第\s*([一二三四五六七八九十\d]+)\s*(?:个|项|条|点)/;

/** The measure a turn names by its place in the list of measures, when it names none itself. */
function listedMeasure(nlu: Nlu, p: Parse): string | undefined {
  const m = LIST_ITEM.exec(p.text.trim());
  if (!m || p.measures.length > 1) return undefined;
  const n = parseNumeral(m[1]);
  return n === undefined ? undefined : nlu.doc.topMeasures()[n - 1]?.id;
}

/** The context after a turn: a new query pushes the last one back. */
export function nextContext(ctx: ConversationContext, r: Resolved): ConversationContext {
  if (!r.remember) return ctx;
  if (r.backTo) return { last: r.remember, previous: ctx.last };
  const sameTopic = ctx.last && ctx.last.measures[0] === r.remember.measures[0];
  return sameTopic ? { last: r.remember, previous: ctx.previous } : { last: r.remember, previous: ctx.last };
}

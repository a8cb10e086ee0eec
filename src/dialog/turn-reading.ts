// A turn read against the query it may lean on: what it gives, how it asks, whether it leaves the topic.
import type { FactValue } from '../../policy/index.js';
import { CLARIFY, FALLBACK, SURELY_OUTSIDE, type Nlu, type Parse } from '../nlu/index.js';
import {
  bestMeasureIntent, contextualFacts, STATED_TOTAL, fieldsOfMeasure, followUpCount, leansOnContext, littleElse, replacedFigures,
} from './follow-up-reading.js';
import { asksOnePart } from './follow-up-subjects.js';
import { AMOUNT_INTENT, CONDITIONS_INTENT, RULE_ASPECTS, type AskedQuery } from './asked-query.js';

/** A turn read against the query it may lean on: what it gives and how it asks. */
export interface Reading {
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

export function readingOf(nlu: Nlu, p: Parse, target: AskedQuery, backTo: boolean): Reading {
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
export function isOwnGlobalQuestion(nlu: Nlu, r: Reading): boolean {
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
export function confidentlyOutside(nlu: Nlu, r: Reading): boolean {
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

export const OUTSIDE_CONFIDENCE = 0.6;

/** Whether a turn names VAT ("含税", "含增值税") of a measure whose amounts are counted without it. */
export function asksQueryVat(nlu: Nlu, r: Reading): boolean {
  const { grossCues, netCues, additiveFields } = nlu.lexicon;
  return [...grossCues, ...netCues].some((w) => r.p.text.includes(w)) && [...fieldsOfMeasure(nlu, r.targetMeasure)].some((f) => additiveFields.includes(f));
}

/** "多少钱", "金额呢", "找谁": a measure question's own cue words and hardly anything else. */
export function asksAspectOnly(nlu: Nlu, p: Parse): boolean {
  // (Counted as typed: "要带啥资料" is five characters, though normalised to "要带什么资料".)
  const bare = p.raw.replace(/[\s,.;!?，。？！、呢吗啊呀哦]+/g, '');
  return bare.length <= 5 && p.cueIntents.some((i) => nlu.intentScopes.get(i) === 'measure');
}

// "咋不行", "为啥没有": why a part does not qualify.
export const WHY_NOT = /为啥|为什么|凭啥|(?:咋|怎么)(?:不|没)|不行|没有|没份/;

// "这10万", "那笔三十万": a figure the conversation already has.
export const FIGURE_BACK = /[这那]笔?(?:\d|[一二两三四五六七八九十百])/;

// "这钱给企业还是给区里": the money of the query before; "要是拉上另外四家一起去呢": the same case changed.
export const POINTS_BACK = /这(?:笔)?钱|这笔|这个钱|这(?:个|项)?(?:奖励|补助|补贴|奖补)|^(?:那)?(?:要是|如果|假如|万一)/;

/**
 * "讲错 上个月已经认定省级专精特新了" after a 技改 question: a level told, not asked, of a measure whose
 * rules read it ("不对 我问的是小巨人" corrects the topic; "是技改补助 投了四百万" brings its own facts).
 */
export function tellsLevel(nlu: Nlu, r: Reading): boolean {
  const fields = fieldsOfMeasure(nlu, r.targetMeasure);
  const levelIsFact = [...fields].some((f) => nlu.doc.fieldKind(f) === 'tier');
  const own = Object.keys(r.own);
  const ofTheLevel = own.every((f) => fields.has(f) || ['tier', 'boolean', 'year'].includes(nlu.doc.fieldKind(f) ?? ''));
  const topicCorrected = nlu.lexicon.topicCorrections.some((w) => r.p.text.includes(w));
  return levelIsFact && !r.p.isQuestion && !topicCorrected && ofTheLevel && own.some((f) => nlu.doc.fieldKind(f) === 'tier');
}

/** The measures a correction names instead of the query's, when it asks nothing of its own. */
export function correctedTopic(nlu: Nlu, r: Reading): string[] {
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
export function startsNewTopic(nlu: Nlu, r: Reading): boolean {
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
export function wordsOfMeasure(nlu: Nlu, text: string, measure: string): boolean {
  const bare = text.replace(/[^\u4e00-\u9fa5]/g, '');
  if (bare.length > 12) return false;
  const own = [measure, ...nlu.doc.children(measure).map((c) => c.id)].map((id) => nlu.doc.measure(id)?.text ?? '').join('');
  for (let i = 0; i + 4 <= bare.length; i++) if (own.includes(bare.slice(i, i + 4))) return true;
  return false;
}

/** Whether the turn lacks what the query has: a measure, an aspect, or the rest of the facts. */
export function leansOnQuery(r: Reading): boolean {
  const { p, isMeasureIntent, named, targetMeasure } = r;
  const mentionsOther = p.mentionedMeasures.length > 0 && !p.mentionedMeasures.includes(targetMeasure) && !r.givesOwnFields;
  return (isMeasureIntent && !named.length) || p.contextIntent !== undefined || p.intent === CLARIFY || r.asksPart
    || (!isMeasureIntent && (r.hasOwnFacts || r.elliptical || r.counted !== undefined || r.countsSomething || (r.short && (p.intent !== FALLBACK || r.namesDistrict || r.inMeasureWords || r.asksAspect))) && !mentionsOther)
    || (isMeasureIntent && (named.includes(targetMeasure) || r.givesOwnFields) && (r.elliptical || r.hasOwnFacts || r.short));
}

/** The aspect: what this turn asks, when it asks something; else the query's. */
export function aspectOf(nlu: Nlu, r: Reading): string {
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

export const unitWordsOf = new WeakMap<Nlu, string[]>();

/** The document's responsible units as people name them: "市工信局" and "工信局". */
export function unitWords(nlu: Nlu): string[] {
  let words = unitWordsOf.get(nlu);
  if (!words) {
    const units = nlu.doc.topMeasures().flatMap((m) => nlu.doc.unitsOf(m.id)).filter((u) => u.endsWith('局'));
    words = [...new Set(units.flatMap((u) => [u, u.replace(/^市/, '')]))].filter((w) => w.length >= 3);
    unitWordsOf.set(nlu, words);
  }
  return words;
}

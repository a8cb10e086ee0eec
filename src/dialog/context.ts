import { evaluateRules, type FactValue } from '../../policy/index.js';
import { FALLBACK, type Nlu, type Parse } from '../nlu/index.js';
import { parseNumeral } from '../nlu/numbers.js';
import { timeReference } from '../nlu/time-reference.js';
import { measuresWithFacts, todayIn } from './answers.js';
import {
  bestMeasureIntent, endsConfirming, fieldsOfMeasure, kindOf, littleElse, shortQuestionInContext,
} from './follow-up-reading.js';
import { partAskedInTurn, rememberedGroups } from './follow-up-subjects.js';
import { AMOUNT_INTENT, CONTENT_INTENT, DOCUMENT_QUESTIONS, RULE_ASPECTS, UNITS_INTENT, type AskedQuery } from './asked-query.js';
import { addedAlone, levelChanged, subjectsOfQuery, subjectsWithQuery } from './query-subjects.js';
import {
  aspectOf, confidentlyOutside, correctedTopic, isOwnGlobalQuestion, leansOnQuery, readingOf, startsNewTopic, tellsLevel, unitWords, type Reading,
} from './turn-reading.js';

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

const TOPICS_COUNTED = ['项', '个'];

// "含税三百万", "是含增值税的": an amount with VAT in it.
const GROSS = /(?<![不无未])含(?:税|增值税|票)/;

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

import {
  evaluateGroups, factsUsed, formatChineseDate, formatYuan, measureWords, partBasis, ruleFactsUsed, ruleFieldNames, ruleSummary, rulesInQuestion, rulesOfQuestion,
  type AwardOutcome, type AwardRule, type Facts, type MeasureEvaluation, type PolicyDocument, type QueryGroup,
} from '../../policy/index.js';
import type { AwardView } from '../core/answer.js';
import type { Parse } from '../nlu/index.js';
import { timeReference } from '../nlu/time-reference.js';
import type { Replies } from './replies.js';

/** What a Q&A answer needs besides the parse. */
export interface AnswerContext {
  doc: PolicyDocument;
  replies: Replies;
  today: string; // ISO date in the city's time zone
  now?: number;
}

export interface QaAnswer {
  reply: string;
  measures: string[];
  awards?: AwardView[];
  title?: string;
  /** Parts dated after the document's end were set aside here: the whole message is not about then. */
  datedParts?: boolean;
}

export function awardView(doc: PolicyDocument, o: AwardOutcome, hypothetical: boolean): AwardView {
  return {
    measure: o.rule.measure,
    eligible: hypothetical ? o.status !== 'not_eligible' : o.status === 'eligible',
    yuan: o.yuan,
    ...(o.maxYuan !== undefined ? { maxYuan: o.maxYuan } : {}),
    basis: o.basis,
    status: o.status,
    title: o.rule.title,
  };
}

interface Sentence {
  text: string;
  bigrams: ReadonlySet<string>;
}

// A document's text does not change: each measure's sentences are split once (bounded by its measures).
const sentencesOf = new WeakMap<PolicyDocument, Map<string, readonly Sentence[]>>();

function splitSentences(doc: PolicyDocument, id: string): readonly Sentence[] {
  let byMeasure = sentencesOf.get(doc);
  if (!byMeasure) sentencesOf.set(doc, (byMeasure = new Map()));
  let sentences = byMeasure.get(id);
  if (!sentences) {
    const m = doc.measure(id);
    if (!m) return [];
    const body = m.text
      .replace(/^[一二三四五六七八九十]+、/, '')
      .replace(new RegExp('^' + escapeRegExp(m.title) + '。'), '')
      .replace(/[（(]责任单位：[^）)]*[)）]\s*$/, '');
    sentences = body.split(/(?<=。)/).map((s) => s.trim()).filter(Boolean).map((text) => ({ text, bigrams: bigrams(text) }));
    byMeasure.set(id, sentences);
  }
  return sentences;
}

/** The measure's sentences (heading and units stripped), verbatim. */
export function measureSentences(doc: PolicyDocument, id: string): string[] {
  return splitSentences(doc, id).map((s) => s.text);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function bigrams(s: string): Set<string> {
  const out = new Set<string>();
  const t = s.replace(/\s+/g, '');
  for (let i = 0; i + 1 < t.length; i++) out.add(t.slice(i, i + 2));
  return out;
}

/** The sentences that answer the question best, in document order. */
export function relevantSentences(doc: PolicyDocument, id: string, question: string, limit = 2): string[] {
  const sentences = splitSentences(doc, id);
  if (sentences.length <= limit) return sentences.map((s) => s.text);
  const q = bigrams(question);
  const m = doc.measure(id);
  const keywords = m ? measureWords(m) : [];
  const scored = sentences.map(({ text: s, bigrams: own }, i) => {
    let score = 0;
    for (const b of own) if (q.has(b)) score += 1;
    for (const k of keywords) if (question.includes(k) && s.includes(k)) score += 3;
    return { s, i, score: score - i * 0.01 };
  });
  const top = [...scored].sort((a, b) => b.score - a.score).slice(0, limit);
  return top.sort((a, b) => a.i - b.i).map((x) => x.s);
}

function unitsLine(ctx: AnswerContext, id: string): string {
  return ctx.replies.render('unitsLine', { units: ctx.doc.unitsOf(id).join('、') });
}

function header(ctx: AnswerContext, id: string): string {
  return ctx.replies.render('measureHeader', { name: ctx.doc.displayName(id) });
}

function fullTextHint(ctx: AnswerContext, id: string): string {
  return ctx.replies.render('fullTextHint', { ordinalName: ctx.doc.articleName(id) });
}

/** A heading ("二、加大融资支持力度") answered by its titled paragraphs. */
function headingContent(ctx: AnswerContext, id: string): string[] {
  return ctx.doc.children(id).map((c) => `· ${c.title}：${measureSentences(ctx.doc, c.id)[0] ?? ''}`);
}

export function contentAnswer(ctx: AnswerContext, id: string, p: Parse): QaAnswer {
  const children = ctx.doc.children(id);
  const body = children.length ? headingContent(ctx, id) : relevantSentences(ctx.doc, id, p.text + (p.focus ?? ''), 3);
  const lines = [header(ctx, id), ...body, unitsLine(ctx, id), fullTextHint(ctx, id)];
  return { reply: lines.join('\n'), measures: [id], title: ctx.doc.displayName(id) };
}

export function fullTextAnswer(ctx: AnswerContext, id: string): QaAnswer {
  const ids = [id, ...ctx.doc.children(id).map((c) => c.id)];
  const text = ids.map((x) => ctx.doc.measure(x)!.text).join('\n');
  return { reply: ctx.replies.render('fulltext', { name: ctx.doc.displayName(id), text }), measures: [id], title: ctx.doc.displayName(id) };
}

/** The units of a measure; asked who receives the money ("钱是给谁的"), also whom its rules pay. */
export function unitsAnswer(ctx: AnswerContext, id: string, asksRecipient = false): QaAnswer {
  const paid = asksRecipient ? recipientLines(ctx, id) : [];
  const recipients = paid.length ? [ctx.replies.render('recipientLead'), ...paid] : [];
  return {
    reply: [...recipients, ctx.replies.render('unitsLead', { name: ctx.doc.displayName(id), units: ctx.doc.unitsOf(id).join('、') })].join('\n'),
    measures: [id],
  };
}

/** Whom a measure pays: its rules where it has them, else the words of its text that say so. */
function recipientLines(ctx: AnswerContext, id: string): string[] {
  const rules = ctx.doc.rulesFor(id);
  if (rules.length) return rules.map((r) => `· ${ruleSummary(ctx.doc, r)}`);
  return (ctx.doc.measure(id)?.recipients ?? []).map((q) => `· ${q}`);
}

export function applyAnswer(ctx: AnswerContext, id: string, p: Parse): QaAnswer {
  const lines = [
    ctx.replies.render('applyLead', { units: ctx.doc.unitsOf(id).join('、') }),
    header(ctx, id),
    ...relevantSentences(ctx.doc, id, p.text, 1),
    fullTextHint(ctx, id),
  ];
  return { reply: lines.join('\n'), measures: [id] };
}

function outcomeLines(ctx: AnswerContext, outcomes: AwardOutcome[], facts: Facts): string[] {
  const lines: string[] = [];
  const asked = Object.keys(facts).length > 0;
  for (const o of outcomes) {
    lines.push(`· ${ruleSummary(ctx.doc, o.rule)}`);
    if (!asked) continue;
    if (o.status === 'not_eligible') {
      lines.push(`  ${ctx.replies.render('notQualifiedLead')}${o.unmet.join('；')}${givenValues(ctx, o, facts)}`);
    } else if (o.yuan !== null && o.rule.amount.kind !== 'fixed') {
      lines.push(`  ${ctx.replies.render('computedLead')}${o.basis}`);
    } else if (o.status === 'eligible') {
      const met = metValues(ctx, o, facts);
      lines.push(`  ${ctx.replies.render('computedLead')}${met ? ctx.replies.render('qualifiedWith', { values: met }) : ctx.replies.render('qualified')}${o.basis}`);
    } else if (factsUsed(o, facts) > 0) {
      // "评了三级能补吗" with no tier given: say what the facts already settle, and what is left.
      const met = metValues(ctx, o, facts);
      lines.push(`  ${ctx.replies.render('computedLead')}${met ? ctx.replies.render('metSoFar', { values: met }) : ''}${o.basis}`);
    }
  }
  return lines;
}

/** The threshold facts that qualify, as the asker gave them ("技改…投资额：310万元"). */
function metValues(ctx: Pick<AnswerContext, 'doc'>, o: AwardOutcome, facts: Facts): string {
  return o.rule.when
    .filter((c) => c.min !== undefined && facts[c.field] !== undefined)
    .map((c) => `${ctx.doc.fieldLabel(c.field)}${formatFact(ctx.doc, c.field, facts[c.field]!)} ≥ ${formatFact(ctx.doc, c.field, c.min!)}`)
    .join('，');
}

/** An eligible outcome's basis with the thresholds the facts meet ("符合条件（…600万元 ≥ 300万元），…"), for the check's lines. */
export function basisWithMet(doc: PolicyDocument, replies: Replies, o: AwardOutcome, facts: Facts): string {
  const met = o.status === 'eligible' ? metValues({ doc }, o, facts) : '';
  return met ? `${replies.render('qualifiedWith', { values: met })}${o.basis}` : o.basis;
}

function givenValues(ctx: AnswerContext, o: AwardOutcome, facts: Facts): string {
  const parts = o.rule.when
    // An assumed condition's reason already says who the asker is ("协办的单位不是奖励对象").
    .filter((c) => !c.assumed && facts[c.field] !== undefined && o.unmet.includes(c.unmet))
    .map((c) => `${ctx.doc.fieldLabel(c.field)}：${formatFact(ctx.doc, c.field, facts[c.field]!)}`);
  return parts.length ? ctx.replies.render('givenValues', { values: parts.join('，') }) : '';
}

export function formatFact(doc: PolicyDocument, field: string, value: string | number | boolean): string {
  const kind = doc.fieldKind(field);
  if (kind === 'yuan' && typeof value === 'number') return formatYuan(value);
  if (kind === 'year') return `${value}年`;
  // "二级", as the document and the web form write a level.
  if (kind === 'level') return value === 0 ? '未评测' : `${LEVEL_NAMES[Number(value)] ?? value}级`;
  if (kind === 'tier') return doc.tiers.find((t) => t.id === value)?.label ?? String(value);
  if (kind === 'boolean') return value ? '是' : '否';
  return String(value);
}

const LEVEL_NAMES: Record<number, string> = { 1: '一', 2: '二', 3: '三', 4: '四', 5: '五' };

/** Who a measure's rules count, and the word for one of them. */
export const SUBJECT_OF_AUDIENCE = { enterprise: ['enterprise', '家'], organizer: ['event', '场'], county: ['cluster', '个'] } as const;

/**
 * The measure evaluated for every subject the question counts ("两家子公司", "有一场只来了20家"),
 * or null when the question counts none (one asker, answered rule by rule).
 */
export function groupEvaluation(doc: PolicyDocument, id: string, p: Parse, outsideOf: (text: string) => string | undefined = () => undefined): MeasureEvaluation | null {
  const audience = doc.rulesFor(id)[0]?.audience;
  if (!audience) return null;
  const [kind, unit] = SUBJECT_OF_AUDIENCE[audience];
  const subjects = p.subjects[kind];
  if (!subjects) return null;
  // Only some parts ("12月那场…明年1月那场"): when all are dated later, the whole question is about
  // then; a follow-up asking in its own words ("那间明年复核过了还能再拿吗") dates the question, while
  // one that tells ("第三场改到明年一月份了") dates its part.
  const dated = subjects.groups.map((g) => !!g.text && (g.text.trim() !== p.text.trim() || !p.isQuestion));
  const outside = subjects.groups.map((g, i) => (dated[i] ? outsideOf(g.text) : undefined));
  const some = subjects.groups.length >= 2 && outside.some((o) => o === undefined);
  const groups: QueryGroup[] = subjects.groups.map((g, i) => ({
    count: g.count, facts: g.facts, looseYuan: g.looseYuan, text: g.text, verdict: g.verdict, ...(some && outside[i] ? { outside: outside[i] } : {}),
  }));
  return evaluateGroups(doc, id, subjects.shared, groups, unit);
}

/** "明年1月那场": a part dated after the document's end is set aside, with the reason. */
function afterEndOf(ctx: AnswerContext): (text: string) => string | undefined {
  return (text) => {
    const ref = timeReference(text, ctx.today);
    return ref && ref.from > ctx.doc.validUntil ? ctx.replies.render('afterEndPart', { words: ref.words, validUntil: formatChineseDate(ctx.doc.validUntil) }) : undefined;
  };
}

function groupLines(ctx: AnswerContext, e: MeasureEvaluation, unit: string): string[] {
  const lines = [`· ${ruleSummary(ctx.doc, e.parts[0].outcome.rule)}`];
  for (const part of e.parts) {
    const who = part.group.text ? `“${part.group.text.replace(/[,，.。\s]+$/, '')}”` : `其余${part.group.count}${unit}`;
    const said = part.outcome.status === 'not_eligible' ? `${ctx.replies.render('notQualifiedLead')}${part.outcome.unmet.join('；')}` : partBasis(part, unit);
    // (A part that does not qualify already leads with "按您提供的情况，暂不符合".)
    const lead = e.parts.length > 1 ? `${who}：` : part.outcome.status === 'not_eligible' ? '' : ctx.replies.render('computedLead');
    lines.push(`  ${lead}${said}`);
  }
  if (e.parts.length > 1) lines.push(`  ${ctx.replies.render('computedLead')}${e.basis}`);
  return lines;
}

function evaluationView(e: MeasureEvaluation): AwardView {
  const rule = e.parts[0].outcome.rule;
  return {
    measure: e.measure,
    eligible: e.status !== 'not_eligible',
    yuan: e.yuan,
    ...(e.maxYuan !== undefined ? { maxYuan: e.maxYuan } : {}),
    basis: e.basis,
    status: e.status,
    title: rule.title,
  };
}

/** "对接会来了35家企业6家银行": a question about an event's attendance is about one event. */
function oneEventUnlessCounted(doc: PolicyDocument, id: string, facts: Facts): Facts {
  const rule = doc.rulesFor(id).find((r) => r.amount.kind === 'perUnit');
  if (!rule || !('field' in rule.amount) || facts[rule.amount.field] !== undefined) return facts;
  return rule.when.some((c) => facts[c.field] !== undefined) ? { ...facts, [rule.amount.field]: 1 } : facts;
}

interface RulesEvaluation {
  outcomes: AwardOutcome[];
  /** Some parts were set aside as dated after the document's end (the rest are in its time). */
  datedParts: boolean;
  /** Each rule's summary, then what the asker's facts come to, group by group. */
  lines: string[];
  awards: AwardView[];
}

/** The measure's rules evaluated for the question's facts and subjects; null when none applies. */
function evaluateRulesFor(ctx: AnswerContext, id: string, p: Parse): RulesEvaluation | null {
  const facts: Facts = oneEventUnlessCounted(ctx.doc, id, p.slots.facts);
  const grouped = groupEvaluation(ctx.doc, id, p, afterEndOf(ctx));
  const outcomes = grouped ? grouped.parts.map((x) => x.outcome) : rulesInQuestion(ctx.doc, id, facts);
  if (!outcomes.length) return null;
  const unit = SUBJECT_OF_AUDIENCE[outcomes[0].rule.audience][1];
  return {
    outcomes,
    datedParts: !!grouped?.parts.some((x) => x.group.outside !== undefined),
    lines: grouped ? groupLines(ctx, grouped, unit) : outcomeLines(ctx, outcomes, facts),
    awards: grouped ? [evaluationView(grouped)] : outcomes.map((o) => awardView(ctx.doc, o, true)),
  };
}

/** Amount and condition questions: the rules' own words, then the arithmetic for the asker's case. */
export function rulesAnswer(ctx: AnswerContext, id: string, p: Parse, lead: 'amountLead' | 'conditionsLead'): QaAnswer {
  const evaluated = evaluateRulesFor(ctx, id, p);
  if (!evaluated) {
    const lines = [header(ctx, id), ...relevantSentences(ctx.doc, id, p.text, 2)];
    if (lead === 'amountLead') lines.push(ctx.replies.render('noAmount'));
    lines.push(unitsLine(ctx, id), fullTextHint(ctx, id));
    return { reply: lines.join('\n'), measures: [id] };
  }
  const { outcomes } = evaluated;
  const measureOfRules = outcomes[0].rule.measure;
  const lines = [
    ctx.replies.render(lead, { name: ctx.doc.displayName(measureOfRules) }),
    ...evaluated.lines,
    ...vatLines(ctx, outcomes, p),
    ...ownLevelSentences(ctx, measureOfRules, outcomes, p),
    ctx.replies.render('quoteLine', { text: ruleSentences(ctx, measureOfRules, outcomes).join('') }),
    unitsLine(ctx, measureOfRules),
  ];
  return { reply: lines.join('\n'), measures: [measureOfRules], awards: evaluated.awards, ...(evaluated.datedParts ? { datedParts: true } : {}) };
}

const REWARD_WORDS = /奖励|补助|补贴|资助|奖补/;

/**
 * "我们是创新型中小企业 市里奖多少": an asker outside every rule of the measure is shown what the
 * measure's text says of their own level, where it says anything ("对创新型中小企业给予适当奖励").
 */
function ownLevelSentences(ctx: AnswerContext, id: string, outcomes: AwardOutcome[], p: Parse): string[] {
  const levelField = ctx.doc.profileFields.find((f) => f.kind === 'tier')?.field;
  const level = levelField ? ctx.doc.tiers.find((t) => t.id === p.slots.facts[levelField]) : undefined;
  if (!level || !outcomes.length || !outcomes.every((o) => o.outOfScope)) return [];
  const quoted = ruleSentences(ctx, id, outcomes);
  const names = [level.label, ...level.aliases].filter((n) => n.length >= 3);
  // The sentences that say what the level gets, not every one that names it in passing.
  const said = measureSentences(ctx.doc, id).filter((s) => !quoted.includes(s) && names.some((n) => s.includes(n)) && REWARD_WORDS.test(s));
  return said.length ? [`  ${ctx.replies.render('ownLevelSays', { level: level.label, text: said.join('') })}`] : [];
}

/** How an amount given with VAT became the one the rules count, for the rules that read it. */
function vatLines(ctx: AnswerContext, outcomes: AwardOutcome[], p: Parse): string[] {
  const v = p.slots.netOfVat;
  if (!v || p.slots.facts[v.field] !== v.net || !outcomes.some((o) => ruleFieldNames(o.rule).includes(v.field))) return [];
  return [`  ${ctx.replies.render('vatNet', { gross: formatYuan(v.gross), rate: v.rate, net: formatYuan(v.net) })}`];
}

/**
 * "2025年首次省级专精特新 那个10万找哪个部门": an answer about who handles it or how to apply, with
 * the asker's own facts, also says what those facts come to (after the answer itself).
 */
export function withOwnCase(ctx: AnswerContext, answer: QaAnswer, id: string, p: Parse): QaAnswer {
  const own = ownCase(ctx, id, p);
  return own ? { ...answer, reply: [answer.reply, ...own.lines].join('\n'), awards: own.awards } : answer;
}

/** "小巨人首次，省里奖了一百万，配套是一次性的吗": the arithmetic lines for the asker's own facts. */
function ownCase(ctx: AnswerContext, id: string, p: Parse): { lines: string[]; awards: AwardView[] } | null {
  const evaluated = evaluateRulesFor(ctx, id, p);
  if (!evaluated) return null;
  const lead = ctx.replies.render('computedLead');
  const lines = evaluated.lines.flatMap((l) => l.split('\n')).filter((l) => l.includes(lead)).map((l) => l.trim());
  return lines.length ? { lines, awards: evaluated.awards } : null;
}

/**
 * The measures a question gives facts for beyond naming a tier ("小巨人省里奖了120万…另外还办了一场
 * 对接会…"): each is answered, and their amounts are added up.
 */
export function measuresWithFacts(doc: PolicyDocument, p: Parse): string[] {
  const facts = p.slots.facts;
  const beyondTier = Object.fromEntries(Object.entries(facts).filter(([f]) => doc.fieldKind(f) !== 'tier'));
  // Which rules, not their outcomes: the amounts and their wording are not needed to count facts.
  const withFacts = p.mentionedMeasures.filter((id) => rulesOfQuestion(doc, id, facts).some((r) => ruleFactsUsed(r, beyondTier) > 0));
  // "2025年首次省级专精特新…技改投了350万 能拿多少": a measure named only by a level is asked about
  // too when the amount question (or the check) gives facts that only its rules read (首次, the year of recognition).
  // ("台江区一家企业 今年首次省级专精特新 同时首次获评市级企业技术中心 各多少": also beside a measure that pays no set amount.)
  const besideOther = p.mentionedMeasures.some((id) => !p.levelOnly.includes(id));
  const asksRules = p.intent === 'measure.amount' || p.intent === 'eligibility.start';
  if ((asksRules || (p.intent === 'measure.conditions' && besideOther)) && (withFacts.length || besideOther) && p.levelOnly.length) {
    const taken = new Set(withFacts.flatMap((id) => doc.rulesFor(id).flatMap(ruleFieldNames)));
    const ownFacts = Object.fromEntries(Object.entries(beyondTier).filter(([f]) => !taken.has(f)));
    for (const id of p.levelOnly) {
      if (!withFacts.includes(id) && rulesOfQuestion(doc, id, facts).some((r) => ruleFactsUsed(r, ownFacts) >= 2)) withFacts.push(id);
    }
  }
  // A measure's rules include its paragraphs': "第二条" and "第二条第一款" are one answer, the narrower.
  return withFacts.filter((id) => !withFacts.some((other) => other.startsWith(id + '.')));
}

export function severalMeasuresAnswer(ctx: AnswerContext, ids: string[], p: Parse, lead: 'amountLead' | 'conditionsLead'): QaAnswer {
  const answers = ids.map((id) => rulesAnswer(ctx, id, p, lead));
  const awards = answers.flatMap((a) => a.awards ?? []);
  // A measure that pays up to a cap ("不超过30万元") adds its cap, and makes the total a cap too.
  const totals = ids.map((id) => {
    const own = awards.filter((a) => a.measure === id && a.eligible && (a.yuan ?? a.maxYuan ?? null) !== null);
    return own.length ? { yuan: own.reduce((n, a) => n + (a.yuan ?? a.maxYuan)!, 0), upTo: own.some((a) => a.yuan === null) } : null;
  });
  const lines = answers.map((a) => a.reply);
  const counted = totals.filter((t): t is { yuan: number; upTo: boolean } => t !== null);
  if (counted.length >= 2) {
    const upTo = (capped: boolean) => (capped ? '不超过' : '');
    const sum = counted.reduce((n, t) => n + t.yuan, 0);
    lines.push(ctx.replies.render('severalMeasuresTotal', {
      parts: counted.map((t) => `${upTo(t.upTo)}${formatYuan(t.yuan)}`).join(' + '),
      total: `${upTo(counted.some((t) => t.upTo))}${formatYuan(sum)}`,
    }));
  }
  return { reply: lines.join('\n\n'), measures: ids, awards, ...(answers.some((a) => a.datedParts) ? { datedParts: true } : {}) };
}

/** The sentences of the measure that hold the shown rules' own words. */
function ruleSentences(ctx: AnswerContext, id: string, outcomes: AwardOutcome[]): string[] {
  return measureSentences(ctx.doc, id).filter((s) => outcomes.some((o) => s.includes(o.rule.quote)));
}

/** "是每年都发还是一次": the rule's own words on how often it pays (一次性, 每场次). */
/** How often a measure pays; with the asker's own facts (`withOwnCase`), what they come to, before the units line. */
export function frequencyAnswer(ctx: AnswerContext, id: string, p: Parse, withOwnCase = false): QaAnswer {
  const rules = ctx.doc.rulesFor(id);
  const mentioned = new Set(p.slots.numbers.filter((n) => n.kind === 'yuan').map((n) => n.value));
  const named = rules.filter((r) => (r.amount.kind === 'fixed' || r.amount.kind === 'perUnit') && mentioned.has(r.amount.yuan));
  const shown = named.length ? named : rules;
  const own = withOwnCase ? ownCase(ctx, id, p) : null;
  const withOwn = (answer: QaAnswer, units: string): QaAnswer =>
    own ? { ...answer, reply: [answer.reply, ...own.lines, units].join('\n'), awards: own.awards } : { ...answer, reply: [answer.reply, units].join('\n') };
  if (!shown.length) {
    const lines = [header(ctx, id), ...relevantSentences(ctx.doc, id, p.text, 2), ctx.replies.render('frequencyNone')];
    return withOwn({ reply: lines.join('\n'), measures: [id] }, unitsLine(ctx, id));
  }
  const measure = shown[0].measure;
  const quotes = measureSentences(ctx.doc, measure).filter((s) => shown.some((r) => s.includes(r.quote)));
  const lines = [
    ctx.replies.render('frequencyLead', { name: ctx.doc.displayName(measure) }),
    ...shown.map((r) => `· ${ruleSummary(ctx.doc, r)}`),
    ...shown.flatMap((r) => onceLines(ctx, r)),
    ctx.replies.render('quoteLine', { text: quotes.join('') }),
  ];
  return withOwn({ reply: lines.join('\n'), measures: [measure] }, unitsLine(ctx, measure));
}

/** "首次认定" can hold only once: a rule conditioned on it pays once, whether or not its summary says so. */
function onceLines(ctx: AnswerContext, rule: AwardRule): string[] {
  const once = rule.when.find((c) => c.once);
  return once && !ruleSummary(ctx.doc, rule).includes('一次性') ? [ctx.replies.render('frequencyOnce', { title: rule.title, condition: once.unmet })] : [];
}

/** The model could not decide between two kinds of question: ask rather than guess. */
export function clarifyAnswer(ctx: AnswerContext, alternatives: [string, string], labels: ReadonlyMap<string, string>): QaAnswer {
  const name = (id: string) => labels.get(id) ?? ctx.replies.render('clarifyTopic');
  return { reply: ctx.replies.render('clarify', { first: name(alternatives[0]), second: name(alternatives[1]) }), measures: [] };
}

export function listAnswer(ctx: AnswerContext): QaAnswer {
  const items = ctx.doc.topMeasures().map((m) => {
    const kids = ctx.doc.children(m.id).map((c) => c.title);
    return ctx.replies.render('listItem', { ordinal: m.ordinal ?? m.id, title: m.title, children: kids.length ? `（${kids.join('、')}）` : '' });
  });
  return { reply: ctx.replies.render('list', { docTitle: ctx.doc.title, status: ctx.doc.status, items: items.join('\n') }), measures: [] };
}

/** "哪几条写了明确的金额": the measures whose rules set an amount or a share, each with what it pays. */
export function amountListAnswer(ctx: AnswerContext): QaAnswer {
  const paying = ctx.doc.topMeasures().map((m) => ({ m, rules: ctx.doc.rulesFor(m.id).filter((r) => r.amount.kind !== 'unspecified') })).filter((x) => x.rules.length);
  const items = paying.map(({ m, rules }) => ctx.replies.render('amountListItem', { ordinal: m.ordinal ?? m.id, title: m.title, summaries: rules.map((r) => ruleSummary(ctx.doc, r)).join('；') }));
  return { reply: ctx.replies.render('amountList', { docTitle: ctx.doc.title, items: items.join('\n') }), measures: paying.map((x) => x.m.id) };
}

/** Whole days from one ISO date to another. */
export function daysBetween(fromIso: string, toIso: string): number {
  return Math.round((Date.parse(toIso + 'T00:00:00Z') - Date.parse(fromIso + 'T00:00:00Z')) / 86_400_000);
}

export function validityAnswer(ctx: AnswerContext): QaAnswer {
  const days = daysBetween(ctx.today, ctx.doc.validUntil);
  const values = {
    validUntil: formatChineseDate(ctx.doc.validUntil),
    validityText: ctx.doc.validityText,
    today: formatChineseDate(ctx.today),
    daysLeft: days,
    daysAgo: -days,
  };
  const key = days > 0 ? 'validityActive' : days === 0 ? 'validityLastDay' : 'validityExpired';
  return { reply: ctx.replies.render(key, values), measures: [] };
}

export function statusAnswer(ctx: AnswerContext): QaAnswer {
  const basisTitle = /《\s*([^》]+)》/.exec(ctx.doc.preamble)?.[1] ?? ctx.doc.basis;
  return {
    reply: ctx.replies.render('status', {
      docTitle: ctx.doc.title, status: ctx.doc.status, basis: ctx.doc.basis, basisTitle, validUntil: formatChineseDate(ctx.doc.validUntil),
    }),
    measures: [],
  };
}

/** Which measure is meant: among those the words point at ("牵头单位" → 第二条 or 第六条), else all. */
export function askWhichMeasure(ctx: AnswerContext, aspect: string, candidates: readonly string[] = []): QaAnswer {
  const named = candidates.map((id) => ctx.doc.measure(id)).filter((m) => m !== undefined);
  const list = (named.length >= 2 ? named.map((m) => ctx.doc.displayName(m.id)) : ctx.doc.topMeasures().map((m) => m.title)).join('、');
  return { reply: ctx.replies.render('askWhichMeasure', { list, aspect }), measures: [] };
}

// Zones whose offset has not changed since a date: their date is arithmetic. Asia/Shanghai has been
// UTC+8 all year since China's last daylight saving time ended in September 1991. The default zone
// otherwise makes Intl load its time-zone and locale data, about 5 MB of the node binary resident
// (measured with /proc/<pid>/smaps) and some 40 ms at start.
const FIXED_OFFSETS: Record<string, { since: number; offsetMs: number }> = {
  'Asia/Shanghai': { since: Date.UTC(1992, 0, 1), offsetMs: 8 * 3_600_000 },
};
// Years above 9999 are written differently by toISOString ("+010000-01-01").
const ISO_DATE_UNTIL = Date.UTC(9999, 0, 1);

/** The date in a fixed-offset zone as ISO, the same as Intl gives; undefined for other zones and times. */
export function fixedOffsetDate(now: number, timeZone: string): string | undefined {
  const zone = Object.hasOwn(FIXED_OFFSETS, timeZone) ? FIXED_OFFSETS[timeZone] : undefined;
  if (!zone || now < zone.since || now >= ISO_DATE_UNTIL) return undefined;
  return new Date(now + zone.offsetMs).toISOString().slice(0, 10);
}

// Building an Intl.DateTimeFormat costs about 0.2 ms, more than understanding a question: once per time zone.
// Formatting with it still showed in profiles (a few µs, two or three times a turn), so the last date
// is kept per zone for its minute: zone offsets since 1901 are whole minutes, so a date cannot change inside one.
const dateFormats = new Map<string, { format: Intl.DateTimeFormat; minute: number; date: string }>();

/** Today's date in Fuzhou (UTC+8), as ISO. */
export function todayIn(now: number, timeZone = 'Asia/Shanghai'): string {
  const fixed = fixedOffsetDate(now, timeZone);
  if (fixed !== undefined) return fixed;
  let zone = dateFormats.get(timeZone);
  if (!zone) {
    zone = { format: new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }), minute: NaN, date: '' };
    dateFormats.set(timeZone, zone);
  }
  const minute = Math.floor(now / 60_000);
  if (minute !== zone.minute) {
    zone.date = zone.format.format(new Date(now));
    zone.minute = minute;
  }
  return zone.date;
}

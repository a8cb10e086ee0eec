import type { FactValue } from '../../policy/index.js';
import { CLARIFY, FALLBACK, type Nlu, type Parse } from '../nlu/index.js';
import type { SubjectKind } from '../nlu/subjects.js';
import { SUBJECT_OF_AUDIENCE } from './answers.js';
import { carriedSubjects, rememberedGroups, type RememberedGroup } from './follow-up-subjects.js';

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
}

export interface ConversationContext {
  last?: AskedQuery;
  /** The query before the last, for "回到刚才那个". */
  previous?: AskedQuery;
}

export interface ContextLimits {
  maxAgeMs: number;
  maxTurns: number;
}

/** Whether the query is still fresh enough to lean on. */
function usable(q: AskedQuery | undefined, now: number, limits: ContextLimits): q is AskedQuery {
  return !!q && now - q.at <= limits.maxAgeMs && q.turns < limits.maxTurns;
}

/** The fields a measure's award rules read. */
function fieldsOfMeasure(nlu: Nlu, measure: string): Set<string> {
  return new Set(nlu.doc.rulesFor(measure).flatMap((r) => [...r.when.map((c) => c.field), ...('field' in r.amount ? [r.amount.field] : [])]));
}

/**
 * Facts a follow-up gives by a bare value that only makes sense for the measure in context:
 * "那省级的呢" after a cluster question is a cluster level, after a 小巨人 question a tier.
 */
function contextualFacts(nlu: Nlu, measure: string, text: string): Record<string, FactValue> {
  const doc = nlu.doc;
  const out: Record<string, FactValue> = {};
  const fields = fieldsOfMeasure(nlu, measure);
  const cues = nlu.lexicon.fieldCues;
  Object.assign(out, nlu.factsFor(text, [...fields].filter((f) => doc.fieldKind(f) === 'count' || doc.fieldKind(f) === 'yuan')));
  for (const field of fields) {
    const def = doc.field(field);
    if (!def) continue;
    if (def.kind === 'enum') {
      const value = ('values' in def ? (def.values as string[] | undefined) : undefined)?.find((v) => (cues[`${field}.${v}`] ?? []).some((w) => text.includes(w)));
      if (value) out[field] = value;
    } else if (def.kind === 'tier') {
      const tier = doc.tiers.filter((t) => t.id !== 'none').find((t) => [...t.aliases, ...t.answerAliases].some((a) => a.length >= 2 && text.includes(a)));
      if (tier) out[field] = tier.id;
    }
  }
  return out;
}

const NUM = '(\\d+|[一二两三四五六七八九十]+)';
const COUNTED: Record<string, RegExp> = {
  enterprise: new RegExp(`${NUM}\\s*(?:家|间|个(?=子公司|公司|厂|分公司))(?!银行|金融)`),
  event: new RegExp(`${NUM}\\s*场`),
  cluster: new RegExp(`${NUM}\\s*个`),
};

/** "两家呢", "还有两家子公司也是": how many subjects a follow-up counts, the asker included when it adds. */
function followUpCount(nlu: Nlu, text: string, measure: string): number | undefined {
  const kind = kindOf(nlu, measure);
  // "来了42家企业、7家银行" is attendance, not a count of askers.
  if (!kind || (kind === 'enterprise' && /银行|对接|参会/.test(text))) return undefined;
  const m = COUNTED[kind].exec(text);
  if (!m) return undefined;
  const n = /^\d/.test(m[1]) ? Number(m[1]) : ({ 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 } as Record<string, number>)[m[1]];
  if (!n || n > 50) return undefined;
  const adds = nlu.lexicon.subjectAddCues.some((w) => text.includes(w));
  return adds ? n + 1 : n;
}

/** What the measure's rules count (enterprises, events, clusters), as the answers read it. */
function kindOf(nlu: Nlu, measure: string): SubjectKind | undefined {
  const audience = nlu.doc.rulesFor(measure)[0]?.audience;
  return audience ? SUBJECT_OF_AUDIENCE[audience][0] : undefined;
}

/** One group of counted subjects of the kind the measure's rules pay. */
function countedSubjects(nlu: Nlu, measure: string, count: number, facts: Record<string, FactValue>): Parse['subjects'] {
  const kind = kindOf(nlu, measure);
  if (!kind) return {};
  return { [kind]: { shared: facts, groups: [{ kind, count, text: '', facts: {}, looseYuan: [] }] } };
}

/** The turn's own groups, sharing the conversation's facts under the turn's own shared ones. */
function withSharedFacts(subjects: Parse['subjects'], facts: Record<string, FactValue>): Parse['subjects'] {
  return Object.fromEntries(Object.entries(subjects).map(([kind, s]) => [kind, { ...s, shared: { ...facts, ...s.shared } }]));
}

/** The most likely measure question, by the model, when it thought the message global. */
function bestMeasureIntent(p: Parse, scopes: ReadonlyMap<string, string>): { label: string; probability: number } | undefined {
  const ranked = Object.entries(p.intentScores).filter(([id]) => scopes.get(id) === 'measure').sort((a, b) => b[1] - a[1]);
  return ranked.length ? { label: ranked[0][0], probability: ranked[0][1] } : undefined;
}

const levelAndFiller = new WeakMap<Nlu, string[]>();

/** Level names, follow-up cues, self words and fillers, longest first: built once per NLU. */
function levelAndFillerWords(nlu: Nlu): string[] {
  let words = levelAndFiller.get(nlu);
  if (!words) {
    const l = nlu.lexicon;
    words = [...nlu.doc.tiers.flatMap((t) => [...t.aliases, ...t.answerAliases]), ...l.followUpCues, ...l.selfWords, ...l.fillerWords]
      .filter((w) => w.length > 0).sort((a, b) => b.length - a.length);
    levelAndFiller.set(nlu, words);
  }
  return words;
}

/** Nothing but a level's name and follow-up words ("小巨人呢", "那省级的呢"), not a question of its own. */
function littleElse(nlu: Nlu, text: string): boolean {
  const names = levelAndFillerWords(nlu);
  let rest = text.replace(/[\s,.;!?，。？！]+/g, '');
  for (const w of names) rest = rest.split(w).join('');
  return rest.length <= 3;
}

/** Follow-up cues: the message leans on what came before ("那省级的呢", "这个归谁管"). */
function leansOnContext(nlu: Nlu, p: Parse): boolean {
  const t = p.text.replace(/[\s,.;!?，。？！]+/g, '');
  return nlu.lexicon.followUpCues.some((w) => t.startsWith(w) || t.endsWith(w));
}

/**
 * A short question the model could place nowhere ("钱发给谁", "按什么标准补", "多少钱没写吗"):
 * alone it would fall back, in a conversation it asks about the topic before it. Questions with
 * words of other domains ("那我个税能退吗") stay out of scope.
 */
function shortQuestionInContext(nlu: Nlu, p: Parse): boolean {
  const bare = p.text.replace(/[\s,.;!?，。？！]+/g, '');
  if (bare.length > 12 || !p.isQuestion || p.otherPlace || nlu.lexicon.outsideCues.some((w) => p.text.includes(w))) return false;
  const social = p.intent === FALLBACK || p.intent === 'greeting' || p.intent === 'thanks' || p.intent === 'help';
  return social ? p.confidence < 0.75 : nlu.intentScopes.get(p.intent) !== 'measure' && p.confidence < 0.6 && !p.asksForCheck;
}

export interface Resolved {
  parse: Parse;
  /** The facts the answer uses: the query's facts under this turn's own. */
  facts: Record<string, FactValue>;
  /** The query to remember after this turn, or undefined to leave the context as it is. */
  remember?: AskedQuery;
  backTo?: boolean;
}

/**
 * A turn read in its conversation: a measure, an aspect or facts it lacks come from the last
 * query; whatever it names itself replaces the query's (a correction replaces the slot it names).
 */
export function resolveFollowUp(nlu: Nlu, asked: Parse, ctx: ConversationContext, now: number, limits: ContextLimits): Resolved {
  let p = asked;
  const own = p.slots.facts;
  const scopes = nlu.intentScopes;
  const backTo = nlu.lexicon.backReferences.some((w) => p.text.includes(w));
  const target = backTo && usable(ctx.previous, now, limits) ? ctx.previous : usable(ctx.last, now, limits) ? ctx.last : undefined;
  const guess = bestMeasureIntent(p, scopes);
  if (target && guess && !p.measures.length && shortQuestionInContext(nlu, p)) p = { ...p, intent: guess.label, contextIntent: undefined };
  const isMeasureIntent = scopes.get(p.intent) === 'measure';
  const fresh = (q: Parse): Resolved => ({
    parse: q, facts: { ...own },
    remember: scopes.get(q.intent) === 'measure' && q.measures.length
      ? { intent: q.intent, measures: q.measures, facts: { ...own }, at: now, turns: 0, subjects: rememberedGroups(q, kindOf(nlu, q.measures[0])), ...(Object.keys(own).length ? { said: q.raw } : {}) }
      : undefined,
  });
  if (!target) return fresh(p);
  const targetMeasure = target.measures[0];
  const extra = contextualFacts(nlu, targetMeasure, p.text);
  const hasOwnFacts = Object.keys(own).length + Object.keys(extra).length > 0;
  const elliptical = leansOnContext(nlu, p) || backTo || p.slots.correction;
  // A short measure question ("怎么申请") leans on context; a short out-of-scope one ("今天天气怎么样") does not.
  const short = p.text.replace(/[\s,.;!?，。？！]+/g, '').length <= 8;
  // A confident global question ("有效期到什么时候") or a request for the check is not a follow-up.
  const counted = followUpCount(nlu, p.text, targetMeasure);
  const measureIntent = bestMeasureIntent(p, scopes);
  if (!isMeasureIntent && p.intent !== FALLBACK && p.intent !== CLARIFY) {
    const social = p.intent === 'greeting' || p.intent === 'thanks' || p.intent === 'help';
    const weakGlobal = p.intent === 'eligibility.start'
      ? !p.asksForCheck
      : social
        ? p.confidence < 0.6 || hasOwnFacts
        : p.confidence < 0.5 || ((measureIntent !== undefined && measureIntent.probability >= 0.15) || p.cueIntents.some((i) => scopes.get(i) === 'measure')) && (elliptical || short);
    const leaning = hasOwnFacts || elliptical || counted !== undefined || (short && measureIntent !== undefined && measureIntent.probability >= 0.15);
    if (!weakGlobal || !leaning) return fresh(p);
  }
  const named = p.measures.length ? p.measures : [];
  // Facts the measure in context has no use for ("省里奖了85w" after a 数字化 question) start a new topic.
  const targetFields = fieldsOfMeasure(nlu, targetMeasure);
  const foreign = Object.keys(own).some((f) => !targetFields.has(f) && nlu.doc.fieldKind(f) !== 'tier' && nlu.doc.fieldKind(f) !== 'boolean');
  if (foreign && !backTo && p.mentionedMeasures.some((m) => m !== targetMeasure)) return fresh(p);
  // "小巨人呢" after a 技改 question gives a value of the question's own fields: not a new topic.
  const namedByTopic = named.filter((m) => !p.levelOnly.includes(m));
  const givesOwnFields = Object.keys(extra).length > 0 && (namedByTopic.every((m) => m === targetMeasure) || littleElse(nlu, p.text));
  const switched = named.length > 0 && !named.includes(targetMeasure) && !p.mentionedMeasures.includes(targetMeasure) && !givesOwnFields;
  if (switched && !backTo) return fresh(p);
  const mentionsOther = p.mentionedMeasures.length > 0 && !p.mentionedMeasures.includes(targetMeasure) && !givesOwnFields;
  const needsContext = (isMeasureIntent && !named.length) || p.contextIntent !== undefined || p.intent === CLARIFY
    || (!isMeasureIntent && (hasOwnFacts || elliptical || counted !== undefined || (short && p.intent !== FALLBACK)) && !mentionsOther)
    || (isMeasureIntent && (named.includes(targetMeasure) || givesOwnFields) && (elliptical || hasOwnFacts || short));
  if (!needsContext) return fresh(p);
  // The aspect: what this turn asks, when it asks something; else the query's.
  const asksOwn = (isMeasureIntent && (p.confidence >= 0.5 || backTo) && !(hasOwnFacts && elliptical && p.text.length <= 16)) || (p.contextIntent !== undefined && p.confidence <= 0.5);
  // "这个以后每年还有吗": a measure question's cue word in a follow-up beats a general guess.
  const cued = p.cueIntents.find((i) => scopes.get(i) === 'measure' && i !== 'measure.content');
  const ownMeasureIntent = isMeasureIntent ? undefined : cued ?? (measureIntent && measureIntent.probability >= 0.15 && !hasOwnFacts ? measureIntent.label : undefined);
  const intent = asksOwn ? (isMeasureIntent ? p.intent : p.contextIntent!) : ownMeasureIntent ?? target.intent;
  const measures = backTo || !named.length || givesOwnFields ? target.measures : [targetMeasure, ...named.filter((m) => m !== targetMeasure)];
  const facts: Record<string, FactValue> = { ...target.facts, ...extra, ...own };
  // "还有一个信息化系统投了80万，加起来呢": amounts of an additive field add to the earlier one.
  if (nlu.lexicon.additiveCues.some((w) => p.text.includes(w))) {
    const countFields = Object.keys(own).filter((f) => nlu.doc.fieldKind(f) === 'count' && nlu.lexicon.countAddCues.some((w) => p.text.includes(w)));
    for (const field of [...nlu.lexicon.additiveFields, ...countFields]) {
      const before = target.facts[field];
      if (typeof before === 'number' && typeof own[field] === 'number' && !p.slots.correction) facts[field] = before + (own[field] as number);
    }
  }
  // Subjects added to the earlier ones ("还有一个厂…") or one of them corrected ("其中一家是复核").
  const kind = kindOf(nlu, measures[0]);
  const earlier = target.subjects ?? [{ count: 1, facts: target.facts, text: target.said ?? '' }];
  const carried = kind ? carriedSubjects(nlu, p, earlier, own, kind) : undefined;
  const parse: Parse = {
    ...p, intent, measures, needsMeasure: false, contextIntent: undefined, alternatives: undefined,
    slots: { ...p.slots, facts }, mentionedMeasures: measures,
    // The turn's own counted groups ("一个国家级一个省级集群") win over a bare count.
    subjects: carried && kind ? { [kind]: { shared: {}, groups: carried } }
      : counted === undefined || Object.keys(p.subjects).length ? withSharedFacts(p.subjects, facts) : countedSubjects(nlu, measures[0], counted, facts),
    confidence: Math.max(p.confidence, 0.6),
  };
  const said = Object.keys(own).length ? p.raw : target.said;
  return { parse, facts, remember: { intent, measures, facts, at: now, turns: target.turns + 1, subjects: rememberedGroups(parse, kind), ...(said ? { said } : {}) }, backTo };
}

/** The context after a turn: a new query pushes the last one back. */
export function nextContext(ctx: ConversationContext, r: Resolved): ConversationContext {
  if (!r.remember) return ctx;
  if (r.backTo) return { last: r.remember, previous: ctx.last };
  const sameTopic = ctx.last && ctx.last.measures[0] === r.remember.measures[0];
  return sameTopic ? { last: r.remember, previous: ctx.previous } : { last: r.remember, previous: ctx.last };
}

import { join } from 'node:path';
import { loadPolicyDocuments, measureWords, projectRoot, selectPolicyDocument, type PolicyDocument } from '../../policy/index.js';
import { trainClassifier, type Classifier, type TrainingExample, type TrainOptions } from './classifier.js';
import { createExtractor, TIER_FIELD, type Slots } from './extract.js';
import { levelSteps, sharedText, subjectGroups, withSiblingLevels, type SubjectGroup, type SubjectKind } from './subjects.js';
import { sharedOutTotals } from './group-totals.js';
import { intentFeatures, type FeatureSignals } from './features.js';
import { loadNluKnowledge, type IntentsFile, type Lexicon } from './knowledge.js';
import { buildCueIndex, buildMeasureIndex, cuesIn, measureScores, rankMeasures, topicMasker, type Scores } from './match.js';
import { normalizeText, replacementPairs } from './normalize.js';
import { createSegmenter, DEFAULT_SEGMENTER, type Segmenter, type SegmenterName } from './segment.js';
import { cachedClassifier, modelKey, type ModelCache, type ModelSource } from './model-cache.js';

export { SEGMENTER_NAMES, DEFAULT_SEGMENTER, type SegmenterName, type Segmenter } from './segment.js';
export type { Slots } from './extract.js';
export type { Lexicon } from './knowledge.js';

/** What the NLU understood of one message. */
export interface Parse {
  raw: string;
  /** Normalized text (simplified, half-width, typos fixed). */
  text: string;
  intent: string;
  confidence: number;
  /** Measure ids the question is about, most relevant first (empty for global intents). */
  measures: string[];
  /** Measures the words of the message point at, whatever the intent (context uses them). */
  mentionedMeasures: string[];
  slots: Slots;
  /** A measure-scoped intent whose measure the question does not name ("那责任单位呢"). */
  needsMeasure: boolean;
  /** Words of the measure the question is about, when its own words share none ("区里也有吗"). */
  focus?: string;
  isQuestion: boolean;
  /** Another place's own policy is asked about: outside these measures. */
  otherPlace: boolean;
  /** Asked of another place, the measure question it would be here ("厦门小巨人奖多少" → 第一条 amount), for "那福州的呢". */
  elsewhere?: { intent: string; measures: string[] };
  /** Out of scope alone, but this measure intent if the conversation gives it a measure ("这个归谁管"). */
  contextIntent?: string;
  /** When the model could not decide: the two intents it hesitated between, best first. */
  alternatives?: [string, string];
  /** Subjects counted in the question, by kind, with the facts all of them share. */
  subjects: Partial<Record<SubjectKind, { shared: Slots['facts']; groups: SubjectGroup[] }>>;
  /** Intents whose cue words the message has (intents.yaml `cues`). */
  cueIntents: string[];
  /** Measures named only by a level's name ("小巨人"): who asks, more than what about. */
  levelOnly: string[];
  /** An enterprise stating two or more profile facts about itself without asking anything. */
  describesItself: boolean;
  /** Words that ask for the whole eligibility check ("帮我测测", "政策体检"). */
  asksForCheck: boolean;
  /** Every intent's probability, from the model. */
  intentScores: Scores;
  measureScores: Scores;
}

export interface ParseContext {
  pendingField?: string;
  /** The year "今年" means, in the city's time zone (the caller knows it; the server may run in UTC). */
  currentYear?: number;
  now?: Date;
}

export interface Nlu {
  readonly segmenter: Segmenter;
  readonly doc: PolicyDocument;
  readonly lexicon: Lexicon;
  /** Intent id → what it asks about in words ("条件"), from intents.yaml. */
  readonly intentLabels: ReadonlyMap<string, string>;
  /** Intent id → scope. */
  readonly intentScopes: ReadonlyMap<string, 'measure' | 'global'>;
  parse(text: string, ctx?: ParseContext): Parse;
  /** The facts a message gives for these fields when the conversation is already about them. */
  factsFor(text: string, fields: readonly string[], ctx?: ParseContext): Slots['facts'];
}

export interface LoadNluOptions {
  segmenter?: SegmenterName;
  root?: string;
  doc?: PolicyDocument;
  /** Train on these questions instead of intents/training (cross-validation folds). */
  training?: readonly { text: string; intent: string }[];
  train?: TrainOptions;
  /** The model trained at build: read by default from dist/nlu-models; the build writes it; false: always train. */
  modelCache?: ModelCache | false;
}

export const FALLBACK = 'fallback';
export const CLARIFY = 'clarify';
const CHECK_INTENT = 'eligibility.start';
// "能走技改补助不", "够了没": a question asked by ending on its negation.
const A_NOT_A_END = /[\u4e00-\u9fa5](?:不|没|没有|否|伓|呣|无)[\s?？。!！]*$/;
const MEASURE_MIN = 0.6;
const UNSURE_OUTSIDE = 0.3;
// So sure a message is out of scope that words of a measure in it do not pull it back (the dialog's follow-ups too).
export const SURELY_OUTSIDE = 0.85;
const SPECIFIC_FIGURE = /具体/;
const CONTENT_INTENT = 'measure.content';
export const LIST_INTENT = 'measures.list';

export async function loadNlu(options: LoadNluOptions = {}): Promise<Nlu> {
  const root = options.root ?? projectRoot();
  const doc = options.doc ?? selectPolicyDocument(loadPolicyDocuments(join(root, 'policy', 'documents')));
  const knowledge = loadNluKnowledge(join(root, 'intents'));
  const domainWords = [...doc.measures.flatMap((m) => measureWords(m)), ...doc.tiers.flatMap((t) => [...t.aliases, ...t.answerAliases])];
  const segmenter = createSegmenter(options.segmenter ?? DEFAULT_SEGMENTER, knowledge.userDict, domainWords);
  const cache = options.modelCache ?? { dir: join(root, 'dist', 'nlu-models'), write: false };
  // Folds of a cross-validation train on other questions: never cached.
  const source: ModelSource | undefined = cache && !options.training
    ? { cache, key: () => modelKey({ segmenter: segmenter.name, userDict: knowledge.userDict, domainWords, intents: knowledge.intents, lexicon: knowledge.lexicon, training: knowledge.trainingDigest, train: options.train ?? {}, doc }) }
    : undefined;
  // The questions are read only if the model has to be trained here.
  return createNlu(doc, knowledge.lexicon, knowledge.intents, options.training ?? (() => knowledge.training), segmenter, options.train, source);
}

type Questions = readonly { text: string; intent: string }[];

export function createNlu(doc: PolicyDocument, lexicon: Lexicon, intents: IntentsFile, training: Questions | (() => Questions), segmenter: Segmenter, train: TrainOptions = {}, source?: ModelSource): Nlu {
  const replacements = replacementPairs(lexicon);
  const mask = topicMasker(doc);
  const measureIndex = buildMeasureIndex(doc, lexicon);
  const cueIndex = buildCueIndex(intents.intents);
  const extractor = createExtractor(doc, lexicon);
  const intentScopes = new Map(intents.intents.map((i) => [i.id, i.scope]));
  const otherPlacePolicy = otherPlacePolicyMatcher(lexicon);
  const ownMoneyElsewhere = ownMoneyElsewhereMatcher(lexicon);

  interface Understood { cueIntents: string[]; levelOnly: string[]; text: string; slots: Slots; subjects: Parse['subjects']; mScores: Scores; features: ReturnType<typeof intentFeatures>; otherPlace: boolean; isQuestion: boolean; domain: boolean }

  const placeNames = new RegExp([...lexicon.otherPlaces].sort((a, b) => b.length - a.length).join('|'), 'g');
  const hidePlaces = (text: string) => text.replace(placeNames, '外地');
  const levelNames = doc.tiers.filter((t) => t.id !== 'none').map((t) => [...t.aliases, ...t.answerAliases]);
  const levelWords = levelNames.flat();
  const profileFields = new Set(doc.profileFields.map((f) => f.field));
  const subjectFields: SubjectFields = {
    perMember: (field) => doc.fieldKind(field) === 'yuan' && !lexicon.additiveFields.includes(field),
    namesLevel: (text) => levelWords.some((w) => text.includes(w)),
    namesTwoLevels: (text) => levelNames.filter((names) => names.some((w) => text.includes(w))).length >= 2,
    isProfileField: (field) => profileFields.has(field),
    yearField: doc.profileFields.find((f) => f.kind === 'year')?.field,
  };

  // normalize → extract → score measures → features; the model and the decision come after.
  function understand(raw: string, ctx: ParseContext, training = false): Understood {
    const text = normalizeText(raw, replacements);
    const slots = extractor.extract(text, { pendingField: ctx.pendingField, currentYear: ctx.currentYear ?? (ctx.now ?? new Date()).getFullYear() });
    const levelOnly: string[] = [];
    const mScores = measureScores(measureIndex, text, slots, levelOnly);
    // Training needs only the features; counting subjects is for answering.
    const subjects = training ? {} : subjectsOf(text, slots, (t) => extractor.extract(t, { currentYear: ctx.currentYear ?? (ctx.now ?? new Date()).getFullYear(), question: text }), lexicon, subjectFields);
    const isQuestion = lexicon.questionCues.some((w) => text.includes(w)) || A_NOT_A_END.test(text);
    const otherPlace = otherPlacePolicy(text);
    const cues = cuesIn(cueIndex, text);
    const domain = lexicon.domainCues.some((w) => text.includes(w));
    const kinds = new Set(slots.numbers.map((n) => n.kind));
    const signals: FeatureSignals = {
      topMeasureScore: Math.max(0, ...Object.values(mScores)),
      tier: slots.facts[TIER_FIELD] !== undefined,
      yuan: kinds.has('yuan'),
      count: kinds.has('count'),
      year: kinds.has('year'),
      level: kinds.has('level'),
      measureRef: slots.measureRefs.length > 0,
      self: lexicon.selfWords.some((w) => text.includes(w)),
      question: isQuestion,
      otherPlacePolicy: otherPlace,
      namesDocument: lexicon.documentWords.some((w) => text.includes(w)),
      domain,
      cueIntents: cues.intents,
      cues: cues.words,
      outside: lexicon.outsideCues.filter((w) => text.includes(w)),
    };
    // Place names are hidden from the model: whose policy is asked is the rule's call, and the model
    // must not learn "厦门" as out of scope from the questions about other cities' policies.
    const seen = hidePlaces(text);
    const features = intentFeatures(seen, mask(seen), segmenter, signals);
    return { cueIntents: cues.intents, levelOnly, text, slots, subjects, mScores, features, otherPlace: otherPlace || (!training && ownMoneyElsewhere(text, slots)), isQuestion, domain };
  }

  const examples = (): TrainingExample[] => [
    ...intents.intents.flatMap((i) => i.examples.map((text) => ({ text, intent: i.id }))),
    ...(typeof training === 'function' ? training() : training),
  ].map((q) => ({ q, u: understand(q.text, { currentYear: 2026 }, true) }))
    // Another place's own policy is out of scope by the rule in front of the model, not by its words.
    .filter(({ q, u }) => !(q.intent === FALLBACK && u.otherPlace))
    .map(({ q, u }) => ({ label: q.intent, features: u.features }));
  const model: Classifier = cachedClassifier(source, () => trainClassifier(examples(), train));

  function parse(raw: string, ctx: ParseContext = {}): Parse {
    const u = understand(raw, ctx);
    const prediction = model.predict(u.features);
    // A loop, not Object.fromEntries: the same object (keys in rank order), at a fraction of the cost per question.
    const probabilities: Scores = {};
    for (const r of prediction.ranked) probabilities[r.label] = round(r.probability);
    const profileFacts = doc.profileFields.filter((f) => u.slots.facts[f.field] !== undefined).length;
    // "我们区今年一个国家级一个省级都成功了" is about clusters or events, not an enterprise's profile.
    const questionFacts = doc.questionFields.some((f) => u.slots.facts[f.field] !== undefined) || !!u.subjects.cluster || !!u.subjects.event;
    // ("技改补助归谁管 我们小巨人…": a question by a word the model's question cues do not hold.)
    const describesItself = profileFacts >= 2 && !questionFacts && !u.isQuestion && !lexicon.askingWords.some((w) => u.text.includes(w)) && lexicon.selfWords.some((w) => u.text.includes(w));
    // ("我们评测评了三级": the 测评 inside 评测评 asks for nothing.)
    const checkText = u.text.replace(/评测(?=评)/g, '评测 ');
    const asksForCheck = lexicon.checkRequests.some((w) => checkText.includes(w));
    const decision = withLocalTopUp(decide(prediction.ranked, u, intents.clarify, intentScopes, asksForCheck), u.text);
    const elsewhere = u.otherPlace ? questionHere(prediction.ranked, u.mScores, u.domain) : undefined;
    return {
      ...(elsewhere ? { elsewhere } : {}),
      raw, text: u.text, ...decision, describesItself, asksForCheck, levelOnly: u.levelOnly, cueIntents: u.cueIntents, confidence: round(decision.confidence), slots: u.slots, subjects: u.subjects, isQuestion: u.isQuestion,
      otherPlace: u.otherPlace, intentScores: probabilities, measureScores: u.mScores,
    };
  }

  /**
   * "区里也有吗", "县区会不会对专精特新再配一笔": a district's own top-up is the measure that encourages
   * it, unless the model is sure it is out of scope; "鼓楼区具体配套多少" asks a figure no measure sets.
   * Decided after the model, so the model stays as trained.
   */
  function withLocalTopUp(d: Decision, text: string): Decision {
    const { measure, who, asks } = lexicon.localTopUp;
    if (d.measures.some((m) => m !== measure) || !who.some((w) => text.includes(w)) || !asks.some((w) => text.includes(w)) || SPECIFIC_FIGURE.test(text)) return d;
    if (d.intent === FALLBACK ? d.confidence >= SURELY_OUTSIDE : intentScopes.get(d.intent) !== 'measure' && d.confidence >= 0.5) return d;
    // What the measure says of it is all there is: no amount, no condition of its own.
    return { ...d, intent: CONTENT_INTENT, confidence: Math.max(d.confidence, 0.6), measures: [measure], mentionedMeasures: [measure], needsMeasure: false, focus: lexicon.localTopUp.focus };
  }

  /**
   * The question another place's question would be here: the model's best measure intent and the
   * measures its words name, or the list of measures when it names none ("厦门对专精特新有啥奖励").
   */
  function questionHere(ranked: Ranked, mScores: Scores, domain: boolean): Parse['elsewhere'] {
    const intent = ranked.find((r) => intentScopes.get(r.label) === 'measure')?.label;
    const measures = rankMeasures(mScores, MEASURE_MIN);
    if (intent && measures.length) return { intent, measures };
    return domain ? { intent: LIST_INTENT, measures: [] } : undefined;
  }

  const intentLabels = new Map(intents.intents.filter((i) => i.label).map((i) => [i.id, i.label!]));
  function factsFor(raw: string, fields: readonly string[], ctx: ParseContext = {}): Slots['facts'] {
    const text = normalizeText(raw, replacements);
    const slots = extractor.extract(text, { currentYear: ctx.currentYear ?? (ctx.now ?? new Date()).getFullYear(), topicFields: fields });
    return Object.fromEntries(Object.entries(slots.facts).filter(([f]) => fields.includes(f)));
  }

  return { segmenter, doc, lexicon, intentLabels, intentScopes, parse, factsFor };
}

const SUBJECT_KINDS: SubjectKind[] = ['enterprise', 'event', 'cluster'];

/** The counted subjects of each kind; the shared facts come from the words before the first part. */
/** What the subjects' reading needs to know of the document's fields and levels. */
interface SubjectFields {
  /** Amounts each subject has of its own (a provincial award), as opposed to ones that add up. */
  perMember: (field: string) => boolean;
  namesLevel: (text: string) => boolean;
  /** Two different levels are named ("省级专精特新…又…小巨人"): one firm may hold both. */
  namesTwoLevels: (text: string) => boolean;
  isProfileField: (field: string) => boolean;
  /** The field a year is written to ("2025年首次认定"). */
  yearField?: string;
}

function subjectsOf(text: string, slots: Slots, extract: (text: string) => Slots, lexicon: Lexicon, { perMember, namesLevel, namesTwoLevels, isProfileField, yearField }: SubjectFields): Parse['subjects'] {
  const { districts, verdicts } = lexicon;
  const out: Parse['subjects'] = {};
  const factsOf = (segment: string) => {
    const s = extract(segment);
    const claimed = new Set(Object.values(s.facts));
    return { facts: s.facts, looseYuan: s.numbers.filter((n) => n.kind === 'yuan' && !claimed.has(n.value)).map((n) => n.value) };
  };
  for (const kind of SUBJECT_KINDS) {
    const found = subjectGroups(text, kind, factsOf, districts);
    const steps = (t: string) => levelSteps(t, TIER_FIELD, lexicon.laterStepWords, factsOf, yearField, lexicon.questionCues);
    // "a去年首次评上省级专精特新 今年又首次认定小巨人…b今年首次评上省级": one named firm at two levels is two subjects too.
    const counted = kind !== 'enterprise' ? found
      : !found.length ? (namesTwoLevels(text) ? steps(text) : found)
        : found.flatMap((g) => (g.count === 1 && g.text && namesTwoLevels(g.text) ? nonEmpty(steps(g.text)) ?? [g] : [g]));
    const each = kind === 'enterprise' ? amountGroups(text, slots, counted) ?? yearGroups(text, slots, counted, yearField) ?? counted : counted;
    const groups = kind === 'enterprise' ? withSiblingLevels(each, TIER_FIELD, namesLevel, isProfileField, factsOf) : counted;
    if (!groups.length) continue;
    const split = groups.some((g) => g.text);
    const totals = sharedOutTotals(text, groups, split ? extract(sharedText(text, groups)).facts : slots.facts, perMember, lexicon.statedTotalCues);
    out[kind] = { shared: totals.shared, groups: withVerdicts(totals.groups, verdicts, text) };
  }
  return out;
}

const nonEmpty = <T>(xs: T[]): T[] | undefined => (xs.length ? xs : undefined);

const REST_OF_COUNT = /其余|其他|剩下|剩余|另外的/;

/**
 * Each group's verdict from its own words; "其中两场银行不足5家 其他都达标": what follows "其他"
 * is said of the rest of the count, not of the group.
 */
function withVerdicts(groups: SubjectGroup[], verdicts: Lexicon['verdicts'], text: string): SubjectGroup[] {
  const verdictOf = (said: string): boolean | undefined => {
    // "够不够", "达不达标" ask; they say nothing of the group.
    // ("不少于35家" says at least: not "少于".)
    const words = said.replace(/(.)不\1/g, ' ').replace(/不(?:少于|低于|小于)/g, ' ');
    return verdicts.unmet.some((w) => words.includes(w)) ? false : verdicts.met.some((w) => words.includes(w)) ? true : undefined;
  };
  let rest: boolean | undefined;
  const out = groups.map((g) => {
    const at = g.text.search(REST_OF_COUNT);
    if (at >= 0) rest ??= verdictOf(g.text.slice(at));
    const verdict = g.text ? verdictOf(at >= 0 ? g.text.slice(0, at) : g.text) : undefined;
    return verdict === undefined ? g : { ...g, verdict };
  });
  // "办了三场 每场都够条件": one count for everyone, and the whole message says it of them.
  if (out.length === 1 && !out[0].text && out[0].count > 1 && EVERY_ONE.test(text)) rest ??= verdictOf(text);
  return out.map((g) => (!g.text && rest !== undefined ? { ...g, verdict: rest } : g));
}
const EVERY_ONE = /每场|每家|每个|都|均|全部/;

/**
 * "三家首次小巨人 省奖分别60万、75万、105万": one enterprise per amount of a field that is not a
 * sum, when the question counts no subjects of its own or counts as many as it gives amounts.
 */
function amountGroups(text: string, slots: Slots, counted: SubjectGroup[]): SubjectGroup[] | undefined {
  const [field, more] = Object.entries(slots.moreYuan)[0] ?? [];
  if (!field || !more) return undefined;
  const first = slots.numbers.find((n) => n.kind === 'yuan' && n.value === slots.facts[field]);
  if (!first) return undefined;
  const mentions = [first, ...more];
  // "A公司和B公司…省里分别奖了100万和50万": one amount for each subject named, in order.
  // ("两家…省奖分别是五十万和一百万 其中一家在高新区": one told apart for another reason takes one too.)
  if (counted.length === mentions.length && counted.length > 1 && counted.every((g) => g.count === 1 && (g.text || g.facts[field] === undefined))) {
    return counted.map((g, i) => ({ ...g, facts: { ...g.facts, [field]: mentions[i].value } }));
  }
  // "首次小巨人2家（省奖分别60万、90万），首次省专精特新7家": the group whose own words give one amount per subject.
  const holder = counted.find((g) => g.count > 1 && g.count === mentions.length && mentions.every((n) => g.text.includes(text.slice(n.start, n.end))));
  if (holder) {
    return counted.flatMap((g) => (g === holder ? mentions.map((n) => ({ ...g, count: 1, text: text.slice(n.start, n.end), facts: { ...g.facts, [field]: n.value } })) : [g]));
  }
  const total = counted.length === 1 && !counted[0].text ? counted[0].count : counted.length ? 0 : mentions.length;
  if (total !== mentions.length) return undefined;
  return mentions.map((n) => ({ kind: 'enterprise', count: 1, text: text.slice(n.start, n.end), facts: { [field]: n.value }, looseYuan: [] }));
}

// "分别是2024、2025和2026年": years listed one after another, with nothing but separators between.
const YEAR_LIST_GAP = /^[\s、,，和跟及与/]*$/;

/**
 * "3家子公司…首次认定分别是2024 2025 2026年": one enterprise per year listed (after 分别, when it is
 * said), when the question counts as many enterprises together as it lists years.
 */
function yearGroups(text: string, slots: Slots, counted: SubjectGroup[], yearField: string | undefined): SubjectGroup[] | undefined {
  // ("5家子公司…首次认定年份 2023 2024 2025 2025 2026": a run as long as the count, without 分别, too.)
  const at = text.indexOf('分别');
  if (!yearField || counted.length !== 1 || counted[0].text) return undefined;
  const years = slots.numbers.filter((n) => n.kind === 'year' && n.start > at);
  const run = years.filter((n, i) => i === 0 || YEAR_LIST_GAP.test(text.slice(years[i - 1].end, n.start)));
  if (run.length < 2 || run.length !== years.length || run.length !== counted[0].count) return undefined;
  return run.map((n) => ({ ...counted[0], count: 1, text: text.slice(n.start, n.end), facts: { ...counted[0].facts, [yearField]: n.value } }));
}

// "省里对小巨人奖多少钱": the province's own award, not the city's matching of it.
const PROVINCE_OWN_AWARD = /省(?:里|财政|级财政|厅)(?:自己|本身)?(?:对[^，,。]{0,12})?(?:奖|给|补)(?:多少|几)/;
// "省级专精特新认定门槛 营收要多少": how an enterprise gets recognised, which these measures do not set.
const RECOGNITION_CRITERIA = /(?:专精特新|小巨人)[^，,。 ]{0,6}(?:认定|评定|申报|评选)的?(?:标准|门槛|条件|指标|评分|要求|材料)/;

function provinceOwnPolicy(text: string, lexicon: Lexicon): boolean {
  return (PROVINCE_OWN_AWARD.test(text) || RECOGNITION_CRITERIA.test(text)) && !lexicon.cityMeasureWords.some((w) => text.includes(w));
}

// "省里给小巨人奖多少", "那省里头给多少钱", "省里给的钱呢", "省里那八十万是按啥定的": the province's own award.
// "国家级集群工信部给多少资金", "国家财政给多少奖励": the state's, likewise.
const PROVINCE_ASKED = /(?:省(?:里|里头|里面|财政|级财政|厅)|国家财政|中央财政|工信部|财政部)(?:自己|本身|本来)?[^，,。\d市]{0,8}?(?:奖|给|补|发|拨)[^，,。\d市]{0,5}?(?:多少|几多|几钱|啥标准|什么标准|比例)|省(?:里|里头)(?:给|发)的(?:钱|奖金|奖励|那笔)(?:呢|是)|省里那[^，,。]{0,6}万是(?:按|怎么|咋)/;
// Words that make it the city's money after all ("省里给80万 市里配多少").
const CITY_MONEY = /市|配套|福州/;

/**
 * "上海那边自己的展会补贴政策呢", "厦门那边的参展补贴是多少": the place's own money, even where the
 * enterprise exhibits there; "省里给小巨人奖多少": the province's. Read after the model (not one of
 * its features, nor a filter of its training questions), so the model stays as trained.
 */
function ownMoneyElsewhereMatcher(lexicon: Lexicon): (text: string, slots: Slots) => boolean {
  const places = lexicon.otherPlaces.join('|');
  const ownThere = new RegExp(`(${places})(?:市|省)?(?:那边|那里|当地|本地)(?:自己|自身|本身)?的?[^，,。？?]{0,10}(?:政策|补贴|补助|奖励|奖补|扶持)|(${places})(?:市|省)?(?:那边|当地)?(?:自己|自身|本身)的`);
  const visiting = /(去|到|赴|在|往|来)$/;
  return (text, slots) => {
    if (text.includes('福州')) return false;
    const there = ownThere.exec(text);
    if (there && !visiting.test(text.slice(Math.max(0, there.index - 1), there.index))) return true;
    const province = PROVINCE_ASKED.exec(text);
    // ("省里给了80万 …多少": a figure given is the asker's own case, unless the question is about that figure.)
    const givesFigure = slots.numbers.some((n) => n.kind === 'yuan') && !province?.[0].startsWith('省里那');
    return !!province && !CITY_MONEY.test(text) && !givesFigure;
  };
}

/**
 * A city or province named as the owner of a policy ("泉州市专精特新有什么奖励", "江苏的补贴") is
 * outside these measures; a Fuzhou enterprise going there ("去深圳参展") is not.
 */
function otherPlacePolicyMatcher(lexicon: Lexicon): (text: string) => boolean {
  const places = lexicon.otherPlaces.join('|');
  // "泉州市专精特新有什么奖励", "厦门的政策": the place owns the policy asked about.
  const owns = new RegExp(`(${places})(市|省|区)?(的|对|出台的|发布的|那边的|当地的)?(专精特新|政策|措施|小巨人)`);
  const near = new RegExp(`(${places})(市|省|区|那边|那里|当地|本地)?(的|对|出台|发布|有)?[^，,。？?]{0,10}(政策|奖励|奖补|补贴|补助|扶持|措施|专精特新|小巨人|认定|申报|配套|资金|优惠|奖|配多少|配几)`);
  const visiting = new RegExp(`(去|到|赴|在|往|来)(${places})`);
  // "上海来的博士", "从北京引进", "头家是温州人": who comes from the place, to a Fuzhou enterprise.
  // "跟北京的清华合作": a partner there, for a Fuzhou enterprise's project.
  const comingFrom = new RegExp(`从(?:${places})|(?:${places})(?:市|省)?(?:来的|过来|引进|毕业|回来|人)|(?:跟|和|与)(?:${places})[^，,。]{0,8}合作`);
  // "那厦门呢", "厦门那边呢": after a question about these measures, the same asked of another place.
  const samePlaceElsewhere = new RegExp(`^(?:那|那么)?(${places})(?:市|省|区)?(?:那边|那里|当地)?(?:的)?(?:呢|怎么样|是多少|配多少|给多少|奖多少)[?？]*$`);
  return (text) => {
    if (text.includes('福州')) return false;
    if (provinceOwnPolicy(text, lexicon)) return true;
    if (samePlaceElsewhere.test(text)) return true;
    if (owns.test(text)) return true;
    const m = near.exec(text);
    if (!m) return false;
    // "去深圳参加展会有补助吗", "上海展会能补吗", "苏州分厂": the place is where the enterprise goes or has a site.
    if (lexicon.venueWords.some((w) => text.includes(w)) || comingFrom.test(text)) return false;
    return !visiting.test(text.slice(Math.max(0, m.index - 1), m.index + m[1].length));
  };
}

interface Decision {
  intent: string;
  confidence: number;
  measures: string[];
  mentionedMeasures: string[];
  needsMeasure: boolean;
  alternatives?: [string, string];
  contextIntent?: string;
  focus?: string;
}

type Ranked = { label: string; probability: number }[];

function decide(
  ranked: Ranked, u: { slots: Slots; mScores: Scores; otherPlace: boolean; domain: boolean; isQuestion: boolean; levelOnly: string[] },
  clarify: IntentsFile['clarify'], scopes: ReadonlyMap<string, string>, asksForCheck: boolean,
): Decision {
  const mentioned = rankMeasures(u.mScores, MEASURE_MIN);
  const anyMention = Object.entries(u.mScores).filter(([, v]) => v >= MEASURE_MIN).sort((a, b) => b[1] - a[1]).map(([id]) => id);
  const none = { measures: [] as string[], mentionedMeasures: anyMention, needsMeasure: false };
  if (u.otherPlace) return { intent: FALLBACK, confidence: 0.9, ...none, mentionedMeasures: [] };
  const inScope = ranked.filter((r) => r.label !== FALLBACK);
  const bestOf = (scope: string) => ranked.find((r) => scopes.get(r.label) === scope && r.label !== FALLBACK);
  let [top, second] = ranked;
  // "第四条…": a named measure is never out of scope; a clearly named one rarely is, unless the model is sure.
  const topMeasure = Math.max(0, ...Object.values(u.mScores));
  // ("小巨人奖励": a measure named by a level only, when the model leans nowhere.)
  const unsureOutside = (topMeasure >= 1 && top.probability < 0.5) || (topMeasure >= MEASURE_MIN && top.probability < UNSURE_OUTSIDE);
  if (top.label === FALLBACK && (u.slots.measureRefs.length || unsureOutside)) [top, second] = [inScope[0], inScope[1]];
  // "第三条主要支持哪些方面", "要素保障讲了哪些": a named measure makes a list question about that measure.
  if (scopes.get(top.label) !== 'measure' && top.label !== FALLBACK && (u.slots.measureRefs.length || (top.label === 'measures.list' && topMeasure >= 1.5))) {
    const aspect = bestOf('measure');
    if (aspect) [top, second] = [aspect, top];
  }
  // "我们只是创新型中小企业 设备投了五百万 能走技改补助不": facts and a question about a measure its own
  // words name get that measure's answer; the check starts when asked for ("帮我测测").
  if (top.label === CHECK_INTENT && !asksForCheck && u.isQuestion && mentioned.some((m) => !u.levelOnly.includes(m))) {
    const aspect = bestOf('measure');
    if (aspect) [top, second] = [aspect, top];
  }
  if (scopes.get(top.label) === 'measure' && !mentioned.length) {
    // A measure question about no measure: a general question if one fits, out of scope when
    // nothing in it is about support at all; otherwise the dialog asks which (or takes context).
    const global = bestOf('global');
    if (global && global.probability >= 0.15) [top, second] = [global, top];
    else if (!u.domain) return { intent: FALLBACK, confidence: 1 - top.probability, ...none, contextIntent: top.label };
  }
  const unsure = ranked[0].probability < clarify.minProbability || ranked[0].probability - ranked[1].probability < clarify.minMargin;
  if (unsure && top === ranked[0] && top.label !== FALLBACK && second.label !== FALLBACK && scopes.get(top.label) !== scopes.get(second.label)) {
    // A measure named in the question settles it for the measure question ("技改明年才投，还能纳入吗").
    const measureSide = scopes.get(top.label) === 'measure' ? top : second;
    if (!mentioned.length) return { intent: CLARIFY, confidence: top.probability, ...none, alternatives: [top.label, second.label] };
    top = measureSide;
  }
  if (scopes.get(top.label) === 'measure') {
    return { intent: top.label, confidence: top.probability, measures: mentioned, mentionedMeasures: anyMention, needsMeasure: mentioned.length === 0 };
  }
  return { intent: top.label, confidence: top.probability, ...none };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

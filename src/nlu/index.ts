import { join } from 'node:path';
import { loadPolicyDocuments, projectRoot, selectPolicyDocument, type PolicyDocument } from '../../policy/index.js';
import { createExtractor, type Slots } from './extract.js';
import { loadNluKnowledge, type IntentsFile, type Lexicon } from './knowledge.js';
import { buildIntentModel, buildMeasureIndex, featuresOf, intentScores, measureScores, rankMeasures, topicMasker, type Scores } from './match.js';
import { normalizeText, replacementPairs } from './normalize.js';
import { createSegmenter, DEFAULT_SEGMENTER, type Segmenter, type SegmenterName } from './segment.js';

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
  /** Measure ids the question is about, most relevant first. */
  measures: string[];
  slots: Slots;
  /** A measure-scoped intent whose measure the question does not name ("那责任单位呢"). */
  needsMeasure: boolean;
  isQuestion: boolean;
  /** Names a place other than Fuzhou: outside these measures. */
  otherPlace: boolean;
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
  parse(text: string, ctx?: ParseContext): Parse;
}

export interface LoadNluOptions {
  segmenter?: SegmenterName;
  root?: string;
  doc?: PolicyDocument;
}

export const FALLBACK = 'fallback';
const MEASURE_MIN = 0.6;

export async function loadNlu(options: LoadNluOptions = {}): Promise<Nlu> {
  const root = options.root ?? projectRoot();
  const doc = options.doc ?? selectPolicyDocument(loadPolicyDocuments(join(root, 'policy', 'documents')));
  const knowledge = loadNluKnowledge(join(root, 'intents'));
  const domainWords = [...doc.measures.flatMap((m) => m.keywords), ...doc.tiers.flatMap((t) => [...t.aliases, ...t.answerAliases])];
  const segmenter = createSegmenter(options.segmenter ?? DEFAULT_SEGMENTER, knowledge.userDict, domainWords);
  return createNlu(doc, knowledge.lexicon, knowledge.intents, segmenter);
}

export function createNlu(doc: PolicyDocument, lexicon: Lexicon, intents: IntentsFile, segmenter: Segmenter): Nlu {
  const replacements = replacementPairs(lexicon);
  const stopwords = new Set(lexicon.stopwords);
  const mask = topicMasker(doc);
  const featurize = (text: string) => featuresOf(mask(text), segmenter, stopwords);
  const model = buildIntentModel(intents, (e) => featurize(normalizeText(e, replacements)));
  const measureIndex = buildMeasureIndex(doc, lexicon);
  const extractor = createExtractor(doc, lexicon);
  const scoped = (scope: string) => intents.intents.filter((i) => i.scope === scope).map((i) => i.id);
  const intentGroups = { global: scoped('global'), measure: scoped('measure') };

  // The steps, in order: normalize → extract → score measures → score intents → decide.
  function parse(raw: string, ctx: ParseContext = {}): Parse {
    const text = normalizeText(raw, replacements);
    const slots = extractor.extract(text, { pendingField: ctx.pendingField, currentYear: ctx.currentYear ?? (ctx.now ?? new Date()).getFullYear() });
    const mScores = measureScores(measureIndex, text, slots);
    const iScores = intentScores(model, text, featurize(text));
    const isQuestion = lexicon.questionCues.some((w) => text.includes(w));
    const profileFacts = doc.profileFields.filter((f) => slots.facts[f.field] !== undefined).length;
    if (profileFacts >= 2 && lexicon.selfWords.some((w) => text.includes(w))) iScores['eligibility.start'] = Math.max(iScores['eligibility.start'] ?? 0, isQuestion ? 0.8 : 0.95);
    const otherPlace = lexicon.otherPlaces.some((p) => text.includes(p)) && !text.includes('福州');
    const domain = lexicon.domainCues.some((w) => text.includes(w));
    const decision = decide(iScores, mScores, slots, model.threshold, otherPlace, domain, intentGroups);
    // Keyword cues add up past 1; confidence is a 0–1 figure wherever it is read.
    return { raw, text, ...decision, confidence: round(Math.min(1, Math.max(0, decision.confidence))), slots, isQuestion, otherPlace, intentScores: iScores, measureScores: mScores };
  }

  const intentLabels = new Map(intents.intents.filter((i) => i.label).map((i) => [i.id, i.label!]));
  return { segmenter, doc, lexicon, intentLabels, parse };
}

interface Decision {
  intent: string;
  confidence: number;
  measures: string[];
  needsMeasure: boolean;
}

function best(scores: Scores, ids: string[]): [string, number] {
  let top: [string, number] = [ids[0], -1];
  for (const id of ids) if ((scores[id] ?? 0) > top[1]) top = [id, scores[id] ?? 0];
  return top;
}

function decide(iScores: Scores, mScores: Scores, slots: Slots, threshold: number, otherPlace: boolean, domain: boolean, groups: { global: string[]; measure: string[] }): Decision {
  const none = { measures: [] as string[], needsMeasure: false };
  if (otherPlace) return { intent: FALLBACK, confidence: 0.9, ...none };
  const measures = rankMeasures(mScores, MEASURE_MIN);
  const [aspect, aspectScore] = best(iScores, groups.measure);
  const [global, globalScore] = best(iScores, groups.global);
  const topMeasure = measures.length ? mScores[measures[0]] : 0;

  // Validity and status questions stay themselves even when they name a measure.
  for (const id of ['policy.validity', 'policy.status']) {
    if ((iScores[id] ?? 0) >= 0.8 && (iScores[id] ?? 0) >= aspectScore) return { intent: id, confidence: iScores[id], ...none };
  }
  const eligibility = iScores['eligibility.start'] ?? 0;
  if (eligibility >= 0.85 && !slots.measureRefs.length && (topMeasure < 1.5 || eligibility >= aspectScore)) {
    return { intent: 'eligibility.start', confidence: eligibility, ...none };
  }
  if (measures.length) {
    const chosen = aspectScore >= threshold ? aspect : 'measure.content';
    const confidence = Math.min(1, 0.45 + 0.2 * Math.min(topMeasure, 2) + 0.15 * aspectScore);
    return { intent: chosen, confidence: round(confidence), measures, needsMeasure: false };
  }
  if (globalScore >= threshold && globalScore >= aspectScore) return { intent: global, confidence: round(globalScore), ...none };
  if (aspectScore >= 0.6 && domain) return { intent: aspect, confidence: round(aspectScore * 0.8), measures: [], needsMeasure: true };
  if (globalScore >= threshold) return { intent: global, confidence: round(globalScore), ...none };
  return { intent: FALLBACK, confidence: round(1 - Math.max(globalScore, aspectScore)), ...none };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

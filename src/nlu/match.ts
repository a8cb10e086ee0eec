import type { PolicyDocument } from '../../policy/index.js';
import type { IntentDefinition, IntentsFile, Lexicon } from './knowledge.js';
import type { Segmenter } from './segment.js';
import type { Slots } from './extract.js';

export type Scores = Record<string, number>;

/** Sparse binary features: words from the segmenter plus character bigrams (they survive typos). */
export type Features = Map<string, number>;

export function featuresOf(maskedText: string, segmenter: Segmenter, stopwords: ReadonlySet<string>): Features {
  const f: Features = new Map();
  const compact = maskedText.replace(/[\s,.;!?:()]+/g, '');
  for (const token of segmenter.cut(maskedText)) {
    const t = token.trim();
    if (t && !stopwords.has(t) && !/^[\s,.;!?:()#]+$/.test(t)) f.set('w:' + t, 1);
  }
  for (let i = 0; i + 1 < compact.length; i++) {
    const bg = compact.slice(i, i + 2);
    if (!bg.includes('#')) f.set('b:' + bg, 0.5);
  }
  return f;
}

export function cosine(a: Features, b: Features): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [k, v] of a) {
    na += v * v;
    const w = b.get(k);
    if (w) dot += v * w;
  }
  for (const v of b.values()) nb += v * v;
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** Topic words (measure keywords, titles, tier names) and numbers, blanked out so the
 * intent is judged on how the question is asked, not on what it is about. */
export function topicMasker(doc: PolicyDocument): (text: string) => string {
  const words = [
    ...doc.measures.flatMap((m) => [...m.keywords, m.title]),
    ...doc.tiers.flatMap((t) => [...t.aliases, ...t.answerAliases].filter((a) => a.length >= 2)),
    '专精特新', '中小企业',
  ];
  const sorted = [...new Set(words)].filter((w) => w.length >= 2).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const w of sorted) if (out.includes(w)) out = out.split(w).join(' ');
    return out.replace(/\d+(\.\d+)?/g, '#');
  };
}

export interface IntentModel {
  intents: IntentDefinition[];
  threshold: number;
  examples: { intent: string; features: Features }[];
  matchers: Map<string, { word: string; match: (text: string) => boolean; weight: number }[]>;
}

/** A keyword is a substring, "a*b" (a, then b within 8 characters), or an ASCII word. */
export function keywordMatcher(word: string): (text: string) => boolean {
  if (word.includes('*')) {
    const re = new RegExp(word.split('*').map(escapeRegExp).join('.{0,8}'));
    return (text) => re.test(text);
  }
  if (/^[a-z0-9]+$/.test(word)) {
    const re = new RegExp(`(^|[^a-z0-9])${word}([^a-z0-9]|$)`);
    return (text) => re.test(text);
  }
  return (text) => text.includes(word);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function buildIntentModel(file: IntentsFile, featurize: (text: string) => Features): IntentModel {
  return {
    intents: file.intents,
    matchers: new Map(file.intents.map((i) => [i.id, Object.entries(i.keywords).map(([word, weight]) => ({ word, match: keywordMatcher(word), weight }))])),
    threshold: file.threshold,
    examples: file.intents.flatMap((i) => i.examples.map((e) => ({ intent: i.id, features: featurize(e) }))),
  };
}

/** Per intent: the strongest keyword cue or the nearest example, whichever is higher. */
export function intentScores(model: IntentModel, text: string, features: Features): Scores {
  const scores: Scores = {};
  for (const intent of model.intents) {
    // The strongest cue, plus a little for each further cue: two cues agreeing beat one.
    const matched = model.matchers.get(intent.id)!.filter((k) => k.match(text));
    // "多少" inside "多少钱" is the same cue, not a second one.
    const hits = matched.filter((k) => !matched.some((o) => o !== k && o.word.includes(k.word))).map((k) => k.weight).sort((a, b) => b - a);
    scores[intent.id] = hits.length ? hits[0] + 0.15 * (hits.length - 1) : 0;
  }
  for (const ex of model.examples) {
    const sim = cosine(features, ex.features);
    if (sim > scores[ex.intent]) scores[ex.intent] = sim;
  }
  return scores;
}

interface MeasureIndex {
  keywords: { measure: string; word: string; weight: number; bigrams: string[] }[];
  titles: { measure: string; title: string }[];
  /** Figures that only one kind of rule takes (a provincial award, a bank count) point at its measure. */
  figureFields: { field: string; measure: string }[];
  percentMeasures: string[];
}

const FIGURE_KINDS = new Set(['yuan', 'count', 'level', 'enum']);

function bigramsOf(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < s.length; i++) out.push(s.slice(i, i + 2));
  return out;
}

export function buildMeasureIndex(doc: PolicyDocument, lexicon: Lexicon): MeasureIndex {
  const weak = new Set(lexicon.weakKeywords);
  const owners = new Map<string, number>();
  for (const m of doc.measures) for (const k of new Set(m.keywords)) owners.set(k, (owners.get(k) ?? 0) + 1);
  return {
    // Longest first, once: measureScores relies on the order.
    keywords: doc.measures.flatMap((m) =>
      m.keywords.map((word) => {
        // Longer, rarer words say more about the topic than short shared ones.
        const base = word.length >= 4 ? 1 : word.length === 3 ? 0.85 : 0.7;
        const weight = (weak.has(word) ? 0.35 : base) / (owners.get(word) ?? 1);
        return { measure: m.id, word, weight, bigrams: bigramsOf(word) };
      }),
    ).sort((a, b) => b.word.length - a.word.length),
    titles: doc.measures.map((m) => ({ measure: m.id, title: m.title })),
    figureFields: doc.awards.flatMap((r) =>
      [...r.when.map((c) => c.field), ...('field' in r.amount ? [r.amount.field] : [])]
        .filter((f) => FIGURE_KINDS.has(doc.fieldKind(f) ?? ''))
        .map((field) => ({ field, measure: r.measure })),
    ),
    percentMeasures: doc.awards.filter((r) => r.amount.kind === 'percentOf').map((r) => r.measure),
  };
}

/** How strongly the question is about each measure. */
export function measureScores(index: MeasureIndex, text: string, slots: Slots): Scores {
  const scores: Scores = {};
  const add = (id: string, v: number) => (scores[id] = (scores[id] ?? 0) + v);
  const matched = new Set<string>();
  for (const k of index.keywords) {
    if (!text.includes(k.word)) continue;
    // A keyword inside a longer matched one ("转型" in "数字化转型") adds little.
    const inside = [...matched].some((w) => w.includes(k.word));
    add(k.measure, inside ? k.weight * 0.3 : k.weight);
    matched.add(k.word);
  }
  // Typos: near matches are judged on what the exact matches left over, so "省级专精特新"
  // does not also count as a near "国家级专精特新".
  let residual = text.replace(/\s+/g, '');
  for (const w of matched) if (w.length >= 4) residual = residual.split(w).join(' ');
  const residualBigrams = new Set(bigramsOf(residual));
  for (const k of index.keywords) {
    if (matched.has(k.word) || k.word.length < 4) continue;
    const hits = k.bigrams.filter((b) => residualBigrams.has(b)).length / k.bigrams.length;
    if (hits >= 0.66) add(k.measure, k.weight * 0.7 * hits);
  }
  for (const t of index.titles) if (text.includes(t.title)) add(t.measure, 1.5);
  for (const ref of slots.measureRefs) add(ref, 5);
  const hinted = new Set(index.figureFields.filter((x) => slots.facts[x.field] !== undefined).map((x) => x.measure));
  if (slots.percent !== undefined) for (const m of index.percentMeasures) hinted.add(m);
  for (const m of hinted) add(m, 0.8);
  return scores;
}

/** Measures worth naming, best first: within reach of the best one. */
export function rankMeasures(scores: Scores, minimum: number): string[] {
  const ranked = Object.entries(scores).filter(([, s]) => s >= minimum).sort((a, b) => b[1] - a[1]);
  if (!ranked.length) return [];
  const best = ranked[0][1];
  return ranked.filter(([, s]) => s >= best * 0.5).map(([id]) => id);
}

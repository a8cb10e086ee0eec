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
  /** Keyword cues by the character a match must contain first, so a question is tested only against cues that can occur in it. */
  cues: CharIndex<Cue>;
  /** Feature → the examples that have it: a question is compared only with examples it shares a feature with. */
  postings: Map<string, { example: number; weight: number }[]>;
  /** Each example's squared norm and intent position, computed once. */
  exampleNorms: Float64Array;
  exampleIntents: Int32Array;
  /** Per-call scratch (parse is synchronous): dot products, and matched cues per intent. */
  dots: Float64Array;
  matched: Cue[][];
}

interface Cue {
  intent: number;
  word: string;
  match: (text: string) => boolean;
  weight: number;
}

/**
 * Items keyed by one character that must occur in a text for the item to match it; items
 * with no such character are always tried. Looking up the distinct characters of a short
 * question replaces testing every keyword against it.
 */
export class CharIndex<T> {
  private readonly byChar = new Map<string, T[]>();
  private readonly always: T[] = [];
  add(char: string | undefined, item: T): void {
    if (char === undefined) this.always.push(item);
    else this.byChar.set(char, [...(this.byChar.get(char) ?? []), item]);
  }
  /** Calls visit once per item whose character occurs in text (and for each always-item). */
  candidates(text: string, visit: (item: T) => void): void {
    for (const item of this.always) visit(item);
    const seen = new Set<string>();
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (seen.has(c)) continue;
      seen.add(c);
      const items = this.byChar.get(c);
      if (items) for (const item of items) visit(item);
    }
  }
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

/** A character every text matching the keyword contains: the first of its first literal part. */
function requiredChar(word: string): string | undefined {
  return word.split('*').find((part) => part.length > 0)?.[0];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function buildIntentModel(file: IntentsFile, featurize: (text: string) => Features): IntentModel {
  const examples = file.intents.flatMap((i) => i.examples.map((e) => ({ intent: i.id, features: featurize(e) })));
  const cues = new CharIndex<Cue>();
  file.intents.forEach((intent, index) => {
    for (const [word, weight] of Object.entries(intent.keywords)) cues.add(requiredChar(word), { intent: index, word, match: keywordMatcher(word), weight });
  });
  const postings = new Map<string, { example: number; weight: number }[]>();
  const exampleNorms = new Float64Array(examples.length);
  examples.forEach((ex, example) => {
    for (const [key, weight] of ex.features) {
      postings.set(key, [...(postings.get(key) ?? []), { example, weight }]);
      exampleNorms[example] += weight * weight;
    }
  });
  return {
    intents: file.intents,
    threshold: file.threshold,
    examples,
    cues,
    postings,
    exampleNorms,
    exampleIntents: Int32Array.from(examples, (ex) => file.intents.findIndex((i) => i.id === ex.intent)),
    dots: new Float64Array(examples.length),
    matched: file.intents.map(() => []),
  };
}

/**
 * Per intent: the strongest keyword cue or the nearest example (cosine), whichever is higher.
 * Feature weights are 1 and 0.5, so every sum here is exact and the order of summation
 * cannot change a score.
 */
export function intentScores(model: IntentModel, text: string, features: Features): Scores {
  const { intents, matched, dots, exampleNorms, exampleIntents } = model;
  model.cues.candidates(text, (cue) => {
    if (cue.match(text)) matched[cue.intent].push(cue);
  });
  const scores: Scores = {};
  for (let i = 0; i < intents.length; i++) {
    const cues = matched[i];
    // The strongest cue, plus a little for each further cue: two cues agreeing beat one.
    // "多少" inside "多少钱" is the same cue, not a second one.
    let count = 0;
    let top = 0;
    for (const k of cues) {
      if (cues.some((o) => o !== k && o.word.includes(k.word))) continue;
      if (count === 0 || k.weight > top) top = k.weight;
      count++;
    }
    scores[intents[i].id] = count ? top + 0.15 * (count - 1) : 0;
    cues.length = 0;
  }
  let na = 0;
  for (const [key, v] of features) {
    na += v * v;
    const postings = model.postings.get(key);
    if (postings) for (const p of postings) dots[p.example] += v * p.weight;
  }
  for (let e = 0; e < dots.length; e++) {
    const dot = dots[e];
    if (dot === 0) continue;
    dots[e] = 0;
    const nb = exampleNorms[e];
    const sim = na && nb ? dot / Math.sqrt(na * nb) : 0;
    const id = intents[exampleIntents[e]].id;
    if (sim > scores[id]) scores[id] = sim;
  }
  return scores;
}

interface MeasureKeyword {
  measure: string;
  word: string;
  weight: number;
  bigrams: string[];
}

interface MeasureIndex {
  keywords: MeasureKeyword[];
  /** Keyword positions by their first character. */
  byFirstChar: CharIndex<number>;
  /** Bigram → [keyword position, how often the keyword has it], for keywords of 4+ characters (near matches). */
  bigramPostings: Map<string, [number, number][]>;
  /** Per-call scratch (parse is synchronous): bigram hits per keyword. */
  bigramHits: Uint16Array;
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
  // Longest first, once: measureScores relies on the order.
  const keywords = doc.measures.flatMap((m) =>
    m.keywords.map((word) => {
      // Longer, rarer words say more about the topic than short shared ones.
      const base = word.length >= 4 ? 1 : word.length === 3 ? 0.85 : 0.7;
      const weight = (weak.has(word) ? 0.35 : base) / (owners.get(word) ?? 1);
      return { measure: m.id, word, weight, bigrams: bigramsOf(word) };
    }),
  ).sort((a, b) => b.word.length - a.word.length);
  const byFirstChar = new CharIndex<number>();
  const bigramPostings = new Map<string, [number, number][]>();
  keywords.forEach((k, i) => {
    byFirstChar.add(k.word.length ? k.word[0] : undefined, i);
    if (k.word.length < 4) return;
    for (const b of new Set(k.bigrams)) bigramPostings.set(b, [...(bigramPostings.get(b) ?? []), [i, k.bigrams.filter((x) => x === b).length]]);
  });
  return {
    keywords,
    byFirstChar,
    bigramPostings,
    bigramHits: new Uint16Array(keywords.length),
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
  const { keywords, bigramHits } = index;
  // Keywords in the text, visited in index order (longest first): the sums below depend on it.
  const present: number[] = [];
  index.byFirstChar.candidates(text, (i) => {
    if (text.includes(keywords[i].word)) present.push(i);
  });
  present.sort((a, b) => a - b);
  const matched = new Set<string>();
  for (const i of present) {
    const k = keywords[i];
    // A keyword inside a longer matched one ("转型" in "数字化转型") adds little.
    let inside = false;
    for (const w of matched) if (w.includes(k.word)) { inside = true; break; }
    add(k.measure, inside ? k.weight * 0.3 : k.weight);
    matched.add(k.word);
  }
  // Typos: near matches are judged on what the exact matches left over, so "省级专精特新"
  // does not also count as a near "国家级专精特新".
  let residual = text.replace(/\s+/g, '');
  for (const w of matched) if (w.length >= 4) residual = residual.split(w).join(' ');
  const near: number[] = [];
  for (const b of new Set(bigramsOf(residual))) {
    const postings = index.bigramPostings.get(b);
    if (!postings) continue;
    for (const [i, times] of postings) {
      if (bigramHits[i] === 0) near.push(i);
      bigramHits[i] += times;
    }
  }
  near.sort((a, b) => a - b);
  for (const i of near) {
    const k = keywords[i];
    const hits = bigramHits[i] / k.bigrams.length;
    bigramHits[i] = 0;
    if (matched.has(k.word)) continue;
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

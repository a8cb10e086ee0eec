import { createRequire } from 'node:module';
import { measureWords, type PolicyDocument } from '../../policy/index.js';
import type { Lexicon } from './knowledge.js';
import type { Slots } from './extract.js';

const require = createRequire(import.meta.url);
type PinyinPro = typeof import('pinyin-pro');
let pinyinPro: PinyinPro | undefined;
/**
 * pinyin-pro, loaded on the first question that is sounded out, not at start: loading it and its
 * first reading cost about 0.15 s of every start, and most questions name a measure and never
 * need it. Its CommonJS build (one file) rather than its ES build of 29 modules: the same version,
 * the same readings for every CJK character and every training question (checked), loaded faster.
 */
function pinyinOf(): PinyinPro {
  return (pinyinPro ??= require('pinyin-pro') as PinyinPro);
}

export type Scores = Record<string, number>;

/** What every measure is about: these words name no measure, exactly or nearly. */
const DOCUMENT_SUBJECT = ['专精特新', '中小企业'];

/** Bigrams of a keyword that share no character with the document's subject in it ("省里" of "省里的专精特新"). */
function ownBigrams(word: string): Set<string> {
  const generic = new Array<boolean>(word.length).fill(false);
  for (const w of DOCUMENT_SUBJECT) for (let at = word.indexOf(w); at !== -1; at = word.indexOf(w, at + 1)) generic.fill(true, at, at + w.length);
  const out = new Set<string>();
  for (let i = 0; i + 1 < word.length; i++) if (!generic[i] && !generic[i + 1]) out.add(word.slice(i, i + 2));
  return out;
}

/** Topic words (measure keywords, titles, tier names) and numbers, blanked out so the
 * intent is judged on how the question is asked, not on what it is about. */
export function topicMasker(doc: PolicyDocument): (text: string) => string {
  const words = [
    ...doc.measures.flatMap((m) => [...measureWords(m), m.title]),
    ...doc.tiers.flatMap((t) => [...t.aliases, ...t.answerAliases].filter((a) => a.length >= 2)),
    ...DOCUMENT_SUBJECT,
  ];
  const sorted = [...new Set(words)].filter((w) => w.length >= 2).sort((a, b) => b.length - a.length);
  // Masking only removes characters (and adds spaces), so a word whose first character is not in
  // the question cannot match: the index skips it, and the words that can are tried in the same order.
  const byFirstChar = new CharIndex<number>();
  // (A word starting with a space could match the spaces masking adds: it is always tried.)
  sorted.forEach((w, i) => byFirstChar.add(w[0] === ' ' ? undefined : w[0], i));
  const candidates: number[] = [];
  return (text) => {
    candidates.length = 0;
    byFirstChar.candidates(text, (i) => candidates.push(i));
    candidates.sort((a, b) => a - b);
    let out = text;
    for (const i of candidates) {
      const w = sorted[i];
      if (out.includes(w)) out = out.split(w).join(' ');
    }
    return out.replace(/\d+(\.\d+)?/g, '#');
  };
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
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      // Each character once, at its first occurrence: questions are short, so this is cheaper than a Set.
      if (text.indexOf(c) !== i) continue;
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

interface MeasureKeyword {
  measure: string;
  word: string;
  weight: number;
  bigrams: string[];
  /** Names an enterprise level ("小巨人", "省级专精特新"): says who asks more than what about. */
  tier: boolean;
  /** Whether the keyword is sounded out for typed homophones ("政银其"): not short or non-Chinese ones. */
  sounded: boolean;
  /** The keyword as the document writes it, before lower-casing: what is sounded out. */
  written: string;
}

const HAN = /^\p{Script=Han}+$/u;

/** " zheng yin qi " → "zheng". */
function firstSyllable(sound: string): string {
  return sound.slice(1, sound.indexOf(' ', 1));
}

/**
 * Toned syllable → toneless ("zhèng" → "zheng"), as pinyin-pro's own convert writes it. Bounded:
 * the keys are readings from pinyin-pro's dictionary, a fixed set of about 1,500 syllables.
 */
const tonelessSyllables = new Map<string, string>();

/** Toneless pinyin, one syllable per character, padded with spaces: " zheng yin qi ". */
export function soundOf(text: string): string {
  const { pinyin, convert } = pinyinOf();
  // pinyin-pro's toneType 'none' is its toned reading with the marks stripped by nine regular
  // expressions per syllable (about half the cost of a reading); here each syllable is stripped
  // once by the same function (convert's 'toneNone') and remembered. A character it has no
  // reading for comes back as itself and keeps its marks, as with toneType 'none'.
  const toned = pinyin(text, { type: 'array' });
  const chars = Array.from(text);
  if (toned.length !== chars.length) return ` ${pinyin(text, { toneType: 'none', type: 'array' }).join(' ')} `;
  const plain = toned.map((syllable, i) => {
    if (syllable === chars[i]) return syllable;
    let out = tonelessSyllables.get(syllable);
    if (out === undefined) tonelessSyllables.set(syllable, (out = convert(syllable, { format: 'toneNone' }) as string));
    return out;
  });
  return ` ${plain.join(' ')} `;
}

interface MeasureIndex {
  keywords: MeasureKeyword[];
  /** Keyword positions by their first character. */
  byFirstChar: CharIndex<number>;
  /** Bigram → [keyword position, how often the keyword has it, whether it is the keyword's own], for keywords of 4+ characters (near matches). */
  bigramPostings: Map<string, [number, number, boolean][]>;
  /** Per-call scratch (parse is synchronous): bigram hits per keyword, and hits on its own bigrams. */
  bigramHits: Uint16Array;
  ownHits: Uint16Array;
  /** The keywords' sounds, made on the first question sounded out (see pinyinOf). */
  sounds?: KeywordSounds;
  titles: { measure: string; title: string }[];
  /** Figures that only one kind of rule takes (a provincial award, a bank count) point at its measure. */
  figureFields: { field: string; measure: string }[];
  percentMeasures: string[];
  /** Fixed amounts the document sets, and their measures. */
  amounts: { measure: string; yuan: number }[];
}

const FIGURE_KINDS = new Set(['yuan', 'count', 'level', 'enum']);

function bigramsOf(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < s.length; i++) out.push(s.slice(i, i + 2));
  return out;
}

export function buildMeasureIndex(doc: PolicyDocument, lexicon: Lexicon): MeasureIndex {
  const weak = new Set(lexicon.weakKeywords);
  const tierWords = new Set(doc.tiers.flatMap((t) => [...t.aliases, ...t.answerAliases]).filter((a) => a.length >= 3));
  const owners = new Map<string, number>();
  for (const m of doc.measures) for (const k of new Set(measureWords(m))) owners.set(k, (owners.get(k) ?? 0) + 1);
  // Longest first, once: measureScores relies on the order.
  const keywords = doc.measures.flatMap((m) =>
    measureWords(m).map((word) => {
      // Longer, rarer words say more about the topic than short shared ones.
      const base = word.length >= 4 ? 1 : word.length === 3 ? 0.85 : 0.7;
      const weight = (weak.has(word) ? 0.35 : base) / (owners.get(word) ?? 1);
      // Questions are lower-cased before matching ("ipo").
      const sounded = word.length >= 3 && HAN.test(word);
      return { measure: m.id, word: word.toLowerCase(), weight, bigrams: bigramsOf(word.toLowerCase()), tier: tierWords.has(word), sounded, written: word };
    }),
  ).sort((a, b) => b.word.length - a.word.length);
  const byFirstChar = new CharIndex<number>();
  const bigramPostings = new Map<string, [number, number, boolean][]>();
  keywords.forEach((k, i) => {
    byFirstChar.add(k.word.length ? k.word[0] : undefined, i);
    if (k.word.length < 4) return;
    const own = ownBigrams(k.word);
    for (const b of new Set(k.bigrams)) bigramPostings.set(b, [...(bigramPostings.get(b) ?? []), [i, k.bigrams.filter((x) => x === b).length, own.has(b)]]);
  });
  return {
    keywords,
    byFirstChar,
    bigramPostings,
    bigramHits: new Uint16Array(keywords.length),
    ownHits: new Uint16Array(keywords.length),
    titles: doc.measures.map((m) => ({ measure: m.id, title: m.title })),
    figureFields: doc.awards.flatMap((r) =>
      [...r.when.map((c) => c.field), ...('field' in r.amount ? [r.amount.field] : [])]
        .filter((f) => FIGURE_KINDS.has(doc.fieldKind(f) ?? ''))
        .map((field) => ({ field, measure: r.measure })),
    ),
    percentMeasures: doc.awards.filter((r) => r.amount.kind === 'percentOf').map((r) => r.measure),
    amounts: doc.awards.flatMap((r) => (r.amount.kind === 'fixed' || r.amount.kind === 'perUnit' ? [{ measure: r.measure, yuan: r.amount.yuan }] : [])),
  };
}

interface KeywordSounds {
  /** Each keyword's sound (" zheng yin qi "), by position; empty for keywords not sounded out. */
  of: string[];
  /** Positions of keywords with a sound, by their first syllable ("zheng" → 政银对接会…). */
  byFirstSyllable: Map<string, number[]>;
}

function keywordSounds(index: MeasureIndex): KeywordSounds {
  if (index.sounds) return index.sounds;
  const of = index.keywords.map((k) => (k.sounded ? soundOf(k.written) : ''));
  const byFirstSyllable = new Map<string, number[]>();
  of.forEach((sound, i) => {
    if (!sound) return;
    const first = firstSyllable(sound);
    byFirstSyllable.set(first, [...(byFirstSyllable.get(first) ?? []), i]);
  });
  return (index.sounds = { of, byFirstSyllable });
}

/** How strongly the question is about each measure. */
export function measureScores(index: MeasureIndex, text: string, slots: Slots, levelOnly: string[] = []): Scores {
  const scores: Scores = {};
  const tierPart: Scores = {};
  const add = (id: string, v: number) => (scores[id] = (scores[id] ?? 0) + v);
  const addKeyword = (k: MeasureKeyword, v: number) => {
    add(k.measure, v);
    if (k.tier) tierPart[k.measure] = (tierPart[k.measure] ?? 0) + v;
  };
  const { keywords, bigramHits, ownHits } = index;
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
    addKeyword(k, inside ? k.weight * 0.3 : k.weight);
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
    for (const [i, times, own] of postings) {
      if (bigramHits[i] === 0) near.push(i);
      bigramHits[i] += times;
      if (own) ownHits[i] += 1;
    }
  }
  near.sort((a, b) => a - b);
  const credited = new Set<number>();
  for (const i of near) {
    const k = keywords[i];
    const hits = bigramHits[i] / k.bigrams.length;
    // "福州的专精特新" is near "省里的专精特新" only in the words every measure shares.
    const ownHit = ownHits[i] > 0;
    bigramHits[i] = 0;
    ownHits[i] = 0;
    if (matched.has(k.word)) continue;
    if (hits >= 0.66 && (ownHit || !DOCUMENT_SUBJECT.some((w) => k.word.includes(w)))) {
      addKeyword(k, k.weight * 0.7 * hits);
      credited.add(i);
    }
  }
  // Homophones typed by pinyin input ("政银其对结会", "专精特心"): the same sounds as a keyword.
  // Only when no measure is clearly named already: sounding out a question costs more than the rest of this.
  const named = Object.values(scores).some((v) => v >= 1);
  if (!named && (residual.match(/\p{Script=Han}/gu)?.length ?? 0) >= 3) {
    const sounds = soundOf(residual);
    const keywordSound = keywordSounds(index);
    // A keyword's sound is found only where its first syllable is one of the question's (both are
    // space-delimited), so only those keywords are tried, in index order as the sums require.
    const tried: number[] = [];
    for (const syllable of new Set(sounds.split(' '))) {
      const found = keywordSound.byFirstSyllable.get(syllable);
      if (found) tried.push(...found);
    }
    tried.sort((a, b) => a - b);
    for (const i of tried) {
      const k = keywords[i];
      if (!credited.has(i) && !matched.has(k.word) && sounds.includes(keywordSound.of[i])) addKeyword(k, k.weight * 0.8);
    }
  }
  for (const t of index.titles) if (text.includes(t.title)) add(t.measure, 1.5);
  for (const ref of slots.measureRefs) add(ref, 5);
  const hinted = new Set(index.figureFields.filter((x) => slots.facts[x.field] !== undefined).map((x) => x.measure));
  if (slots.percent !== undefined) for (const m of index.percentMeasures) hinted.add(m);
  // A figure only one kind of rule takes ("省里给了八十万", "设备投了三百五十万") names its measure.
  for (const m of hinted) add(m, 1.2);
  // The document's own amounts ("那个十万", "5万那个") point at their rule.
  for (const n of slots.numbers) {
    if (n.kind !== 'yuan') continue;
    for (const r of index.amounts) if (r.yuan === n.value) add(r.measure, 1);
  }
  // "我们是省级专精特新，技改投了…": when another measure is named by its own words or figures, a
  // level name is the asker describing itself and counts for half; a measure named by level names
  // alone stays below it, however many levels are named ("一家小巨人一家省专精特新，都想做技改").
  const topical = Object.keys(scores).filter((m) => scores[m] - (tierPart[m] ?? 0) >= 0.6);
  for (const [m, v] of Object.entries(tierPart)) {
    const only = scores[m] - v < 1e-9;
    if (only) levelOnly.push(m);
    if (!topical.length) continue;
    scores[m] -= v / 2;
    const rival = Math.max(0, ...topical.filter((t) => t !== m).map((t) => scores[t]));
    if (only && rival > 0) scores[m] = Math.min(scores[m], rival * 0.8);
  }
  return scores;
}

/** Measures worth naming, best first: within reach of the best one. */
export function rankMeasures(scores: Scores, minimum: number): string[] {
  const ranked = Object.entries(scores).filter(([, s]) => s >= minimum).sort((a, b) => b[1] - a[1]);
  if (!ranked.length) return [];
  const best = ranked[0][1];
  return ranked.filter(([, s]) => s >= best * 0.5).map(([id]) => id);
}

interface IntentCue {
  intent: string;
  word: string;
  match: (text: string) => boolean;
}

export interface CueIndex {
  byChar: CharIndex<IntentCue>;
}

/** Intent cue words (intents.yaml `cues`), indexed by a character each must contain. */
export function buildCueIndex(intents: readonly { id: string; cues: readonly string[] }[]): CueIndex {
  const byChar = new CharIndex<IntentCue>();
  for (const intent of intents) {
    for (const word of intent.cues) byChar.add(requiredChar(word), { intent: intent.id, word, match: keywordMatcher(word) });
  }
  return { byChar };
}

/** The cue words present in a text and the intents they belong to. */
export function cuesIn(index: CueIndex, text: string): { intents: string[]; words: string[] } {
  const intents = new Set<string>();
  const words: string[] = [];
  index.byChar.candidates(text, (cue) => {
    if (cue.match(text)) {
      intents.add(cue.intent);
      words.push(cue.word);
    }
  });
  return { intents: [...intents], words };
}

import type { Features } from './classifier.js';
import type { Segmenter } from './segment.js';

/** What the earlier steps found in a message, offered to the intent model as flags. */
export interface FeatureSignals {
  /** The best measure's score (0 when no measure word at all). */
  topMeasureScore: number;
  tier: boolean;
  yuan: boolean;
  count: boolean;
  year: boolean;
  level: boolean;
  measureRef: boolean;
  self: boolean;
  question: boolean;
  /** Another city's or province's own policy is the subject. */
  otherPlacePolicy: boolean;
  domain: boolean;
  /** Words that name the document or its support ("政策", "文件", "补贴"). */
  namesDocument: boolean;
  /** Intents whose cue words occur in the text. */
  cueIntents: readonly string[];
  /** The cue words themselves. */
  cues: readonly string[];
  /** Words of other domains present in the text. */
  outside: readonly string[];
}

const PUNCTUATION = /[\s,.;!?:()~，。；！？：、…“”"'（）【】\[\]@]+/g;

/**
 * Character n-grams (robust to typos and to the segmenter), words, the same grams over the
 * topic-masked text (how a question is asked, whatever it is about), and the flags above.
 */
export function intentFeatures(text: string, masked: string, segmenter: Segmenter, signals: FeatureSignals): Features {
  const f: Features = new Map();
  const compact = text.replace(PUNCTUATION, '').replace(/\d+(\.\d+)?/g, '#');
  const maskedCompact = masked.replace(PUNCTUATION, '').replace(/\d+(\.\d+)?/g, '#');
  for (let i = 0; i + 1 < compact.length; i++) f.set('b:' + compact.slice(i, i + 2), 1);
  for (let i = 0; i + 2 < compact.length; i++) f.set('t:' + compact.slice(i, i + 3), 1);
  for (let i = 0; i + 1 < maskedCompact.length; i++) f.set('m:' + maskedCompact.slice(i, i + 2), 1);
  for (const token of segmenter.cut(text)) {
    const t = token.trim();
    if (t && !PUNCTUATION.test(t)) f.set('w:' + t.replace(/\d+(\.\d+)?/g, '#'), 1);
    PUNCTUATION.lastIndex = 0;
  }
  const s = signals;
  if (compact.length <= 4) f.set('f:short', 1);
  else if (compact.length >= 20) f.set('f:long', 1);
  if (s.topMeasureScore >= 0.6) f.set('f:measure', 1);
  if (s.topMeasureScore >= 1.5) f.set('f:measureStrong', 1);
  if (s.topMeasureScore === 0) f.set('f:noMeasure', 1);
  for (const [name, on] of [
    ['tier', s.tier], ['yuan', s.yuan], ['count', s.count], ['year', s.year], ['level', s.level], ['ref', s.measureRef],
    ['self', s.self], ['question', s.question], ['otherPlacePolicy', s.otherPlacePolicy], ['domain', s.domain], ['document', s.namesDocument],
  ] as const) {
    if (on) f.set('f:' + name, 1);
  }
  for (const intent of s.cueIntents) f.set('cue:' + intent, 1);
  for (const cue of s.cues) f.set('kw:' + cue, 1);
  for (const word of s.outside) f.set('out:' + word, 1);
  if (s.outside.length) f.set('f:outside', 1);
  // Unit length: a long question must not outvote a short one by its number of n-grams.
  const norm = 1 / Math.sqrt(f.size);
  for (const key of f.keys()) f.set(key, norm);
  return f;
}

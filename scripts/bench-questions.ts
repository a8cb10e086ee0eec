// The benchmark's question set: the labelled questions and every intent example, each also
// in a few variations people actually produce (other numbers, typos, traditional script,
// @-mentions, emoji and full-width punctuation). Deterministic: the same seed, the same set.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { projectRoot } from '../policy/index.js';
import { parseLabelledQuestions } from './nlu-metrics.js';
import { seededRandom } from '../src/nlu/classifier.js';

export type Variation = 'original' | 'numbers' | 'typo' | 'traditional' | 'mention' | 'decorated' | 'combined';

export interface BenchQuestion {
  text: string;
  /** The label of the question it was made from (the labelled set, or the example's intent). */
  intent: string;
  variation: Variation;
}

const require = createRequire(import.meta.url);

interface Sources {
  labelled: { text: string; intent: string }[];
  examples: { text: string; intent: string }[];
  /** Correct word → the typos the lexicon rewrites into it ("门槛" → ["门坎", "门栏"]). */
  typos: Map<string, string[]>;
}

function readSources(root: string): Sources {
  const labelled = parseLabelledQuestions(readFileSync(join(root, 'intents', 'training', 'team-questions.jsonl'), 'utf8'));
  const intents = parseYaml(readFileSync(join(root, 'intents', 'intents.yaml'), 'utf8')) as { intents: { id: string; examples: string[] }[] };
  const lexicon = parseYaml(readFileSync(join(root, 'intents', 'lexicon.yaml'), 'utf8')) as { replacements: Record<string, string> };
  const typos = new Map<string, string[]>();
  for (const [typo, right] of Object.entries(lexicon.replacements)) {
    // Only real misspellings of a word (same length), not colloquial rewrites like 啥→什么.
    if (right.length >= 2 && typo.length === right.length) typos.set(right, [...(typos.get(right) ?? []), typo]);
  }
  return {
    labelled: labelled.map((q) => ({ text: q.text, intent: q.intent })),
    examples: intents.intents.flatMap((i) => i.examples.map((text) => ({ text, intent: i.id }))),
    typos,
  };
}

const MENTIONS = ['@政策助手 ', '@福州政策小助手\u2005', '@机器人 '];
const DECORATIONS = ['🙏', '？？', '！', '~', '😊', '…', '【急】'];
const AMOUNT_CLAUSES = ['，我们技改投资{n}万', '，省级奖励{n}万元', '（{y}年认定）', '，去年投了{n}万', '，数字化{l}级'];

export function generateBenchQuestions(minimum = 1000, seed = 7, root = projectRoot()): BenchQuestion[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const { labelled, examples, typos } = readSources(root);
  const { Converter } = require('opencc-js/cn2t') as { Converter(o: { from: string; to: string }): (s: string) => string };
  const toTraditional = Converter({ from: 'cn', to: 'tw' });

  const number = () => String(pick([50, 80, 100, 120, 200, 250, 300, 350, 500, 800, 1000, 3000]));
  const variations: Record<Exclude<Variation, 'original'>, (t: string) => string> = {
    // Other figures than the ones written: digits replaced, or an amount clause added.
    numbers: (t) => /\d/.test(t)
      ? t.replace(/\d+/g, (d) => (d.length === 4 ? String(2020 + Math.floor(random() * 7)) : number()))
      : t + pick(AMOUNT_CLAUSES).replace('{n}', number()).replace('{y}', String(2022 + Math.floor(random() * 5))).replace('{l}', String(1 + Math.floor(random() * 4))),
    typo: (t) => {
      const known = [...typos.keys()].filter((w) => t.includes(w));
      if (known.length) {
        const word = pick(known);
        return t.replace(word, pick(typos.get(word)!));
      }
      // No known misspelling: a repeated character, the commonest slip on a phone keyboard.
      const at = Math.floor(random() * t.length);
      return t.slice(0, at + 1) + t.slice(at);
    },
    traditional: (t) => toTraditional(t),
    mention: (t) => (random() < 0.7 ? pick(MENTIONS) + t : `${t} ${pick(MENTIONS).trim()}`),
    decorated: (t) => `${random() < 0.3 ? '  ' : ''}${t.replace(/\?$/, '？')}${pick(DECORATIONS)}`,
    combined: (t) => variations.mention(variations.traditional(variations.numbers(t))),
  };
  const kinds = Object.keys(variations) as Exclude<Variation, 'original'>[];

  const bases = [...labelled, ...examples];
  const out: BenchQuestion[] = bases.map((b) => ({ ...b, variation: 'original' as const }));
  const seen = new Set(out.map((q) => q.text));
  for (let round = 0; out.length < minimum && round < 50; round++) {
    for (const base of bases) {
      const variation = kinds[(round + out.length) % kinds.length];
      const text = variations[variation](base.text);
      if (seen.has(text) || text.length > 1000) continue;
      seen.add(text);
      out.push({ text, intent: base.intent, variation });
    }
  }
  return out;
}

/** The bodies of the HTTP load (and of the in-process baseline): 500 users asking the set in order. */
export function benchBodies(): string[] {
  return generateBenchQuestions(1000).map((q, i) => JSON.stringify({ text: q.text, user: `bench-user-${i % 500}` }));
}

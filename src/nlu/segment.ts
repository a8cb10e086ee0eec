import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Word segmentation behind one small interface, so the engine is chosen by measurement. */
export interface Segmenter {
  readonly name: SegmenterName;
  cut(text: string): string[];
}

export const SEGMENTER_NAMES = ['rs-jieba', 'nodejieba'] as const;
export type SegmenterName = (typeof SEGMENTER_NAMES)[number];
export const DEFAULT_SEGMENTER: SegmenterName = 'rs-jieba';

const require = createRequire(import.meta.url);

/** Words one per line as "word freq tag"; comments and blank lines dropped. */
function dictionaryLines(userDict: string, extraWords: readonly string[]): string[] {
  const lines = userDict.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const known = new Set(lines.map((l) => l.split(/\s+/)[0]));
  for (const w of extraWords) if (!known.has(w) && !/\s/.test(w)) lines.push(`${w} 200000 n`);
  return lines;
}

/** Loads only the engine asked for: nodejieba alone costs ~240 MB and over a second. */
export function createSegmenter(name: SegmenterName, userDict: string, extraWords: readonly string[] = []): Segmenter {
  const lines = dictionaryLines(userDict, extraWords);
  if (name === 'rs-jieba') {
    const { Jieba } = require('@node-rs/jieba') as typeof import('@node-rs/jieba');
    // The dictionary file read here and dropped after loading: '@node-rs/jieba/dict' would also
    // read the 6 MB idf table and keep both buffers alive for the life of the process.
    const jieba = Jieba.withDict(readFileSync(require.resolve('@node-rs/jieba/dict.txt')));
    jieba.loadDict(Buffer.from(lines.join('\n') + '\n'));
    return { name, cut: (text) => jieba.cut(text, true) };
  }
  const nodejieba = require('nodejieba') as { load(opts: object): void; cut(text: string, hmm?: boolean): string[]; insertWord(word: string, tag?: string): boolean };
  nodejieba.load({});
  for (const line of lines) nodejieba.insertWord(line.split(/\s+/)[0]);
  return { name, cut: (text) => mergeDigitRuns(nodejieba.cut(text, true)) };
}

/** nodejieba splits "350万" into 3/5/0/万; numbers must stay whole. */
export function mergeDigitRuns(tokens: string[]): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    const last = out[out.length - 1];
    if (last !== undefined && /^[\d.]+$/.test(t) && /^[\d.]+$/.test(last)) out[out.length - 1] = last + t;
    else out.push(t);
  }
  return out;
}

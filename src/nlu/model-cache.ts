import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { restoreClassifier, type Classifier, type ClassifierSnapshot } from './classifier.js';

/**
 * The intent model trained at build (`npm run build`) and read back at start, instead of
 * extracting the features of every training question and training again in each process
 * (about 0.6 s of a start). The file is named by a hash of everything the model depends on:
 * the training data, intents, lexicon, dictionary, policy document, training options, segmenter
 * the code of src/nlu and policy/, and the versions of the libraries that segment and normalise
 * the text. Any change to one of them misses the cache and trains as
 * before, so a stale model can never be used; the weights are stored bit for bit, so a model
 * read back predicts exactly what the one trained in process would.
 */
export interface ModelCache {
  dir: string;
  /** Whether a model trained on a miss is stored (the build), or only read (a start). */
  write: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Libraries whose output becomes features: another version may segment or normalise differently. */
const FEATURE_LIBRARIES = ['@node-rs/jieba', 'nodejieba', 'opencc-js', 'nzh', 'pinyin-pro'];

function versionOf(name: string): string {
  try {
    // Up from the entry point to the package's own package.json (dist/ folders may hold others).
    for (let dir = dirname(require.resolve(name)); dirname(dir) !== dir; dir = dirname(dir)) {
      const file = join(dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? '?';
    }
    return '?';
  } catch {
    return 'absent';
  }
}

/** The code the features and the model come from, as loaded now (dist/*.js, or src/*.ts under tsx). */
function codeDigest(): string {
  const hash = createHash('sha256');
  for (const dir of [here, join(here, '..', '..', 'policy')]) {
    for (const name of readdirSync(dir).filter((n) => /\.(js|ts)$/.test(n)).sort()) {
      hash.update(name).update('\0').update(readFileSync(join(dir, name))).update('\0');
    }
  }
  for (const name of FEATURE_LIBRARIES) hash.update(`${name}@${versionOf(name)}\0`);
  return hash.digest('hex');
}

let code: string | undefined;

/** The cache key of a model trained on these inputs (any JSON-able description of them). */
export function modelKey(inputs: unknown): string {
  code ??= codeDigest();
  return createHash('sha256').update(code).update(JSON.stringify(inputs)).digest('hex').slice(0, 32);
}

interface Header { labels: readonly string[]; vocabulary: readonly string[]; features: number }

/** Where a model may be found, and what names it. */
export interface ModelSource {
  cache: ModelCache;
  key(): string;
}

/** The model the source names, trained by `train` (and stored when the cache writes) if it is not there. */
export function cachedClassifier(source: ModelSource | undefined, train: () => Classifier): Classifier {
  if (!source) return train();
  const { cache } = source;
  const file = join(cache.dir, `${source.key()}.model`);
  const found = readModel(file);
  if (found) return restoreClassifier(found);
  const model = train();
  const snapshot = (model as { snapshot?: () => ClassifierSnapshot }).snapshot?.();
  if (cache.write && snapshot) writeModel(file, snapshot);
  return model;
}

/** Layout: a 4-byte header length, the header (JSON), padding to 8 bytes, the weights, the bias. */
function writeModel(file: string, s: ClassifierSnapshot): void {
  const header = Buffer.from(JSON.stringify({ labels: s.labels, vocabulary: s.vocabulary, features: s.vocabulary.length } satisfies Header));
  const start = Math.ceil((4 + header.length) / 8) * 8;
  const out = Buffer.alloc(start + (s.weights.length + s.bias.length) * 8);
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  Buffer.from(s.weights.buffer, s.weights.byteOffset, s.weights.byteLength).copy(out, start);
  Buffer.from(s.bias.buffer, s.bias.byteOffset, s.bias.byteLength).copy(out, start + s.weights.byteLength);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, out);
  renameSync(`${file}.tmp`, file);
}

function readModel(file: string): ClassifierSnapshot | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return undefined;
  }
  const length = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(4, 4 + length).toString('utf8')) as Header;
  const start = Math.ceil((4 + length) / 8) * 8;
  const K = header.labels.length;
  // The file's own memory when the weights sit 8-aligned in it (a file this size gets a buffer of
  // its own): copying 7 MB cost about 30 ms of a start. Copied out otherwise.
  const offset = buf.byteOffset + start;
  const count = (buf.length - start) / 8;
  const numbers = offset % 8 === 0 && Number.isInteger(count)
    ? new Float64Array(buf.buffer, offset, count)
    : new Float64Array(buf.buffer.slice(offset, buf.byteOffset + buf.length));
  if (numbers.length !== header.features * K + K) return undefined;
  return { labels: header.labels, vocabulary: header.vocabulary, weights: numbers.subarray(0, header.features * K), bias: numbers.subarray(header.features * K) };
}

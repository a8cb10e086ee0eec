import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
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

interface Header { labels: readonly string[]; names: string; features: number }

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

/**
 * Layout: a 4-byte header length, the header (JSON: labels, feature names), padding to 8 bytes,
 * the bias (64-bit), where each feature name ends (32-bit), the weights (32-bit).
 */
function writeModel(file: string, s: ClassifierSnapshot): void {
  const header = Buffer.from(JSON.stringify({ labels: s.labels, names: s.names, features: s.ends.length } satisfies Header));
  const start = Math.ceil((4 + header.length) / 8) * 8;
  const parts = [s.bias, s.ends, s.weights];
  const out = Buffer.alloc(start + parts.reduce((n, p) => n + p.byteLength, 0));
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  let at = start;
  for (const p of parts) at += Buffer.from(p.buffer, p.byteOffset, p.byteLength).copy(out, at);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, out);
  renameSync(`${file}.tmp`, file);
}

function readModel(file: string): ClassifierSnapshot | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    // Each part read straight into memory of its own: a view on one buffer of the whole file would
    // keep the header's bytes resident, and a copy out of it costs a start the time of the copy.
    let at = 0;
    const read = <T extends NodeJS.TypedArray>(into: T): T => {
      const n = readSync(fd, into, 0, into.byteLength, at);
      at += n;
      if (n !== into.byteLength) throw new Error(`${file}: truncated`);
      return into;
    };
    const length = read(Buffer.alloc(4)).readUInt32LE(0);
    const header = JSON.parse(read(Buffer.alloc(length)).toString('utf8')) as Header;
    const K = header.labels.length;
    const D = header.features;
    at = Math.ceil((4 + length) / 8) * 8;
    if (fstatSync(fd).size !== at + 8 * K + 4 * D + 4 * D * K) return undefined;
    const bias = read(new Float64Array(K));
    const ends = read(new Int32Array(D));
    const weights = read(new Float32Array(D * K));
    return { labels: header.labels, names: header.names, ends, weights, bias };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

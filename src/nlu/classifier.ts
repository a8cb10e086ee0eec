/**
 * Multinomial logistic regression over sparse features, trained in process at start.
 * No library in the npm registry fits: the well-kept ones are dense (ml-matrix based) or
 * binary only, and the model here is a few hundred examples of a few dozen features each,
 * which trains in tens of milliseconds with plain AdaGrad.
 */

/** Sparse features: name → value (usually 1). */
export type Features = Map<string, number>;

export interface TrainingExample {
  features: Features;
  label: string;
}

export interface TrainOptions {
  epochs?: number;
  learningRate?: number;
  /** L2 penalty per example step: keeps rare features from memorising one question. */
  l2?: number;
  /** Seed of the example order: the same data always gives the same model. */
  seed?: number;
  /** 0: every example counts once; 1: every class counts as much in total; between: a compromise. */
  balance?: number;
}

export interface Prediction {
  label: string;
  probability: number;
  /** Every label's probability, best first. */
  ranked: { label: string; probability: number }[];
}

export interface Classifier {
  readonly labels: readonly string[];
  predict(features: Features): Prediction;
}

/** A seeded PRNG (mulberry32): training order must not depend on Math.random. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Compiled {
  index: Int32Array;
  value: Float64Array;
}

export function trainClassifier(examples: readonly TrainingExample[], options: TrainOptions = {}): Classifier {
  const { epochs = 15, learningRate = 0.1, l2 = 1e-5, seed = 7, balance = 0.5 } = options;
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const vocabulary = new Map<string, number>();
  const compile = (f: Features, grow: boolean): Compiled => {
    const idx: number[] = [];
    const val: number[] = [];
    for (const [name, v] of f) {
      let i = vocabulary.get(name);
      if (i === undefined && grow) vocabulary.set(name, (i = vocabulary.size));
      if (i !== undefined) {
        idx.push(i);
        val.push(v);
      }
    }
    return { index: Int32Array.from(idx), value: Float64Array.from(val) };
  };
  const K = labels.length;
  const perClass = new Map<string, number>();
  for (const e of examples) perClass.set(e.label, (perClass.get(e.label) ?? 0) + 1);
  // Rare intents would otherwise lose every close call to the out-of-scope class.
  const weightOf = (label: string) => Math.pow(examples.length / (K * perClass.get(label)!), balance);
  const data = examples.map((e) => ({ x: compile(e.features, true), y: labelIndex.get(e.label)!, weight: weightOf(e.label) }));
  const D = vocabulary.size;
  // Weights laid out feature-major: one feature's K weights sit together.
  const w = new Float64Array(D * K);
  const bias = new Float64Array(K);
  const g2 = new Float64Array(D * K).fill(1e-8);
  const b2 = new Float64Array(K).fill(1e-8);
  const scores = new Float64Array(K);
  const random = seededRandom(seed);
  const order = data.map((_, i) => i);

  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const n of order) {
      const { x, y, weight } = data[n];
      softmaxInto(scores, w, bias, x, K);
      for (let k = 0; k < K; k++) {
        const grad = weight * (scores[k] - (k === y ? 1 : 0));
        b2[k] += grad * grad;
        bias[k] -= (learningRate * grad) / Math.sqrt(b2[k]);
        for (let t = 0; t < x.index.length; t++) {
          const p = x.index[t] * K + k;
          const gw = grad * x.value[t] + l2 * w[p];
          g2[p] += gw * gw;
          w[p] -= (learningRate * gw) / Math.sqrt(g2[p]);
        }
      }
    }
  }

  const names = [...vocabulary.keys()];
  const ends = new Int32Array(names.length);
  for (let i = 0, end = 0; i < names.length; i++) ends[i] = end += names[i].length;
  // The model keeps its weights in 32 bits (half the memory of a process: 5 instead of 10 MB); the
  // training above runs in 64, and only its result is rounded, here, for every use of the model alike.
  return restoreClassifier({ labels, names: names.join(''), ends, weights: Float32Array.from(w), bias });
}

/** A trained model, exactly: the build stores the default one (src/nlu/model-cache.ts) and start-up reads it back. */
export interface ClassifierSnapshot {
  labels: readonly string[];
  /** Feature names in weight order, one after another: name i ends at ends[i] and starts where name i − 1 ends. */
  names: string;
  ends: Int32Array;
  /** Feature-major: feature i's weights for every label at i × labels.length. */
  weights: Float32Array;
  bias: Float64Array;
}

/**
 * Feature name → its row of weights. A Map of the 84,000 names cost about 6 MB of heap (a string
 * object per name and the map's 3.7 MB table); this keeps the names in one string and an
 * open-addressing table of row numbers, about 2 MB.
 */
class FeatureIndex {
  private readonly table: Int32Array;
  private readonly mask: number;

  constructor(private readonly names: string, private readonly ends: Int32Array) {
    let size = 16;
    while (size < ends.length * 2) size *= 2;
    this.table = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (let i = 0; i < ends.length; i++) {
      const start = i === 0 ? 0 : ends[i - 1];
      let slot = hashOf(names, start, ends[i]) & this.mask;
      while (this.table[slot] !== -1) slot = (slot + 1) & this.mask;
      this.table[slot] = i;
    }
  }

  /** The name's row, or −1. */
  get(name: string): number {
    const { names, ends, table, mask } = this;
    const n = name.length;
    for (let slot = hashOf(name, 0, n) & mask; ; slot = (slot + 1) & mask) {
      const i = table[slot];
      if (i === -1) return -1;
      const start = i === 0 ? 0 : ends[i - 1];
      if (ends[i] - start !== n) continue;
      let j = 0;
      while (j < n && names.charCodeAt(start + j) === name.charCodeAt(j)) j++;
      if (j === n) return i;
    }
  }
}

/** FNV-1a over UTF-16 code units. */
function hashOf(s: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let j = start; j < end; j++) h = Math.imul(h ^ s.charCodeAt(j), 0x01000193);
  return h >>> 0;
}

export function restoreClassifier(snapshot: ClassifierSnapshot): Classifier & { snapshot(): ClassifierSnapshot } {
  const { labels, weights: w, bias } = snapshot;
  const K = labels.length;
  const index = new FeatureIndex(snapshot.names, snapshot.ends);
  const scores = new Float64Array(K);
  return {
    labels,
    snapshot: () => snapshot,
    predict(features: Features): Prediction {
      // The scores are summed straight from the feature map, in the order softmaxInto would
      // sum a compiled copy, without building one on every question.
      for (let k = 0; k < K; k++) scores[k] = bias[k];
      for (const [name, v] of features) {
        const i = index.get(name);
        if (i === -1) continue;
        const base = i * K;
        for (let k = 0; k < K; k++) scores[k] += w[base + k] * v;
      }
      softmax(scores, K);
      const ranked = labels.map((label, k) => ({ label, probability: scores[k] })).sort((a, b) => b.probability - a.probability);
      return { label: ranked[0].label, probability: ranked[0].probability, ranked };
    },
  };
}

function softmaxInto(out: Float64Array, w: Float64Array, bias: Float64Array, x: Compiled, K: number): void {
  for (let k = 0; k < K; k++) out[k] = bias[k];
  for (let t = 0; t < x.index.length; t++) {
    const base = x.index[t] * K;
    const v = x.value[t];
    for (let k = 0; k < K; k++) out[k] += w[base + k] * v;
  }
  softmax(out, K);
}

function softmax(out: Float64Array, K: number): void {
  let max = -Infinity;
  for (let k = 0; k < K; k++) if (out[k] > max) max = out[k];
  let sum = 0;
  for (let k = 0; k < K; k++) sum += out[k] = Math.exp(out[k] - max);
  for (let k = 0; k < K; k++) out[k] /= sum;
}

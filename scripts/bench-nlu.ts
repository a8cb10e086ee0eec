// Child of `npm run bench`: understanding latency for one segmenter, in a process of its own
// so that one engine's memory and JIT state do not colour the other's figures.
//   node dist/scripts/bench-nlu.js --segmenter rs-jieba|nodejieba [--passes 5]
import { parseArgs } from 'node:util';
import { loadNlu, SEGMENTER_NAMES, type SegmenterName } from '../src/nlu/index.js';
import { generateBenchQuestions } from './bench-questions.js';
import { percentile } from './bench-service.js';

export interface NluFigures {
  segmenter: SegmenterName;
  loadMs: number;
  questions: number;
  samples: number;
  /** µs per question: nlu.parse (normalize → extract → score measures and intents → decide). */
  parse: { p50: number; p99: number; mean: number };
  /**
   * µs per question, each question's fastest of the passes: what understanding costs without the
   * pauses other processes on a busy machine (and this one's GC) put into single samples.
   */
  parseBest: { p50: number; p99: number; mean: number };
  /** µs per question: segmenter.cut on the raw question alone, the floor under parse. */
  cut: { p50: number; p99: number; mean: number };
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

const micros = (from: bigint) => Number(process.hrtime.bigint() - from) / 1000;

async function main() {
  const { values } = parseArgs({ options: { segmenter: { type: 'string', default: 'rs-jieba' }, passes: { type: 'string', default: '5' } } });
  const segmenter = SEGMENTER_NAMES.find((s) => s === values.segmenter);
  if (!segmenter) throw new Error(`unknown segmenter ${values.segmenter}`);
  const questions = generateBenchQuestions(1000).map((q) => q.text);
  const loadStart = performance.now();
  const nlu = await loadNlu({ segmenter });
  const loadMs = performance.now() - loadStart;
  // One pass to warm the JIT and the segmenter's caches; the figures are of a running service.
  for (const q of questions) {
    nlu.segmenter.cut(q);
    nlu.parse(q);
  }
  const parse: number[] = [];
  const cut: number[] = [];
  for (let pass = 0; pass < Number(values.passes); pass++) {
    for (const q of questions) {
      let t = process.hrtime.bigint();
      nlu.segmenter.cut(q);
      cut.push(micros(t));
      t = process.hrtime.bigint();
      nlu.parse(q);
      parse.push(micros(t));
    }
  }
  const best = questions.map((_, i) => Math.min(...parse.filter((_, j) => j % questions.length === i)));
  const figures: NluFigures = { segmenter, loadMs, questions: questions.length, samples: parse.length, parse: summary(parse), parseBest: summary(best), cut: summary(cut) };
  process.stdout.write(JSON.stringify(figures) + '\n');
}

await main();

// Scores the NLU on the labelled question set with each segmenter, like `rasa test nlu`.
//   npm run eval:nlu [-- [--segmenter rs-jieba|nodejieba] [--json report.json]]
// Exits 1 when a segmenter's intent accuracy is below the threshold or when any in-scope
// question falls back: a fallback is a question the bot could have answered and didn't.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadNlu } from '../src/nlu/index.js';
import {
  accuracy,
  confusions,
  inScopeFallbacks,
  parseLabelledQuestions,
  scoresByLabel,
  type Confusion,
  type LabelledQuestion,
  type LabelScore,
  type Outcome,
} from './nlu-metrics.js';

const SEGMENTERS = ['rs-jieba', 'nodejieba'] as const;
type SegmenterName = (typeof SEGMENTERS)[number];

const MIN_INTENT_ACCURACY = 0.95;
const SET_PATH = fileURLToPath(new URL('../test/nlu/labelled-questions.jsonl', import.meta.url));
// Shown in the measure table when the NLU names no measure at all.
const NO_MEASURE = '(none)';

interface SegmenterReport {
  segmenter: SegmenterName;
  loadMs: number;
  parseMsPerQuestion: number;
  intentAccuracy: number;
  intents: LabelScore[];
  measureAccuracy: number;
  measures: LabelScore[];
  confusions: Confusion[];
  inScopeFallbacks: Outcome[];
  passed: boolean;
}

async function evaluate(segmenter: SegmenterName, questions: LabelledQuestion[]): Promise<SegmenterReport> {
  const loadStart = performance.now();
  const nlu = await loadNlu({ segmenter });
  const loadMs = performance.now() - loadStart;

  const intentOutcomes: Outcome[] = [];
  const measureOutcomes: Outcome[] = [];
  const parseStart = performance.now();
  for (const q of questions) {
    const parse = nlu.parse(q.text);
    intentOutcomes.push({ text: q.text, gold: q.intent, predicted: parse.intent });
    // Only the top measure is scored: it decides which measure the reply talks about.
    if (q.measures.length > 0) {
      measureOutcomes.push({ text: q.text, gold: q.measures[0], predicted: parse.measures[0] ?? NO_MEASURE });
    }
  }
  const parseMsPerQuestion = (performance.now() - parseStart) / questions.length;

  const intentAccuracy = accuracy(intentOutcomes);
  const fellBack = inScopeFallbacks(intentOutcomes);
  return {
    segmenter,
    loadMs,
    parseMsPerQuestion,
    intentAccuracy,
    intents: scoresByLabel(intentOutcomes),
    measureAccuracy: accuracy(measureOutcomes),
    measures: scoresByLabel(measureOutcomes),
    confusions: confusions(intentOutcomes),
    inScopeFallbacks: fellBack,
    passed: intentAccuracy >= MIN_INTENT_ACCURACY && fellBack.length === 0,
  };
}

function formatReport(report: SegmenterReport, questionCount: number, measureQuestionCount: number): string {
  const lines = [
    `=== segmenter: ${report.segmenter} (load ${report.loadMs.toFixed(0)} ms, ` +
      `${(report.parseMsPerQuestion * 1000).toFixed(0)} µs per question) ===`,
    `intent accuracy: ${report.intentAccuracy.toFixed(4)} on ${questionCount} questions ` +
      `(threshold ${MIN_INTENT_ACCURACY})`,
    '',
    'intents',
    ...formatScoreTable(report.intents),
    '',
    `top measure (${measureQuestionCount} questions labelled with a measure), accuracy ${report.measureAccuracy.toFixed(4)}`,
    ...formatScoreTable(report.measures),
    '',
    'intent confusions (gold → predicted)',
    ...(report.confusions.length === 0 ? ['  none'] : report.confusions.map(formatConfusion)),
    '',
    `in-scope questions answered with fallback: ${report.inScopeFallbacks.length}`,
    ...report.inScopeFallbacks.map((o) => `  [${o.gold}] ${o.text}`),
    '',
    report.passed ? 'PASS' : 'FAIL',
    '',
  ];
  return lines.join('\n');
}

function formatConfusion(c: Confusion): string {
  return `  ${c.gold} → ${c.predicted}  ×${c.count}   e.g. ${c.examples.map((t) => `「${t}」`).join(' ')}`;
}

function formatScoreTable(scores: readonly LabelScore[]): string[] {
  const width = Math.max(8, ...scores.map((s) => s.label.length));
  const header = `  ${'label'.padEnd(width)}  support  precision  recall      f1`;
  const rows = scores.map(
    (s) =>
      `  ${s.label.padEnd(width)}  ${String(s.support).padStart(7)}  ${s.precision.toFixed(3).padStart(9)}` +
      `  ${s.recall.toFixed(3).padStart(6)}  ${s.f1.toFixed(3).padStart(6)}`,
  );
  return [header, ...rows];
}

/** All segmenters by default; undefined when the name is not one of them. */
function chosenSegmenters(name: string | undefined): SegmenterName[] | undefined {
  if (name === undefined) return [...SEGMENTERS];
  const known = SEGMENTERS.find((s) => s === name);
  return known ? [known] : undefined;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { json: { type: 'string' }, segmenter: { type: 'string' } },
  });
  const segmenters = chosenSegmenters(values.segmenter);
  if (segmenters === undefined) {
    console.error(`eval:nlu: unknown --segmenter "${values.segmenter}"; expected one of ${SEGMENTERS.join(', ')}`);
    return 2;
  }
  const questions = parseLabelledQuestions(readFileSync(SET_PATH, 'utf8'));
  const measureQuestionCount = questions.filter((q) => q.measures.length > 0).length;

  const reports: SegmenterReport[] = [];
  // Sequential on purpose: nodejieba alone takes ~240 MB, and load times are reported.
  for (const segmenter of segmenters) {
    const report = await evaluate(segmenter, questions);
    process.stdout.write(formatReport(report, questions.length, measureQuestionCount));
    reports.push(report);
  }

  const passed = reports.every((r) => r.passed);
  if (values.json !== undefined) {
    const figures = {
      set: 'test/nlu/labelled-questions.jsonl',
      questions: questions.length,
      minIntentAccuracy: MIN_INTENT_ACCURACY,
      passed,
      segmenters: reports,
    };
    writeFileSync(values.json, JSON.stringify(figures, null, 2) + '\n');
  }
  return passed ? 0 : 1;
}

process.exitCode = await main();

// Metrics for scoring the NLU against a labelled question set, in the spirit of `rasa test nlu`.
// Pure functions only, so the report script stays thin and the arithmetic is unit-tested.

export interface LabelledQuestion {
  text: string;
  intent: string;
  /** The most relevant measure id first; empty when the question is not about one measure. */
  measures: string[];
}

/** One scored question: what the label says and what the NLU answered. */
export interface Outcome {
  text: string;
  gold: string;
  predicted: string;
}

export interface LabelScore {
  label: string;
  /** Questions whose gold label is this one. */
  support: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface Confusion {
  gold: string;
  predicted: string;
  count: number;
  examples: string[];
}

/** Parses a JSONL set, naming the line of the first malformed record. */
export function parseLabelledQuestions(jsonl: string): LabelledQuestion[] {
  const questions: LabelledQuestion[] = [];
  jsonl.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const record: unknown = JSON.parse(line);
    if (!isLabelledQuestion(record)) {
      throw new Error(`line ${index + 1}: expected {"text", "intent", "measures": string[]}, got ${line}`);
    }
    questions.push({ text: record.text, intent: record.intent, measures: record.measures });
  });
  return questions;
}

function isLabelledQuestion(value: unknown): value is LabelledQuestion {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.text === 'string' &&
    record.text.length > 0 &&
    typeof record.intent === 'string' &&
    Array.isArray(record.measures) &&
    record.measures.every((id) => typeof id === 'string')
  );
}

export function accuracy(outcomes: readonly Outcome[]): number {
  if (outcomes.length === 0) return 0;
  return outcomes.filter((o) => o.gold === o.predicted).length / outcomes.length;
}

/**
 * Precision, recall and F1 for every label seen as gold or as prediction, sorted by label.
 * A label that is only ever predicted still gets a row (support 0, precision 0), because
 * that is exactly the kind of mistake the report must show.
 * An undefined ratio (nothing predicted, nothing expected) counts as 0, as in scikit-learn.
 */
export function scoresByLabel(outcomes: readonly Outcome[]): LabelScore[] {
  const labels = new Set<string>();
  for (const o of outcomes) labels.add(o.gold).add(o.predicted);
  return [...labels].sort(compareLabels).map((label) => {
    const truePositives = outcomes.filter((o) => o.gold === label && o.predicted === label).length;
    const support = outcomes.filter((o) => o.gold === label).length;
    const predicted = outcomes.filter((o) => o.predicted === label).length;
    const precision = ratio(truePositives, predicted);
    const recall = ratio(truePositives, support);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, support, precision, recall, f1 };
  });
}

/** Every gold → predicted pair that differs, most frequent first, with a few texts to look at. */
export function confusions(outcomes: readonly Outcome[], examplesPerPair = 3): Confusion[] {
  const pairs = new Map<string, Confusion>();
  for (const o of outcomes) {
    if (o.gold === o.predicted) continue;
    const key = `${o.gold}\u0000${o.predicted}`;
    const pair = pairs.get(key) ?? { gold: o.gold, predicted: o.predicted, count: 0, examples: [] };
    pair.count += 1;
    if (pair.examples.length < examplesPerPair) pair.examples.push(o.text);
    pairs.set(key, pair);
  }
  return [...pairs.values()].sort(
    (a, b) => b.count - a.count || a.gold.localeCompare(b.gold) || a.predicted.localeCompare(b.predicted),
  );
}

/** In-scope questions the NLU gave up on: the failure users notice most, so it gates the eval. */
export function inScopeFallbacks(outcomes: readonly Outcome[], fallbackIntent = 'fallback'): Outcome[] {
  return outcomes.filter((o) => o.gold !== fallbackIntent && o.predicted === fallbackIntent);
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** Orders measure ids numerically ("2.1" before "10") and anything else alphabetically. */
function compareLabels(a: string, b: string): number {
  const numeric = /^\d+(\.\d+)?$/;
  if (numeric.test(a) && numeric.test(b)) return Number(a) - Number(b);
  return a.localeCompare(b);
}

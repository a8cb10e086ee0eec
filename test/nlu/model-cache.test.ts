// The model trained at build is read back at start: it must predict exactly what the one trained
// in process predicts, and a change to anything it was trained on must train afresh.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainClassifier, type Features, type TrainingExample } from '../../src/nlu/classifier.js';
import { cachedClassifier, modelKey } from '../../src/nlu/model-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'model-cache-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const features = (...names: string[]): Features => new Map(names.map((n) => [n, 1 / Math.sqrt(names.length)]));
const examples: TrainingExample[] = [
  { label: 'measure.amount', features: features('w:奖励', 'w:多少', 'b:多少') },
  { label: 'measure.amount', features: features('w:补贴', 'w:多少', 'f:yuan') },
  { label: 'measure.conditions', features: features('w:条件', 'w:什么', 'b:条件') },
  { label: 'measure.conditions', features: features('w:要求', 'w:门槛', 'f:question') },
  { label: 'greeting', features: features('w:你好', 'f:short') },
];
const questions = [features('w:奖励', 'w:多少'), features('w:门槛', 'f:question'), features('w:你好'), features('w:没见过')];

describe('the intent model stored at build', () => {
  it('predicts, read back, exactly what the model trained in process predicts', () => {
    const trained = trainClassifier(examples);
    let trainings = 0;
    const train = () => {
      trainings++;
      return trainClassifier(examples);
    };
    const source = { cache: { dir, write: true }, key: () => modelKey({ examples: 'v1' }) };
    cachedClassifier(source, train);
    expect(readdirSync(dir)).toHaveLength(1);
    const read = cachedClassifier({ ...source, cache: { dir, write: false } }, train);
    expect(trainings).toBe(1);
    for (const q of questions) expect(read.predict(q)).toEqual(trained.predict(q));
  });

  it('trains again when the inputs change, and a start never writes', () => {
    let trainings = 0;
    const train = () => {
      trainings++;
      return trainClassifier(examples);
    };
    const before = readdirSync(dir).length;
    cachedClassifier({ cache: { dir, write: false }, key: () => modelKey({ examples: 'v2' }) }, train);
    expect(trainings).toBe(1);
    expect(readdirSync(dir)).toHaveLength(before);
    expect(modelKey({ examples: 'v1' })).not.toBe(modelKey({ examples: 'v2' }));
  });
});

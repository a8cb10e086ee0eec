// Property-based attacks on the NLU itself, with both segmenters: any text (every code point,
// control characters, emoji, injection fragments, 1,000-character numeral soup) is understood
// without throwing, into values the dialog can trust; decoration never changes understanding.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseLabelledQuestions } from '../../scripts/nlu-metrics.js';
import { CLARIFY, FALLBACK, loadNlu, SEGMENTER_NAMES, type Nlu, type Parse } from '../../src/nlu/index.js';
import { anyText, FRAGMENTS } from './hostile.js';

const labelled = parseLabelledQuestions(readFileSync(fileURLToPath(new URL('../../intents/training/team-questions.jsonl', import.meta.url)), 'utf8'));
const intentsYaml = readFileSync(fileURLToPath(new URL('../../intents/intents.yaml', import.meta.url)), 'utf8');
const INTENTS = new Set([FALLBACK, CLARIFY, ...[...intentsYaml.matchAll(/^\s+- id: (\S+)/gm)].map((m) => m[1])]);

/** Numerals, units, ordinals and clause marks in long runs: the inputs a regex could choke on. */
const numeralSoup = fc.string({
  unit: fc.constantFrom(...'0123456789.,，、。万亿千百十零一二两三四五六七八九第条项款年级家场次个%百分之措施去年今年'.split(''), ' ', '　'),
  minLength: 200, maxLength: 1000,
});

const contexts = fc.record({
  pendingField: fc.constantFrom(undefined, 'tier', 'firstTime', 'recognizedYear', 'industrial', 'provincialAward', 'techInvestment', 'digitalLevel', 'noSuchField'),
  currentYear: fc.integer({ min: 1990, max: 2100 }),
});

function expectTrustworthy(nlu: Nlu, p: Parse): void {
  expect(INTENTS.has(p.intent), p.intent).toBe(true);
  expect(Number.isFinite(p.confidence) && p.confidence >= 0).toBe(true);
  const ids = new Set(nlu.doc.measures.map((m) => m.id));
  expect(p.measures.every((m) => ids.has(m))).toBe(true);
  expect(new Set(p.measures).size).toBe(p.measures.length);
  expect(typeof p.text).toBe('string');
  for (const [field, value] of Object.entries(p.slots.facts)) {
    expect(nlu.doc.fieldKind(field), field).toBeDefined();
    if (typeof value === 'number') expect(Number.isFinite(value), `${field}=${value}`).toBe(true);
    else expect(['string', 'boolean']).toContain(typeof value);
  }
  for (const n of p.slots.numbers) expect(Number.isFinite(n.value)).toBe(true);
  for (const score of [...Object.values(p.intentScores), ...Object.values(p.measureScores)]) expect(Number.isFinite(score)).toBe(true);
}

describe.each(SEGMENTER_NAMES)('NLU with %s under attack', (segmenter) => {
  let nlu: Nlu;
  beforeAll(async () => {
    nlu = await loadNlu({ segmenter });
  });

  it('any text, in any dialog context: no throw, trustworthy values, the same answer twice', () => {
    fc.assert(fc.property(anyText, contexts, (text, ctx) => {
      const p = nlu.parse(text, ctx);
      expectTrustworthy(nlu, p);
      expect(nlu.parse(text, ctx)).toEqual(p);
    }), { numRuns: segmenter === 'rs-jieba' ? 400 : 150 });
  });

  it('1,000 characters of numerals, units and ordinals', () => {
    fc.assert(fc.property(numeralSoup, contexts, (text, ctx) => {
      expectTrustworthy(nlu, nlu.parse(text, ctx));
    }), { numRuns: 40 });
  });

  it('a mention, emoji and spacing around a labelled question never change what is understood', () => {
    for (const q of labelled) {
      const plain = nlu.parse(q.text);
      const decorated = nlu.parse(`@政策助手 ${q.text} 🙏🙏\u200b`);
      expect({ q: q.text, intent: decorated.intent, measures: decorated.measures }).toEqual({ q: q.text, intent: plain.intent, measures: plain.measures });
    }
  });

  it('injection fragments alone are out of scope, not a measure', () => {
    for (const f of FRAGMENTS.filter((x) => !/\p{Script=Han}|\d/u.test(x))) {
      const p = nlu.parse(f);
      expectTrustworthy(nlu, p);
      expect(p.measures, f).toEqual([]);
    }
  });
});

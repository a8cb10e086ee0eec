import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { evaluateGroups, loadPolicyDocuments, projectRoot, selectPolicyDocument } from '../../policy/index.js';

const doc = selectPolicyDocument(loadPolicyDocuments(join(projectRoot(), 'policy', 'documents')));

describe('a measure evaluated for several subjects', () => {
  it('pays each enterprise of a group and adds the groups up', () => {
    const e = evaluateGroups(doc, '1', { tier: 'provincial', firstTime: true, recognizedYear: 2025, industrial: true }, [{ count: 2, facts: {} }]);
    expect(e?.yuan).toBe(200000);
    expect(e?.basis).toContain('10万元 × 2家 = 20万元');
  });

  it('counts only the events that meet the thresholds, and says why the others do not', () => {
    const e = evaluateGroups(doc, '2.1', {}, [
      { count: 2, facts: { eventEnterprises: 35, eventBanks: 6 } },
      { count: 1, facts: { eventEnterprises: 20 } },
    ], '场');
    expect(e?.yuan).toBe(100000);
    expect(e?.parts[1].outcome.status).toBe('not_eligible');
    expect(e?.parts[1].outcome.unmet.join()).toContain('30家以上');
  });

  it('takes an amount a group gave without saying what it is for the rule that needs one', () => {
    const e = evaluateGroups(doc, '1', { tier: 'little_giant', firstTime: true }, [
      { count: 1, facts: {}, looseYuan: [800000] },
      { count: 1, facts: {}, looseYuan: [1200000] },
    ]);
    expect(e?.yuan).toBe(1000000);
  });

  it('adds caps, not amounts, where the document sets only a ceiling', () => {
    const e = evaluateGroups(doc, '9', {}, [{ count: 1, facts: { clusterLevel: 'national' } }, { count: 1, facts: { clusterLevel: 'provincial' } }], '个');
    expect(e?.yuan).toBeNull();
    expect(e?.maxYuan).toBe(450000);
  });
});

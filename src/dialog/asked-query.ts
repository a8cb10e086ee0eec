// The query a conversation last asked, and the aspects a question asks of a measure.
import type { FactValue } from '../../policy/index.js';
import type { RememberedGroup } from './follow-up-subjects.js';

/** What a conversation last asked: a follow-up ("那省级的呢", "这个归谁管") leans on it. */
export interface AskedQuery {
  intent: string;
  measures: string[];
  facts: Record<string, FactValue>;
  at: number;
  /** Turns since the query was last asked or refined. */
  turns: number;
  /** The subjects the answer counted, when it counted any ("两家子公司…"). */
  subjects?: RememberedGroup[];
  /** The words that last gave facts: they name the asker's own enterprise in a later count. */
  said?: string;
  /** Measures answered beside the query's own ("…还牵头办了场对接会"), for a later turn's facts of them. */
  alongside?: string[];
  /** Asked of another place's policy: only a turn that names this city leans on it ("那福州的呢"). */
  elsewhere?: boolean;
  /** The facts before a turn changed the topic's level ("省级集群奖多少" → "那国家级的呢"): "两个都有" counts both. */
  levelBefore?: Record<string, FactValue>;
}

export const UNITS_INTENT = 'measure.units';

export const CONTENT_INTENT = 'measure.content';

export const AMOUNT_INTENT = 'measure.amount';

export const FREQUENCY_INTENT = 'measure.frequency';

export const CONDITIONS_INTENT = 'measure.conditions';

export const RULE_ASPECTS = new Set([AMOUNT_INTENT, CONDITIONS_INTENT]);

// Questions about the document (its dates, its status) rather than about one measure.
export const DOCUMENT_QUESTIONS = new Set(['policy.validity', 'policy.status']);

/**
 * What staff commands need to know about the question log, as the staff commands ask it.
 * src/store/sqlite-question-stats.ts answers it with SQL; memory-question-stats.ts is the fake.
 *
 * Counting rules, the same in both implementations:
 * - A "question" is a logged turn that is not an answer inside a running eligibility check
 *   ("是", "省级专精特新" …): intents `eligibility.*` count only as `eligibility.start`.
 * - A fallback is a turn whose intent is "fallback" (the /api/ask contract's out-of-scope intent).
 */

/** Milliseconds since epoch, `from` inclusive, `to` exclusive. */
export interface TimeRange {
  from: number;
  to: number;
}

export interface QuestionTotals {
  questions: number;
  fallbacks: number;
  /** Eligibility checks started. */
  checks: number;
  /** Distinct people (channel + user) who wrote anything. */
  people: number;
}

export interface DayCount {
  /** YYYY-MM-DD in the time zone given to perDay. */
  day: string;
  count: number;
}

export interface MeasureCount {
  measure: string;
  count: number;
}

export interface FallbackQuestion {
  text: string;
  count: number;
  lastAt: number;
}

export interface QuestionStats {
  totals(range: TimeRange): QuestionTotals;
  /** Questions per calendar day; days without questions are left out. */
  perDay(range: TimeRange, utcOffsetMinutes: number): DayCount[];
  /** Measures the questions were about, most asked first (ties by id). */
  topMeasures(range: TimeRange, limit: number): MeasureCount[];
  /** Distinct texts that fell back, the most recently asked first. */
  recentFallbacks(range: TimeRange, limit: number): FallbackQuestion[];
}

export const FALLBACK_INTENT = 'fallback';

/** True for the turns counted as questions (see the rules above). */
export function isQuestion(intent: string): boolean {
  return !intent.startsWith('eligibility.') || intent === 'eligibility.start';
}

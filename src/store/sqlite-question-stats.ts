import type {
  DayCount, FallbackQuestion, MeasureCount, QuestionStats, QuestionTotals, TimeRange,
} from '../staff/question-stats.js';
import type { Db } from './database.js';

// The counting rules live beside the port (src/staff/question-stats.ts); these fragments are
// their SQL form, and the contract test runs this class and the in-memory fake on the same log.
const IS_QUESTION = `(intent NOT LIKE 'eligibility.%' OR intent = 'eligibility.start')`;
const IN_RANGE = 'at >= @from AND at < @to';

/** Staff statistics straight from the question_log table (indexed on at and on intent, at). */
export class SqliteQuestionStats implements QuestionStats {
  private readonly totalsStmt;
  private readonly perDayStmt;
  private readonly topStmt;
  private readonly fallbacksStmt;

  constructor(db: Db) {
    this.totalsStmt = db.prepare(`SELECT
        COALESCE(SUM(CASE WHEN ${IS_QUESTION} THEN 1 ELSE 0 END), 0) AS questions,
        COALESCE(SUM(CASE WHEN intent = 'fallback' THEN 1 ELSE 0 END), 0) AS fallbacks,
        COALESCE(SUM(CASE WHEN intent = 'eligibility.start' THEN 1 ELSE 0 END), 0) AS checks,
        COUNT(DISTINCT channel || char(31) || user) AS people
      FROM question_log WHERE ${IN_RANGE}`);
    this.perDayStmt = db.prepare(`SELECT strftime('%Y-%m-%d', (at + @offset) / 1000, 'unixepoch') AS day, COUNT(*) AS count
      FROM question_log WHERE ${IN_RANGE} AND ${IS_QUESTION}
      GROUP BY day ORDER BY day`);
    this.topStmt = db.prepare(`SELECT m.value AS measure, COUNT(*) AS count
      FROM question_log q, json_each(q.measures) m
      WHERE q.at >= @from AND q.at < @to AND (q.intent NOT LIKE 'eligibility.%' OR q.intent = 'eligibility.start')
      GROUP BY m.value ORDER BY count DESC, measure LIMIT @limit`);
    this.fallbacksStmt = db.prepare(`SELECT text, COUNT(*) AS count, MAX(at) AS lastAt
      FROM question_log WHERE intent = 'fallback' AND ${IN_RANGE}
      GROUP BY text ORDER BY lastAt DESC, text LIMIT @limit`);
  }

  totals(range: TimeRange): QuestionTotals {
    return this.totalsStmt.get(range) as QuestionTotals;
  }

  perDay(range: TimeRange, utcOffsetMinutes: number): DayCount[] {
    return this.perDayStmt.all({ ...range, offset: utcOffsetMinutes * 60_000 }) as DayCount[];
  }

  topMeasures(range: TimeRange, limit: number): MeasureCount[] {
    return this.topStmt.all({ ...range, limit }) as MeasureCount[];
  }

  recentFallbacks(range: TimeRange, limit: number): FallbackQuestion[] {
    return this.fallbacksStmt.all({ ...range, limit }) as FallbackQuestion[];
  }
}

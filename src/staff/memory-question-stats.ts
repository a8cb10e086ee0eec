import type { QuestionLogEntry } from '../core/ports.js';
import {
  FALLBACK_INTENT, isQuestion,
  type DayCount, type FallbackQuestion, type MeasureCount, type QuestionStats, type QuestionTotals, type TimeRange,
} from './question-stats.js';

/** The in-memory fake of QuestionStats over a list of log entries (e.g. MemoryQuestionLog.entries). */
export class MemoryQuestionStats implements QuestionStats {
  constructor(private readonly entries: readonly QuestionLogEntry[]) {}

  private within(range: TimeRange): QuestionLogEntry[] {
    return this.entries.filter((e) => e.at >= range.from && e.at < range.to);
  }

  totals(range: TimeRange): QuestionTotals {
    const rows = this.within(range);
    return {
      questions: rows.filter((e) => isQuestion(e.intent)).length,
      fallbacks: rows.filter((e) => e.intent === FALLBACK_INTENT).length,
      checks: rows.filter((e) => e.intent === 'eligibility.start').length,
      people: new Set(rows.map((e) => `${e.channel}\u001f${e.user}`)).size,
    };
  }

  perDay(range: TimeRange, utcOffsetMinutes: number): DayCount[] {
    const counts = new Map<string, number>();
    for (const e of this.within(range)) {
      if (!isQuestion(e.intent)) continue;
      const day = new Date(e.at + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
      counts.set(day, (counts.get(day) ?? 0) + 1);
    }
    return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, count]) => ({ day, count }));
  }

  topMeasures(range: TimeRange, limit: number): MeasureCount[] {
    const counts = new Map<string, number>();
    for (const e of this.within(range)) {
      if (!isQuestion(e.intent)) continue;
      for (const m of e.measures) counts.set(m, (counts.get(m) ?? 0) + 1);
    }
    return [...counts]
      .map(([measure, count]) => ({ measure, count }))
      .sort((a, b) => b.count - a.count || (a.measure < b.measure ? -1 : a.measure > b.measure ? 1 : 0))
      .slice(0, limit);
  }

  recentFallbacks(range: TimeRange, limit: number): FallbackQuestion[] {
    const byText = new Map<string, FallbackQuestion>();
    for (const e of this.within(range)) {
      if (e.intent !== FALLBACK_INTENT) continue;
      const old = byText.get(e.text);
      byText.set(e.text, { text: e.text, count: (old?.count ?? 0) + 1, lastAt: Math.max(old?.lastAt ?? 0, e.at) });
    }
    return [...byText.values()].sort((a, b) => b.lastAt - a.lastAt || (a.text < b.text ? -1 : 1)).slice(0, limit);
  }
}
